/**
 * One referral (#/referral/<id>): where it has got to, what was referred, its timeline (newest
 * last, refreshed on live events for its episode), and Accept / Reject with a reason.
 */

import { byId, debounce, el, setText } from "../../shared/dist/dom.js";
import { bool, isRecord, num, str, strings } from "../../shared/dist/json.js";
import type { LiveEvent } from "../../shared/dist/live.js";
import { acceptReferral, describeFailure, getReferral, getReferrerNotices, getTimeline, rejectReferral } from "./api.js";
import { clockView } from "./countdown.js";
import {
  CONSCIOUSNESS,
  FRAILTY,
  REFERRER_ROLES,
  dateOfBirth,
  isUcrNeed,
  leadLabel,
  longTime,
  needLabel,
  routeLabel,
  shortTime,
  outcomeLabel,
  statusLabel,
  tierLabel,
} from "./labels.js";
import { type BoardRow, type ReferralDetail, type TimelineItem, isUndecided, READ_AGAIN_AFTER_MS, rowShows } from "./model.js";
import { formatNhsNumber } from "./nhs-number.js";
import { noticeItem } from "./notices.js";
import { MARKUP_PATTERN } from "./rules.js";
import { now } from "./time.js";
import { EpisodeEnd } from "./episode-end.js";
import { signIn } from "./sign-in.js";
import { TriagePanel } from "./triage-panel.js";

function lookup(pairs: ReadonlyArray<readonly [string, string]>, code: string | null): string {
  if (code === null) return "—";
  return pairs.find(([value]) => value === code)?.[1] ?? code;
}

function orDash(text: string | null | undefined): string {
  return text === null || text === undefined || text.trim() === "" ? "—" : text;
}

/** A <dl> row; text always via textContent. */
function entry(term: string, value: string | Node, testId?: string): HTMLElement[] {
  const dd = el("dd", testId !== undefined ? { "data-testid": testId } : {});
  if (typeof value === "string") dd.textContent = value;
  else dd.appendChild(value);
  return [el("dt", {}, term), dd];
}

function longText(value: unknown): HTMLElement {
  return el("span", { class: "long-text" }, orDash(str(value)));
}

export interface ReferralPageDeps {
  announce(message: string): void;
  /** The board should show this row's new state at once. */
  onChanged(row: BoardRow): void;
}

export class ReferralPage {
  private id: string | null = null;
  private detail: ReferralDetail | null = null;
  private active = false;
  private controller: AbortController | null = null;
  private deciding = false;
  private readonly title: HTMLElement;
  private readonly statusLine: HTMLElement;
  private readonly body: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly details: HTMLElement;
  private readonly timeline: HTMLOListElement;
  private readonly result: HTMLElement;
  private readonly accept: HTMLButtonElement;
  private readonly reject: HTMLButtonElement;
  private readonly dialog: HTMLDialogElement;
  private readonly reason: HTMLTextAreaElement;
  private readonly reasonError: HTMLElement;
  private clock: HTMLElement | null = null;
  /** Where focus goes when the reject dialog closes (the result after a decision, else the button). */
  private focusAfterDialog: HTMLElement | null = null;
  private readonly triage: TriagePanel;
  private readonly ending: EpisodeEnd;
  /** Live events this page has been told of that the referral it last read did not show yet (rowShows). */
  private expected: string[] = [];
  private readAgainTries = 0;
  private readonly reloadSoon = debounce(() => {
    void this.load(false);
    void this.triage.load();
  }, 300);

  constructor(private readonly deps: ReferralPageDeps) {
    this.title = byId("ref-title");
    this.statusLine = byId("ref-status");
    this.body = byId("ref-body");
    this.summary = byId("ref-summary");
    this.details = byId("ref-details");
    this.timeline = byId("timeline", HTMLOListElement);
    this.result = byId("decision-result");
    this.accept = byId("accept", HTMLButtonElement);
    this.reject = byId("reject", HTMLButtonElement);
    this.dialog = byId("reject-dialog", HTMLDialogElement);
    this.reason = byId("reject-reason", HTMLTextAreaElement);
    this.reasonError = byId("reject-error");
    this.triage = new TriagePanel({ onChanged: () => this.reloadSoon() });
    this.ending = new EpisodeEnd({
      roles: () => signIn.session()?.roles ?? [],
      onChanged: (row) => {
        if (row !== null) this.deps.onChanged(row);
        this.reloadSoon();
      },
    });

    this.accept.addEventListener("click", () => void this.doAccept());
    this.reject.addEventListener("click", () => this.openReject());
    byId("reject-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doReject();
    });
    byId("reject-cancel").addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => {
      const target = this.focusAfterDialog ?? this.reject;
      this.focusAfterDialog = null;
      target.focus();
    });
    this.reason.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        event.stopPropagation();
        void this.doReject();
      }
    });
    this.reason.addEventListener("input", () => {
      if (this.reason.value.trim() !== "") this.setReasonError("");
    });
  }

  show(id: string): void {
    const same = this.id === id;
    this.id = id;
    this.expected = [];
    this.active = true;
    if (!same) {
      this.detail = null;
      this.body.hidden = true;
      setText(this.result, "");
      this.ending.reset();
      setText(this.title, "Referral");
      setText(this.statusLine, "Loading…");
    }
    void this.load(!same);
    this.triage.show(id);
  }

  hide(): void {
    this.active = false;
    this.controller?.abort();
    this.triage.hide();
    this.ending.hide();
    if (this.dialog.open) this.dialog.close();
  }

  onLiveEvent(event: LiveEvent): void {
    if (!this.active || this.detail === null) return;
    if (event.referral_id === this.detail.referral_id || (event.episode_id !== null && event.episode_id === this.detail.episode_id)) {
      this.expected.push(event.type);
      this.readAgainTries = 0;
      this.reloadSoon();
    }
  }

  onReconnected(): void {
    if (this.active && this.detail !== null) this.reloadSoon();
  }

  tick(): void {
    if (!this.active || this.detail === null || this.clock === null) return;
    const view = clockView(this.detail, now());
    setText(this.clock, view.text);
    this.clock.className = `clock clock-${view.level}`;
    this.clock.setAttribute("title", view.description);
  }

  // ------------------------------------------------------------------ data

  private async load(first: boolean): Promise<void> {
    const id = this.id;
    if (id === null) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const [detail, timeline] = await Promise.all([getReferral(id, controller.signal), getTimeline(id, controller.signal)]);
    if (controller.signal.aborted || this.id !== id) return;
    if (!detail.ok) {
      if (detail.failure.kind === "auth" || detail.failure.kind === "aborted") return;
      this.statusLine.classList.add("warning");
      setText(this.statusLine, describeFailure(detail.failure));
      if (this.detail === null) this.body.hidden = true;
      return;
    }
    this.statusLine.classList.remove("warning");
    setText(this.statusLine, "");
    this.detail = detail.data;
    this.expected = this.expected.filter((type) => !rowShows(detail.data, type));
    const wait = READ_AGAIN_AFTER_MS[this.readAgainTries];
    if (this.expected.length > 0 && wait !== undefined) {
      this.readAgainTries += 1;
      window.setTimeout(() => this.reloadSoon(), wait);
    }
    this.renderDetail(detail.data);
    const notices = await getReferrerNotices(detail.data.episode_id, controller.signal);
    if (controller.signal.aborted || this.id !== id) return;
    const told = notices.ok ? notices.data.map(noticeItem) : [];
    if (timeline.ok) this.renderTimeline([...timeline.data, ...told]);
    else if (timeline.failure.kind !== "auth" && timeline.failure.kind !== "aborted") {
      this.timeline.replaceChildren(el("li", { class: "warning" }, `Could not load the timeline: ${describeFailure(timeline.failure)}`));
    }
    this.body.hidden = false;
    if (first) this.title.focus();
  }

  // ------------------------------------------------------------------ rendering

  private renderDetail(detail: ReferralDetail): void {
    const name = detail.patient.name ?? "Referral";
    setText(this.title, name);
    document.title = `${name} · CareRelay hub`;
    this.clock = el("span", { class: "clock", "data-testid": "countdown" });
    const status = el("span", { "data-testid": "referral-status", "data-status": detail.status }, statusLabel(detail.status));
    this.summary.replaceChildren(
      ...entry("NHS number", formatNhsNumber(detail.patient.nhs_number) || "—"),
      ...entry("Date of birth", dateOfBirth(detail.patient.date_of_birth)),
      ...entry("Status", status),
      ...entry("Route", routeLabel(detail.route)),
      ...entry("Tier", tierLabel(detail.tier)),
      ...entry("Lead discipline", leadLabel(detail.lead_discipline)),
      ...entry("Received", longTime(detail.received_at)),
      ...entry("First contact due", detail.first_contact_deadline === null ? "No deadline yet" : longTime(detail.first_contact_deadline)),
      ...entry("Response clock", this.clock),
      ...entry("Team / locality", [detail.team, detail.locality].filter((p): p is string => p !== null).join(" / ") || "Unplaced"),
      ...entry("First visit planned", longTime(detail.first_visit_planned_start)),
      ...entry("First contact made", longTime(detail.first_contact_at)),
      ...(detail.decided_by !== null ? entry("Decided by", detail.decided_by) : []),
      ...(detail.rejection_reason !== null ? entry("Reason for rejection", el("span", { class: "long-text" }, detail.rejection_reason)) : []),
      ...(detail.cancellation_reason !== null ? entry("Reason for cancelling", el("span", { class: "long-text" }, detail.cancellation_reason)) : []),
      ...(detail.outcome !== null ? entry("Outcome", el("span", { "data-testid": "outcome" }, outcomeLabel(detail.outcome))) : []),
    );
    this.ending.render(detail);
    this.tick();
    const decided = !isUndecided(detail.status);
    this.accept.disabled = decided || this.deciding;
    this.reject.disabled = decided || this.deciding;
    byId("decision-note").textContent = decided ? `No decision to make: this referral is ${statusLabel(detail.status).toLowerCase()}.` : "";
    this.renderSubmission(detail.referral, detail.presenting_needs);
  }

  private renderSubmission(referral: Record<string, unknown> | null, needs: readonly string[]): void {
    if (referral === null) {
      this.details.replaceChildren(el("p", {}, "The full referral is not shown to you."));
      return;
    }
    const referrer = isRecord(referral["referrer"]) ? referral["referrer"] : {};
    const patient = isRecord(referral["patient"]) ? referral["patient"] : {};
    const family = isRecord(referral["family_contact"]) ? referral["family_contact"] : null;
    const obs = isRecord(referral["observations"]) ? referral["observations"] : null;
    const submittedNeeds = needs.length > 0 ? needs : strings(referral["presenting_needs"]);
    const needList = el(
      "ul",
      { class: "needs-list" },
      ...submittedNeeds.map((need) => el("li", {}, needLabel(need), isUcrNeed(need) ? el("span", { class: "tag" }, " UCR 2 h") : null)),
    );
    const consent = bool(referral["consent_to_share"]);
    const frailty = num(referral["clinical_frailty_scale"]);
    const referrerText = [
      lookup(REFERRER_ROLES, str(referrer["role"])),
      str(referrer["organisation"]),
      str(referrer["name"]),
    ]
      .filter((p): p is string => p !== null && p !== "")
      .join(", ");

    const sections: HTMLElement[] = [
      el(
        "dl",
        { class: "summary-list" },
        ...entry("Referrer", orDash(referrerText)),
        ...entry("Call-back number", orDash(str(referrer["callback_number"]))),
        ...entry("Address", longText(patient["address"])),
        ...entry("Postcode", orDash(str(patient["postcode"]))),
        ...entry("GP practice", orDash(str(patient["gp_practice_code"]))),
        ...entry("Presenting needs", needList),
        ...entry("Reason", longText(referral["reason"])),
        ...entry("Known risks", longText(referral["known_risks"])),
        ...entry("Access notes", longText(referral["access_notes"])),
        ...entry("Consent to share", consent === null ? "—" : consent ? "Yes" : "No"),
        ...entry(
          "Family contact",
          family === null
            ? "—"
            : `${orDash(str(family["relationship"]))}; ${bool(family["may_be_told_plan"]) === true ? "may be told the plan" : "may not be told the plan"}`,
        ),
        ...entry("From a care home", bool(referral["from_care_home"]) === true ? "Yes" : "No"),
        ...entry("Clinical Frailty Scale", frailty === null ? "—" : lookup(FRAILTY, String(frailty))),
      ),
    ];
    if (obs !== null) {
      const value = (key: string, unit = ""): string => {
        const n = num(obs[key]);
        return n === null ? "—" : `${n}${unit}`;
      };
      sections.push(
        el("h3", {}, "Observations (NEWS2 inputs)"),
        el(
          "dl",
          { class: "summary-list compact" },
          ...entry("Respiration rate", value("respiration_rate", "/min")),
          ...entry("SpO2", `${value("spo2_percent", "%")} (scale ${value("spo2_scale")})`),
          ...entry("Supplemental oxygen", bool(obs["on_supplemental_oxygen"]) === true ? "Yes" : "No"),
          ...entry("Systolic BP", value("systolic_bp", " mmHg")),
          ...entry("Pulse", value("pulse", "/min")),
          ...entry("Consciousness", lookup(CONSCIOUSNESS, str(obs["consciousness"]))),
          ...entry("Temperature", value("temperature_celsius", " °C")),
        ),
      );
    }
    this.details.replaceChildren(...sections);
  }

  private renderTimeline(items: readonly TimelineItem[]): void {
    const sorted = [...items].sort((a, b) => (Date.parse(a.at ?? "") || 0) - (Date.parse(b.at ?? "") || 0));
    if (sorted.length === 0) {
      this.timeline.replaceChildren(el("li", {}, "Nothing yet."));
      return;
    }
    this.timeline.replaceChildren(
      ...sorted.map((item) =>
        el(
          "li",
          { "data-type": item.type },
          el("time", item.at !== null ? { datetime: item.at } : {}, item.at === null ? "—" : shortTime(item.at, now())),
          " ",
          el("span", { class: "event-type" }, item.type),
          " ",
          el("span", { class: "event-summary" }, item.summary),
        ),
      ),
    );
  }

  // ------------------------------------------------------------------ decisions

  private showResult(message: string, kind: "ok" | "warning"): void {
    this.result.className = `decision-result ${kind}`;
    setText(this.result, message);
    this.result.focus();
  }

  private decided(row: BoardRow, verb: string): void {
    this.showResult(`${verb} at ${shortTime(new Date(now()).toISOString())}. Status: ${statusLabel(row.status)}.`, "ok");
    this.deps.onChanged(row);
    this.reloadSoon();
  }

  private async doAccept(): Promise<void> {
    const id = this.id;
    if (id === null || this.deciding) return;
    this.deciding = true;
    this.accept.disabled = true;
    this.reject.disabled = true;
    const result = await acceptReferral(id);
    this.deciding = false;
    if (result.ok) {
      this.decided(result.data, "Accepted");
      return;
    }
    if (result.failure.kind === "auth") return;
    this.accept.disabled = false;
    this.reject.disabled = false;
    const prefix = result.failure.kind === "http" && result.failure.status === 409 ? "Already decided: " : "Not accepted: ";
    this.showResult(`${prefix}${describeFailure(result.failure)}`, "warning");
    this.reloadSoon();
  }

  private openReject(): void {
    this.setReasonError("");
    this.dialog.showModal();
    this.reason.focus();
  }

  private setReasonError(message: string): void {
    setText(this.reasonError, message);
    if (message === "") this.reason.removeAttribute("aria-invalid");
    else this.reason.setAttribute("aria-invalid", "true");
  }

  private async doReject(): Promise<void> {
    const id = this.id;
    if (id === null || this.deciding) return;
    const reason = this.reason.value.trim();
    if (reason === "") return this.setReasonError("Enter the reason for rejecting this referral");
    if (reason.length > 2000) return this.setReasonError(`The reason must be 2000 characters or fewer (${reason.length} now)`);
    if (MARKUP_PATTERN.test(reason)) return this.setReasonError('Remove the "<": text that looks like markup is refused');
    this.deciding = true;
    const confirm = byId("reject-confirm", HTMLButtonElement);
    confirm.setAttribute("aria-disabled", "true");
    const result = await rejectReferral(id, reason);
    this.deciding = false;
    confirm.removeAttribute("aria-disabled");
    if (result.ok) {
      this.reason.value = "";
      this.focusAfterDialog = this.result;
      this.dialog.close();
      this.decided(result.data, "Rejected");
      return;
    }
    if (result.failure.kind === "auth") return;
    if (result.failure.kind === "http" && result.failure.status === 422) {
      const reasonError = result.failure.errors.find((e) => e.field.endsWith("reason"));
      return this.setReasonError(reasonError?.reason ?? result.failure.detail);
    }
    this.focusAfterDialog = this.result;
    this.dialog.close();
    const prefix = result.failure.kind === "http" && result.failure.status === 409 ? "Already decided: " : "Not rejected: ";
    this.showResult(`${prefix}${describeFailure(result.failure)}`, "warning");
    this.reloadSoon();
  }
}
