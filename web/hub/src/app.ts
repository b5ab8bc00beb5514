/**
 * The hub's phone desk: sign-in, the hash router (#/new, #/board, #/referral/<id>, #/plan),
 * keyboard shortcuts, the live stream and the connection indicator.
 */

import { SignInError } from "../../shared/dist/auth.js";
import { announce, byId, setText } from "../../shared/dist/dom.js";
import { type LiveState, LiveStream } from "../../shared/dist/live.js";
import { setUnauthorisedHandler } from "./api.js";
import { Board } from "./board.js";
import { DraftStore } from "./draft.js";
import { ReferralForm } from "./form.js";
import { PlanView } from "./plan.js";
import { ReferralPage } from "./referral-page.js";
import { signIn } from "./sign-in.js";

const RESUME_KEY = "carerelay.hub.resume";
type View = "signin" | "new" | "board" | "referral" | "plan";

const ROLE_LABELS: Record<string, string> = {
  "hub-call-handler": "Hub call handler",
  "hub-clinician": "Hub clinician",
  coordinator: "Coordinator",
};
/** Who plans the day (#/plan): team managers and hub clinicians. */
const PLANNER_ROLES = ["coordinator", "hub-clinician"];

/** The view to come back to after sign-in; none means the person's home view (see `home`). */
function safeHash(hash: string): string {
  return hash.startsWith("#/") ? hash : "";
}

function showView(view: View): void {
  for (const name of ["signin", "new", "board", "referral", "plan"] as const) {
    byId(`view-${name}`).hidden = name !== view;
  }
  for (const [name, id] of [
    ["new", "nav-new"],
    ["board", "nav-board"],
    ["plan", "nav-plan"],
  ] as const) {
    const link = byId(id);
    if (name === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  byId("app-nav").hidden = view === "signin";
}

function showSignIn(message: string): void {
  showView("signin");
  byId("user").hidden = true;
  document.title = "Sign in · CareRelay hub";
  setText(byId("signin-message"), message);
  byId("signin-button").focus();
}

function setLiveState(state: LiveState): void {
  const indicator = byId("live-indicator");
  const text: Record<LiveState, string> = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    stopped: "Not live",
  };
  indicator.dataset["state"] = state;
  setText(byId("live-text"), text[state]);
}

async function main(): Promise<void> {
  byId("signin-button").addEventListener("click", () => {
    signIn.start(safeHash(location.hash), true).catch((error: unknown) => {
      setText(byId("signin-message"), error instanceof Error ? error.message : "Sign-in failed.");
    });
  });
  byId("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    byId("main").focus();
  });

  const completion = await signIn.complete();
  if (completion.kind === "error") {
    showSignIn(`${completion.message} Your draft, if any, is kept on this computer.`);
    return;
  }
  if (signIn.session() === null) {
    try {
      await signIn.start(safeHash(location.hash));
    } catch (error: unknown) {
      showSignIn(error instanceof SignInError ? error.message : "Sign-in could not start.");
    }
    return;
  }
  startApp();
}

function startApp(): void {
  const current = signIn.session();
  const announcer = byId("announcer");
  const say = (message: string): void => announce(announcer, message);
  const userName = byId("user-name");
  const role = current?.roles.map((r) => ROLE_LABELS[r]).find((label) => label !== undefined);
  setText(userName, `${current?.name ?? "Signed in"}${role !== undefined ? ` · ${role}` : ""}`);
  byId("user").hidden = false;
  const plans = current?.roles.some((r) => PLANNER_ROLES.includes(r)) ?? false;
  byId("nav-plan-item").hidden = !plans;
  // A coordinator does not take referrals: their screen opens on the day's plan.
  const takesReferrals = current?.roles.some((r) => r === "hub-call-handler" || r === "hub-clinician") ?? false;
  const home = plans && !takesReferrals ? "#/plan" : "#/new";

  let view: View = "new";
  let redirecting = false;
  const navigate = (hash: string): void => {
    if (location.hash === hash) route();
    else location.hash = hash;
  };

  const board = new Board({ navigate });
  const plan = new PlanView({ canManage: plans });
  const page = new ReferralPage({ announce: say, onChanged: (row) => board.upsert(row) });
  let form: ReferralForm | null = null;
  const live = new LiveStream(signIn, {
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
  function signInAgain(): void {
    if (redirecting) return;
    redirecting = true;
    form?.flush();
    live.stop();
    signIn.clearToken();
    sessionStorage.setItem(RESUME_KEY, "1");
    signIn.start(safeHash(location.hash)).catch((error: unknown) => {
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
    signIn.signOut();
    showSignIn("You are signed out. A draft referral, if any, is kept on this computer until it is sent or discarded.");
  });

  function route(): void {
    if (redirecting) return;
    const hash = location.hash;
    if (!hash.startsWith("#/")) {
      if (hash === "") history.replaceState(null, "", home);
      else return; // an in-page anchor, not a view
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
      if (previous !== "board") byId("board-title").focus();
    } else if (path.startsWith("/referral/") && path.length > "/referral/".length) {
      view = "referral";
      board.hide();
      plan.hide();
      showView("referral");
      page.show(decodeURIComponent(path.slice("/referral/".length)));
    } else if (path === "/new") {
      view = "new";
      board.hide();
      page.hide();
      plan.hide();
      showView("new");
      document.title = "Take a referral · CareRelay hub";
      if (previous !== "new" || document.activeElement === document.body) referralForm.focusFirst();
    } else if (path === "/plan") {
      view = "plan";
      board.hide();
      page.hide();
      showView("plan");
      plan.show(query);
      document.title = "Today's plan · CareRelay hub";
      if (previous !== "plan") byId("plan-title").focus();
    } else {
      history.replaceState(null, "", home);
      route();
    }
  }

  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", (event) => {
    if (redirecting || view === "signin") return;
    if (document.querySelector("dialog[open]") !== null) return; // dialogs handle their own keys (Escape closes)
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
      } else if (event.code === "KeyB") {
        event.preventDefault();
        navigate("#/board");
      } else if (event.code === "KeyP" && plans) {
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
