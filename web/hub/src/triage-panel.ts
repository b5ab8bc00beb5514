/**
 * The Triage section of one referral (#/referral/<id>): the decision and why (the rules that
 * fired), a hub clinician's override with a reason, and handing the lead to another discipline.
 */

import { byId, el, setText } from "../../shared/dist/dom.js";
import { type TriageDecision, describeFailure, getTriageDecision, overrideTriage, transferLead } from "./api.js";
import { leadLabel, longTime, tierLabel } from "./labels.js";
import { fieldError, invalid, showFieldErrors } from "./field-errors.js";
import { MARKUP_PATTERN } from "./rules.js";

export interface TriagePanelDeps {
  /** The decision changed here: the rest of the page should reload. */
  onChanged(): void;
}

export class TriagePanel {
  private referralId: string | null = null;
  private decision: TriageDecision | null = null;
  private controller: AbortController | null = null;
  private busy = false;
  private readonly view: HTMLElement;
  private readonly result: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly tier: HTMLSelectElement;
  private readonly lead: HTMLSelectElement;
  private readonly reason: HTMLTextAreaElement;
  private readonly leadTo: HTMLSelectElement;
  private readonly leadReason: HTMLTextAreaElement;

  constructor(private readonly deps: TriagePanelDeps) {
    this.view = byId("triage-decision");
    this.result = byId("triage-result");
    this.actions = byId("triage-actions");
    this.tier = byId("override-tier", HTMLSelectElement);
    this.lead = byId("override-lead", HTMLSelectElement);
    this.reason = byId("override-reason", HTMLTextAreaElement);
    this.leadTo = byId("lead-to", HTMLSelectElement);
    this.leadReason = byId("lead-reason", HTMLTextAreaElement);
    byId("override-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doOverride();
    });
    byId("lead-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doTransfer();
    });
    this.reason.addEventListener("input", () => {
      if (this.reason.value.trim() !== "") fieldError("override-reason", "");
    });
  }

  show(referralId: string): void {
    if (this.referralId !== referralId) {
      this.referralId = referralId;
      this.decision = null;
      this.actions.hidden = true;
      this.result.className = "decision-result";
      setText(this.result, "");
      this.view.replaceChildren("Loading…");
      this.clearErrors();
    }
    void this.load();
  }

  hide(): void {
    this.controller?.abort();
  }

  async load(): Promise<void> {
    const id = this.referralId;
    if (id === null) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const result = await getTriageDecision(id, controller.signal);
    if (controller.signal.aborted || this.referralId !== id) return;
    if (result.ok) {
      this.render(result.data);
      return;
    }
    const failure = result.failure;
    if (failure.kind === "auth" || failure.kind === "aborted") return;
    if (this.decision !== null) return; // keep what is shown; a later reload will refresh it
    if (failure.kind === "http" && failure.status === 403) {
      this.view.replaceChildren();
      return;
    }
    this.view.replaceChildren(failure.kind === "http" && failure.status === 404 ? "No triage decision yet" : `Could not load the triage decision: ${describeFailure(failure)}`);
  }

  private render(decision: TriageDecision): void {
    const first = this.decision === null || this.decision.referral_id !== decision.referral_id;
    this.decision = decision;
    const entry = (term: string, value: string, testId: string): HTMLElement[] => [
      el("dt", {}, term),
      el("dd", { "data-testid": testId }, value),
    ];
    this.view.replaceChildren(
      el(
        "dl",
        { class: "summary-list" },
        ...entry("Tier", tierLabel(decision.tier), "triage-tier"),
        ...entry("Lead discipline", leadLabel(decision.lead_discipline), "triage-lead"),
        ...entry("First contact due", decision.first_contact_deadline === null ? "—" : longTime(decision.first_contact_deadline), "triage-deadline"),
        ...entry("NEWS2", decision.news2_score === null ? "—" : String(decision.news2_score), "triage-news2"),
        ...entry("Decided", `${longTime(decision.decided_at)}${decision.overridden ? " (overridden by a hub clinician)" : ""}`, "triage-decided"),
        ...entry("Rules version", decision.rules_version ?? "—", "triage-rules-version"),
      ),
      el("p", { class: "why", "data-testid": "triage-why" }, `Why: ${decision.rules_fired.length > 0 ? decision.rules_fired.join(", ") : "—"}`),
    );
    this.view.dataset["tier"] = decision.tier;
    this.view.dataset["lead"] = decision.lead_discipline;
    if (first) {
      this.tier.value = decision.tier;
      this.lead.value = decision.lead_discipline;
      this.leadTo.value = decision.lead_discipline;
    }
    this.actions.hidden = false;
  }

  // ------------------------------------------------------------------ actions

  private say(message: string, kind: "ok" | "warning"): void {
    this.result.className = `decision-result ${kind}`;
    setText(this.result, message);
    this.result.focus();
  }

  private clearErrors(): void {
    for (const id of ["override-tier", "override-lead", "override-reason", "lead-to", "lead-reason"]) fieldError(id, "");
  }

  private async doOverride(): Promise<void> {
    const id = this.referralId;
    if (id === null || this.busy) return;
    this.clearErrors();
    const reason = this.reason.value.trim();
    if (reason === "") return invalid("override-reason", "Enter the reason for overriding the decision");
    if (reason.length > 2000) return invalid("override-reason", `The reason must be 2000 characters or fewer (${reason.length} now)`);
    if (MARKUP_PATTERN.test(reason)) return invalid("override-reason", 'Remove the "<": text that looks like markup is refused');
    this.busy = true;
    const submit = byId("override-submit", HTMLButtonElement);
    submit.setAttribute("aria-disabled", "true");
    const result = await overrideTriage(id, { tier: this.tier.value, lead_discipline: this.lead.value, reason });
    this.busy = false;
    submit.removeAttribute("aria-disabled");
    if (result.ok) {
      this.reason.value = "";
      this.render(result.data);
      this.say(`Overridden: ${tierLabel(result.data.tier)}, ${leadLabel(result.data.lead_discipline)} leads.`, "ok");
      this.deps.onChanged();
      return;
    }
    const failure = result.failure;
    if (failure.kind === "auth") return;
    if (showFieldErrors(failure, { tier: "override-tier", lead_discipline: "override-lead", reason: "override-reason" })) return;
    if (failure.kind === "http" && failure.status === 403) return this.say("Only a hub clinician can override", "warning");
    this.say(`Not overridden: ${describeFailure(failure)}`, "warning");
  }

  private async doTransfer(): Promise<void> {
    const decision = this.decision;
    if (decision === null || this.busy) return;
    this.clearErrors();
    const reason = this.leadReason.value.trim();
    if (reason.length > 2000) return invalid("lead-reason", `The reason must be 2000 characters or fewer (${reason.length} now)`);
    if (MARKUP_PATTERN.test(reason)) return invalid("lead-reason", 'Remove the "<": text that looks like markup is refused');
    this.busy = true;
    const submit = byId("lead-submit", HTMLButtonElement);
    submit.setAttribute("aria-disabled", "true");
    const result = await transferLead(decision.episode_id, { to_discipline: this.leadTo.value, reason });
    this.busy = false;
    submit.removeAttribute("aria-disabled");
    if (result.ok) {
      this.leadReason.value = "";
      // Triage follows the transfer from the event; until then show the decision with its new lead.
      this.render({ ...decision, lead_discipline: result.data.to_discipline });
      this.lead.value = result.data.to_discipline;
      this.say(`The lead is now ${leadLabel(result.data.to_discipline)}.`, "ok");
      this.deps.onChanged();
      return;
    }
    const failure = result.failure;
    if (failure.kind === "auth") return;
    if (showFieldErrors(failure, { to_discipline: "lead-to", reason: "lead-reason" })) return;
    if (failure.kind === "http" && failure.status === 409) return this.say(failure.detail, "warning");
    if (failure.kind === "http" && failure.status === 403) return this.say("Only a hub clinician can hand over the lead", "warning");
    this.say(`Lead not handed over: ${describeFailure(failure)}`, "warning");
  }

}
