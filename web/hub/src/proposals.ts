/**
 * Care plan changes waiting for a decision, beside the coordinator's plan (#/plan): what a clinician
 * proposed from a visit and why, agreed with one press (the visits follow the new plan) or declined
 * with a reason (the clinician is told why). Shown to those who manage the plan.
 */

import { byId, el, setText } from "../../shared/dist/dom.js";
import { type CarePlanProposal, decideProposal, describeFailure, getProposals } from "./api.js";
import { shortTime } from "./labels.js";
import { MARKUP_PATTERN } from "./rules.js";
import { now } from "./time.js";

export class ProposalsPanel {
  private controller: AbortController | null = null;
  private busy = false;
  /** One key per proposal and decision, kept until it is answered, so a retry decides nothing twice. */
  private readonly keys = new Map<string, string>();
  private readonly section = byId("plan-proposals-section");
  private readonly list = byId("plan-proposals");
  private readonly empty = byId("plan-proposals-empty");
  private readonly count = byId("plan-proposals-count");
  private readonly result = byId("plan-proposals-result");

  constructor(private readonly canManage: boolean) {
    this.section.hidden = !canManage;
  }

  async load(): Promise<void> {
    if (!this.canManage) return;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const found = await getProposals(controller.signal);
    if (controller.signal.aborted) return;
    if (!found.ok) {
      if (found.failure.kind === "aborted" || found.failure.kind === "auth") return;
      this.say(`Could not load the care plan changes: ${describeFailure(found.failure)}`, "warning");
      return;
    }
    this.render(found.data);
  }

  private render(items: readonly CarePlanProposal[]): void {
    setText(this.count, items.length === 0 ? "" : `(${items.length})`);
    this.empty.hidden = items.length > 0;
    this.list.replaceChildren(...items.map((item) => this.row(item)));
  }

  private row(item: CarePlanProposal): HTMLElement {
    const reasonId = `decline-${item.proposal_id}`;
    const reason = el("textarea", { id: reasonId, rows: "2", maxlength: "2000", "data-testid": "proposal-decline-reason" }) as HTMLTextAreaElement;
    const error = el("p", { class: "error", id: `${reasonId}-error`, "aria-live": "polite" });
    reason.setAttribute("aria-describedby", error.id);
    const agree = el("button", { type: "button", class: "primary small", "data-testid": "proposal-agree" }, "Agree");
    const decline = el("button", { type: "button", class: "secondary small", "data-testid": "proposal-decline" }, "Decline…");
    const declineForm = el(
      "div",
      { class: "proposal-decline", hidden: "" },
      el("label", { for: reasonId }, "Why not ", el("span", { class: "req" }, "(required)")),
      reason,
      error,
      el("button", { type: "button", class: "danger small", "data-testid": "proposal-decline-confirm" }, "Decline the change"),
    );
    agree.addEventListener("click", () => void this.decide(item, "agree", {}));
    decline.addEventListener("click", () => {
      declineForm.hidden = false;
      reason.focus();
    });
    declineForm.querySelector("button")?.addEventListener("click", () => {
      const why = reason.value.trim();
      const problem = why === "" ? "Say why, so the clinician knows" : MARKUP_PATTERN.test(why) ? 'Remove the "<": text that looks like markup is refused' : "";
      setText(error, problem);
      if (problem !== "") {
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      void this.decide(item, "decline", { reason: why });
    });
    const lines = item.visits.length > 0 ? item.visits : ["No visits given, so it cannot be agreed here: decline it with a reason, and agree the new plan with the person"];
    agree.hidden = item.visits.length === 0;
    return el(
      "li",
      { class: "proposal", "data-proposal-id": item.proposal_id, "data-testid": "proposal" },
      el("p", { class: "proposal-title" }, `${item.person ?? "Someone"}: ${item.reason}`),
      el("ul", { class: "proposal-lines" }, ...lines.map((line) => el("li", {}, line))),
      item.declined.length > 0 ? el("p", { class: "hint" }, `Declined by the person: ${item.declined.join(", ")}`) : null,
      el("p", { class: "hint" }, `Proposed ${shortTime(item.proposed_at, now())}`),
      el("div", { class: "notice-actions" }, agree, decline),
      declineForm,
    );
  }

  private async decide(item: CarePlanProposal, decision: "agree" | "decline", body: { reason?: string }): Promise<void> {
    if (this.busy) return;
    const slot = `${item.proposal_id}/${decision}`;
    const key = this.keys.get(slot) ?? crypto.randomUUID();
    this.keys.set(slot, key);
    this.busy = true;
    const result = await decideProposal(item.proposal_id, decision, body, key);
    this.busy = false;
    if (result.ok || (result.failure.kind === "http" && result.failure.status !== 503)) this.keys.delete(slot);
    const who = item.person ?? "the person";
    if (result.ok) {
      this.say(decision === "agree" ? `Agreed for ${who}: the visits follow the new plan.` : `Declined for ${who}: the clinician is told why.`, "ok");
    } else if (result.failure.kind !== "auth") {
      this.say(`Not ${decision === "agree" ? "agreed" : "declined"}: ${describeFailure(result.failure)}`, "warning");
    }
    await this.load();
  }

  private say(message: string, kind: "ok" | "warning"): void {
    this.result.className = `decision-result ${kind}`;
    setText(this.result, message);
    this.result.focus();
  }
}
