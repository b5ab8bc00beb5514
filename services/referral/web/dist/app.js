/**
 * The hub's phone desk: sign-in, the hash router (#/new, #/board, #/referral/<id>, #/plan),
 * keyboard shortcuts, the live stream and the connection indicator.
 */
import { setUnauthorisedHandler } from "./api.js";
import { SignInError, clearToken, completeSignIn, session, signOut, startSignIn } from "./auth.js";
import { Board } from "./board.js";
import { announce, byId, setText } from "./dom.js";
import { DraftStore } from "./draft.js";
import { ReferralForm } from "./form.js";
import { LiveStream } from "./live.js";
import { PlanView } from "./plan.js";
import { ReferralPage } from "./referral-page.js";
const RESUME_KEY = "carerelay.hub.resume";
const ROLE_LABELS = {
    "hub-call-handler": "Hub call handler",
    "hub-clinician": "Hub clinician",
    coordinator: "Coordinator",
};
/** Who plans the day (#/plan): team managers and hub clinicians. */
const PLANNER_ROLES = ["coordinator", "hub-clinician"];
/** The view to come back to after sign-in; none means the person's home view (see `home`). */
function safeHash(hash) {
    return hash.startsWith("#/") ? hash : "";
}
function showView(view) {
    for (const name of ["signin", "new", "board", "referral", "plan"]) {
        byId(`view-${name}`).hidden = name !== view;
    }
    for (const [name, id] of [
        ["new", "nav-new"],
        ["board", "nav-board"],
        ["plan", "nav-plan"],
    ]) {
        const link = byId(id);
        if (name === view)
            link.setAttribute("aria-current", "page");
        else
            link.removeAttribute("aria-current");
    }
    byId("app-nav").hidden = view === "signin";
}
function showSignIn(message) {
    showView("signin");
    byId("user").hidden = true;
    document.title = "Sign in · CareRelay hub";
    setText(byId("signin-message"), message);
    byId("signin-button").focus();
}
function setLiveState(state) {
    const indicator = byId("live-indicator");
    const text = {
        connecting: "Connecting…",
        live: "Live",
        reconnecting: "Reconnecting…",
        stopped: "Not live",
    };
    indicator.dataset["state"] = state;
    setText(byId("live-text"), text[state]);
}
async function main() {
    byId("signin-button").addEventListener("click", () => {
        startSignIn(safeHash(location.hash), true).catch((error) => {
            setText(byId("signin-message"), error instanceof Error ? error.message : "Sign-in failed.");
        });
    });
    byId("skip-link").addEventListener("click", (event) => {
        event.preventDefault();
        byId("main").focus();
    });
    const completion = await completeSignIn();
    if (completion.kind === "error") {
        showSignIn(`${completion.message} Your draft, if any, is kept on this computer.`);
        return;
    }
    if (session() === null) {
        try {
            await startSignIn(safeHash(location.hash));
        }
        catch (error) {
            showSignIn(error instanceof SignInError ? error.message : "Sign-in could not start.");
        }
        return;
    }
    startApp();
}
function startApp() {
    const current = session();
    const announcer = byId("announcer");
    const say = (message) => announce(announcer, message);
    const userName = byId("user-name");
    const role = current?.roles.map((r) => ROLE_LABELS[r]).find((label) => label !== undefined);
    setText(userName, `${current?.name ?? "Signed in"}${role !== undefined ? ` · ${role}` : ""}`);
    byId("user").hidden = false;
    const plans = current?.roles.some((r) => PLANNER_ROLES.includes(r)) ?? false;
    byId("nav-plan-item").hidden = !plans;
    // A coordinator does not take referrals: their screen opens on the day's plan.
    const takesReferrals = current?.roles.some((r) => r === "hub-call-handler" || r === "hub-clinician") ?? false;
    const home = plans && !takesReferrals ? "#/plan" : "#/new";
    let view = "new";
    let redirecting = false;
    const navigate = (hash) => {
        if (location.hash === hash)
            route();
        else
            location.hash = hash;
    };
    const board = new Board({ navigate });
    const plan = new PlanView({ canManage: plans });
    const page = new ReferralPage({ announce: say, onChanged: (row) => board.upsert(row) });
    let form = null;
    const live = new LiveStream({
        onEvent: (event) => {
            board.onLiveEvent(event);
            page.onLiveEvent(event);
            plan.onLiveEvent(event);
        },
        onState: setLiveState,
        onUnauthorised: () => signInAgain(),
        onReconnected: () => {
            board.onReconnected();
            page.onReconnected();
            plan.onReconnected();
        },
    });
    /** A 401 (or an expired token): keep the draft, forget the token, go round the sign-in again. */
    function signInAgain() {
        if (redirecting)
            return;
        redirecting = true;
        form?.flush();
        live.stop();
        clearToken();
        sessionStorage.setItem(RESUME_KEY, "1");
        startSignIn(safeHash(location.hash)).catch((error) => {
            redirecting = false;
            showSignIn(error instanceof Error ? error.message : "Sign-in could not start.");
        });
    }
    setUnauthorisedHandler(signInAgain);
    const referralForm = new ReferralForm({ store: new DraftStore(localStorage), announce: say, onSent: (row) => board.upsert(row) });
    form = referralForm;
    byId("sign-out").addEventListener("click", () => {
        referralForm.flush();
        live.stop();
        signOut();
        showSignIn("You are signed out. A draft referral, if any, is kept on this computer until it is sent or discarded.");
    });
    function route() {
        if (redirecting)
            return;
        const hash = location.hash;
        if (!hash.startsWith("#/")) {
            if (hash === "")
                history.replaceState(null, "", home);
            else
                return; // an in-page anchor, not a view
        }
        const full = location.hash.slice(1);
        const q = full.indexOf("?");
        const path = q === -1 ? full : full.slice(0, q);
        const query = new URLSearchParams(q === -1 ? "" : full.slice(q + 1));
        const previous = view;
        if (path === "/board") {
            view = "board";
            page.hide();
            plan.hide();
            showView("board");
            board.show(query);
            document.title = "Live board · CareRelay hub";
            if (previous !== "board")
                byId("board-title").focus();
        }
        else if (path.startsWith("/referral/") && path.length > "/referral/".length) {
            view = "referral";
            board.hide();
            plan.hide();
            showView("referral");
            page.show(decodeURIComponent(path.slice("/referral/".length)));
        }
        else if (path === "/new") {
            view = "new";
            board.hide();
            page.hide();
            plan.hide();
            showView("new");
            document.title = "Take a referral · CareRelay hub";
            if (previous !== "new" || document.activeElement === document.body)
                referralForm.focusFirst();
        }
        else if (path === "/plan") {
            view = "plan";
            board.hide();
            page.hide();
            showView("plan");
            plan.show(query);
            document.title = "Today's plan · CareRelay hub";
            if (previous !== "plan")
                byId("plan-title").focus();
        }
        else {
            history.replaceState(null, "", home);
            route();
        }
    }
    window.addEventListener("hashchange", route);
    document.addEventListener("keydown", (event) => {
        if (redirecting || view === "signin")
            return;
        if (document.querySelector("dialog[open]") !== null)
            return; // dialogs handle their own keys (Escape closes)
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.altKey && view === "new") {
            event.preventDefault();
            void referralForm.submit();
            return;
        }
        if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
            if (event.code === "KeyN") {
                event.preventDefault();
                navigate("#/new");
                referralForm.focusFirst();
            }
            else if (event.code === "KeyB") {
                event.preventDefault();
                navigate("#/board");
            }
            else if (event.code === "KeyP" && plans) {
                event.preventDefault();
                navigate("#/plan");
            }
        }
    });
    window.addEventListener("online", () => live.retryNow());
    window.setInterval(() => {
        board.tick();
        page.tick();
        plan.tick();
    }, 1000);
    route();
    live.start();
    if (sessionStorage.getItem(RESUME_KEY) !== null) {
        sessionStorage.removeItem(RESUME_KEY);
        referralForm.showResumeNotice();
    }
}
void main();
