/**
 * The clinician app: start-up, sign-in, the day (from the server, or from this phone when there is
 * no signal), the visit and episode screens, the queue of actions and its sync, and live changes to
 * the day pushed by the notifications stream.
 */

import { SignInError } from "../../shared/dist/auth.js";
import { announce, byId, el, redrawKeeping, uuid } from "../../shared/dist/dom.js";
import { isRecord } from "../../shared/dist/json.js";
import { LiveStream, type LiveState } from "../../shared/dist/live.js";
import { fetchDay, sendAction } from "./api.js";
import { renderDay } from "./day-view.js";
import { type Change, changes, loadDay, saveDay, withPending } from "./day.js";
import { renderEpisode } from "./episode-view.js";
import { clock } from "./labels.js";
import { type Day, type Visit, decodeVisit, personName } from "./model.js";
import { ActionQueue, type KeyValueStore, MemoryStore, type QueuedAction } from "./queue.js";
import { signIn } from "./sign-in.js";
import { renderVisit } from "./visit-view.js";

const RETRY_MS = 15_000;

function localStore(): KeyValueStore {
  try {
    localStorage.setItem("carerelay.app.probe", "1");
    localStorage.removeItem("carerelay.app.probe");
    return localStorage;
  } catch {
    return new MemoryStore();
  }
}

const store = localStore();
const queue = new ActionQueue(store);
let server: Day | null = loadDay(store);
let fetchedAt: Date | null = null;
let online = navigator.onLine;
let liveState: LiveState = "connecting";
let syncing = false;
const ticked = new Map<string, Set<string>>();
let shownKey = "";

function staffId(): string | null {
  return signIn.session()?.staffId ?? null;
}

function isClinician(): boolean {
  return signIn.session()?.roles.includes("field-clinician") ?? false;
}

function shown(): Day | null {
  return server === null ? null : withPending(server, queue.pending(staffId()));
}

function visitById(id: string): Visit | null {
  return shown()?.visits.find((v) => v.visit_id === id) ?? null;
}

// ---------------------------------------------------------------- the top bar and alerts

function renderConnection(): void {
  const pending = queue.pending(staffId()).length;
  const line = byId("connection");
  const state = !online ? "offline" : syncing ? "sending" : liveState === "live" ? "live" : "online";
  line.dataset["state"] = online ? "online" : "offline";
  line.dataset["pending"] = String(pending);
  line.dataset["live"] = liveState;
  const waiting = pending === 0 ? "" : ` · ${pending} waiting to send`;
  const words: Record<string, string> = {
    offline: `Offline: saved on this phone${waiting}`,
    sending: `Sending${waiting}`,
    live: `Online · live${waiting}`,
    online: `Online${waiting}`,
  };
  byId("connection-text").textContent = words[state] ?? "";
  line.className = `connection connection-${state}`;
}

function alert(text: string, kind: "info" | "warning", testId: string): void {
  const item = el("div", { class: `alert alert-${kind}`, role: "alert", "data-testid": testId }, el("p", {}, text));
  const close = el("button", { type: "button", class: "link-button" }, "Dismiss");
  close.addEventListener("click", () => item.remove());
  item.append(close);
  byId("alerts").prepend(item);
  if (typeof navigator.vibrate === "function") navigator.vibrate([200, 100, 200]);
}

function tell(change: Change): void {
  const who = personName(change.visit);
  switch (change.kind) {
    case "added":
      alert(`New visit for you: ${clock(change.visit.planned_start)} ${who}`, "info", "alert-added");
      break;
    case "removed":
      alert(`${who} at ${clock(change.visit.planned_start)} is no longer your visit: it has been given to someone else or cancelled.`, "warning", "alert-removed");
      break;
    case "moved":
      alert(`${who} moved from ${clock(change.from)} to ${clock(change.visit.planned_start)}`, "info", "alert-moved");
      break;
  }
}

function renderProblems(): void {
  const box = byId("problems");
  box.replaceChildren(
    ...queue.problems().map((action) => {
      const item = el(
        "div",
        { class: "alert alert-conflict", role: "alert", "data-testid": "conflict", "data-state": action.state },
        el("p", {}, el("strong", {}, `Not recorded: ${action.label}`), ` (taken at ${clock(action.takenAt)}). `, action.message ?? ""),
        el("p", { class: "hint" }, "Tell the hub what you did; this phone keeps it until you dismiss it."),
      );
      const close = el("button", { type: "button", class: "link-button", "data-testid": "conflict-dismiss" }, "Dismiss");
      close.addEventListener("click", () => {
        queue.dismiss(action.key);
        renderProblems();
      });
      item.append(close);
      return item;
    }),
  );
}

// ---------------------------------------------------------------- views

function showView(id: string): void {
  for (const view of document.querySelectorAll<HTMLElement>("main > .view")) view.hidden = view.id !== id;
}

function route(): { view: "day" | "visit" | "episode"; id: string | null } {
  const [, view, id] = location.hash.split("/");
  if ((view === "visit" || view === "episode") && id !== undefined && id !== "") return { view, id };
  return { view: "day", id: null };
}

function asOf(): string {
  if (fetchedAt !== null && online) return `updated ${clock(fetchedAt.toISOString())}`;
  return server === null ? "not loaded yet" : `as of ${clock(server.generated_at)} (saved on this phone)`;
}

function render(force = false): void {
  renderConnection();
  renderProblems();
  const day = shown();
  const { view, id } = route();
  if (view === "day" || id === null) {
    showView("view-day");
    if (day !== null) renderDay(byId("visit-list"), byId("day-title"), byId("day-meta"), byId("day-empty"), day, asOf());
    else byId("day-meta").textContent = online ? "Loading your day…" : "Offline, and this phone has no day saved yet.";
    shownKey = "day";
    return;
  }
  const visit = visitById(id);
  const root = byId(view === "visit" ? "view-visit" : "view-episode");
  showView(root.id);
  if (visit === null) {
    root.replaceChildren(
      el("p", { class: "back" }, el("a", { href: "#/day" }, "← Today")),
      el("h1", { id: view === "visit" ? "visit-title" : "episode-title" }, "Not on your list"),
      el("p", { class: "notice", "data-testid": "visit-gone" }, "This visit is not on your list any more: it may have been given to someone else."),
    );
    shownKey = `${view}:${id}:gone`;
    return;
  }
  // Redraw only when the visit itself changed; a change that arrives by itself (the server's answer,
  // a live update) keeps what is being typed, and only the person's own action starts a form afresh.
  const key = `${view}:${id}:${JSON.stringify(visit)}`;
  if (!force && key === shownKey) return;
  const samePage = shownKey.startsWith(`${view}:${id}:`);
  shownKey = key;
  const draw = (): void => {
    if (view === "visit") {
      let set = ticked.get(visit.visit_id);
      if (set === undefined) {
        set = new Set(visit.record.tasks_done);
        ticked.set(visit.visit_id, set);
      }
      renderVisit(root, visit, { record, clinician: isClinician(), ticked: set });
    } else {
      renderEpisode(root, visit, record);
    }
  };
  if (!force && samePage) redrawKeeping(root, draw);
  else draw();
}

function focusTitle(): void {
  const title = document.querySelector<HTMLElement>("main > .view:not([hidden]) h1");
  title?.focus();
}

// ---------------------------------------------------------------- recording and syncing

function record(kind: string, path: string, body: Record<string, unknown>, label: string): void {
  const { id } = route();
  const visit = id === null ? null : visitById(id);
  if (visit === null) return;
  queue.add({
    key: uuid(),
    kind,
    path,
    body: { ...body, at: new Date().toISOString() },
    visitId: path.includes("/visits/") ? visit.visit_id : null,
    episodeId: visit.episode_id,
    label: `${label} (${personName(visit)})`,
    takenAt: new Date().toISOString(),
    staffId: staffId(),
  });
  render(true);
  const status = document.getElementById("action-status");
  if (status !== null) status.textContent = online ? `${label}: sending…` : `${label}: saved on this phone, will send when there is signal.`;
  void sync();
}

function applyResult(action: QueuedAction, result: unknown): void {
  if (server === null || !isRecord(result)) return;
  const updated = decodeVisit(result["visit"]);
  if (updated === null) return;
  server = {
    ...server,
    visits: server.visits.map((v) => (v.visit_id === updated.visit_id ? { ...updated, last_visit: v.last_visit } : v)),
  };
  saveDay(store, server);
  if (action.kind === "observations" && isRecord(result["news2"])) {
    const status = document.getElementById("action-status");
    if (status !== null) status.textContent = `Observations sent: NEWS2 ${String(result["news2"]["score"])}, checked by the server.`;
  }
}

async function sync(): Promise<void> {
  if (!online || queue.pending(staffId()).length === 0) {
    renderConnection();
    return;
  }
  syncing = true;
  renderConnection();
  const report = await queue.flush(sendAction, staffId());
  syncing = false;
  for (const { action, result } of report.sent) applyResult(action, result);
  if (report.stopped === "offline") online = false;
  render();
  const status = document.getElementById("action-status");
  if (status !== null && report.sent.length > 0 && report.problems.length === 0 && report.stopped === null) {
    const last = report.sent[report.sent.length - 1];
    if (last !== undefined && last.action.kind !== "observations") status.textContent = "Sent.";
  }
  if (report.problems.length > 0) announce(byId("announcer"), `${report.problems.length} action(s) could not be recorded`);
  if (report.stopped === "auth") await signInWhenOnline();
  else if (report.sent.length > 0 || report.problems.length > 0) await refresh();
}

async function refresh(): Promise<void> {
  const outcome = await fetchDay();
  switch (outcome.kind) {
    case "ok": {
      const before = server;
      server = outcome.day;
      fetchedAt = new Date();
      online = true;
      saveDay(store, server);
      for (const change of changes(before, server)) tell(change);
      break;
    }
    case "offline":
      online = false;
      break;
    case "auth":
      await signInWhenOnline();
      return;
    case "error":
      alert(outcome.message, "warning", "alert-error");
      break;
  }
  render();
}

// ---------------------------------------------------------------- sign-in and start-up

async function signInWhenOnline(force = false): Promise<void> {
  if (!navigator.onLine) return; // keep working from this phone; sign in when there is signal
  try {
    await signIn.start(location.hash || "#/day", force);
  } catch (error: unknown) {
    showView("view-signin");
    byId("signin-message").textContent = error instanceof SignInError ? error.message : "Sign-in could not start.";
  }
}

let refreshTimer: number | undefined;
function refreshSoon(): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refresh(), 300);
}

function startLive(): LiveStream {
  const live = new LiveStream(signIn, {
    onEvent: (event) => {
      if (event.type.startsWith("visit.")) refreshSoon();
    },
    onState: (state) => {
      liveState = state;
      renderConnection();
    },
    onUnauthorised: () => void signInWhenOnline(),
    onReconnected: () => refreshSoon(),
  });
  live.start();
  return live;
}

function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("./sw.js", { scope: "./" }).catch(() => {
    /* the app still works online; only the offline start is lost */
  });
}

async function start(): Promise<void> {
  registerServiceWorker();
  const completion = await signIn.complete();
  if (completion.kind === "error") {
    showView("view-signin");
    byId("signin-message").textContent = completion.message;
    byId("signin-button").addEventListener("click", () => void signInWhenOnline(true));
    return;
  }
  if (completion.kind === "signed-in") location.hash = completion.returnHash;
  if (signIn.session() === null) {
    if (navigator.onLine) {
      await signInWhenOnline();
      return;
    }
    byId("connection-text").textContent = "Offline: sign in when there is signal";
  } else {
    const signOutButton = byId("sign-out");
    signOutButton.hidden = false;
    signOutButton.addEventListener("click", () => {
      if (queue.pending(staffId()).length > 0 && !window.confirm("Some of what you recorded has not been sent yet. It stays on this phone. Sign out?")) return;
      signIn.signOut();
      if (queue.all().length === 0) store.removeItem("carerelay.app.day");
      location.assign("/app/");
    });
  }
  window.addEventListener("hashchange", () => {
    render(true);
    focusTitle();
  });
  window.addEventListener("online", () => {
    online = true;
    live?.retryNow();
    void sync().then(refresh);
  });
  window.addEventListener("offline", () => {
    online = false;
    render();
  });
  window.setInterval(() => {
    if (queue.pending(staffId()).length > 0) {
      online = navigator.onLine;
      void sync();
    }
  }, RETRY_MS);
  render(true);
  const live = signIn.session() !== null ? startLive() : null;
  await sync();
  await refresh();
}

void start();
