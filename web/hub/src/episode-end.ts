/**
 * How a referral's episode ends or pauses, on its page (#/referral/<id>): a hospital stay (hospital-stay.ts); a clinician's discharge recommendation
 * shown until it is acted on; a hub clinician closes the episode with its outcome (from the
 * recommendation, or directly); the hub cancels a referral before first contact, with a reason. Each
 * action is shown only to the roles that may take it, in the states where it means something.
 */

import { byId, setText } from "../../shared/dist/dom.js";
import { cancelReferral, closeEpisode, describeFailure } from "./api.js";
import { fieldError, invalid, showFieldErrors } from "./field-errors.js";
import { HospitalStayPanel } from "./hospital-stay.js";
import { CANCELLABLE, CLOSABLE, OUTCOMES, outcomeLabel, shortTime } from "./labels.js";
import type { BoardRow, ReferralDetail } from "./model.js";
import { MARKUP_PATTERN } from "./rules.js";
import { now } from "./time.js";

export interface EpisodeEndDeps {
  /** The signed-in person's roles (the token's). */
  roles(): readonly string[];
  /** The referral changed here: the board should show it, and the page read it again. */
  onChanged(row: BoardRow | null): void;
}

const SUMMARY_LIMIT = 4000;
const REASON_LIMIT = 2000;

export class EpisodeEnd {
  private detail: ReferralDetail | null = null;
  private busy = false;
  /** The Idempotency-Key of the closing being attempted: made when the dialog opens, kept across retries. */
  private closingKey: string | null = null;
  private readonly section: HTMLElement;
  private readonly recommendation: HTMLElement;
  private readonly result: HTMLElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly closeDialog: HTMLDialogElement;
  private readonly outcome: HTMLSelectElement;
  private readonly summary: HTMLTextAreaElement;
  private readonly closeFrom: HTMLElement;
  private readonly cancelDialog: HTMLDialogElement;
  private readonly reason: HTMLTextAreaElement;
  private focusAfter: HTMLElement | null = null;
  private readonly stay: HospitalStayPanel;

  constructor(private readonly deps: EpisodeEndDeps) {
    this.section = byId("episode-end");
    this.recommendation = byId("discharge-recommendation");
    this.result = byId("episode-end-result");
    this.closeButton = byId("close-episode", HTMLButtonElement);
    this.cancelButton = byId("cancel-referral", HTMLButtonElement);
    this.closeDialog = byId("close-dialog", HTMLDialogElement);
    this.outcome = byId("close-outcome", HTMLSelectElement);
    this.summary = byId("close-summary", HTMLTextAreaElement);
    this.closeFrom = byId("close-from");
    this.cancelDialog = byId("cancel-dialog", HTMLDialogElement);
    this.reason = byId("cancel-reason", HTMLTextAreaElement);
    for (const [code, label] of OUTCOMES) this.outcome.add(new Option(label, code));
    this.stay = new HospitalStayPanel({
      roles: () => this.deps.roles(),
      onChanged: (row) => this.deps.onChanged(row),
      say: (message, kind) => this.say(message, kind),
    });

    this.closeButton.addEventListener("click", () => this.openClose());
    this.cancelButton.addEventListener("click", () => this.openCancel());
    byId("close-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doClose();
    });
    byId("cancel-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doCancel();
    });
    byId("close-back").addEventListener("click", () => this.closeDialog.close());
    byId("cancel-back").addEventListener("click", () => this.cancelDialog.close());
    for (const dialog of [this.closeDialog, this.cancelDialog]) {
      dialog.addEventListener("close", () => {
        const target = this.focusAfter ?? (dialog === this.closeDialog ? this.closeButton : this.cancelButton);
        this.focusAfter = null;
        target.focus();
      });
    }
    this.outcome.addEventListener("change", () => fieldError("close-outcome", ""));
    this.reason.addEventListener("input", () => {
      if (this.reason.value.trim() !== "") fieldError("cancel-reason", "");
    });
  }

  /** A new referral is shown: forget what was said about the last one. */
  reset(): void {
    this.detail = null;
    this.closingKey = null;
    this.result.className = "decision-result";
    setText(this.result, "");
  }

  hide(): void {
    this.stay.hide();
    if (this.closeDialog.open) this.closeDialog.close();
    if (this.cancelDialog.open) this.cancelDialog.close();
  }

  render(detail: ReferralDetail): void {
    this.detail = detail;
    const roles = this.deps.roles();
    const closes = roles.includes("hub-clinician") && CLOSABLE.includes(detail.status);
    const cancels = (roles.includes("hub-clinician") || roles.includes("hub-call-handler")) && CANCELLABLE.includes(detail.status);
    this.closeButton.hidden = !closes;
    this.cancelButton.hidden = !cancels;
    const recommended = detail.discharge_recommendation;
    this.recommendation.hidden = recommended === null;
    if (recommended !== null) {
      const said = recommended.summary !== "" ? `: “${recommended.summary}”` : "";
      setText(this.recommendation, `Discharge recommended by the clinician: ${outcomeLabel(recommended.outcome)}${said}`);
    }
    const stayShown = this.stay.render(detail);
    this.section.hidden = !closes && !cancels && !stayShown && recommended === null && this.result.textContent === "";
  }

  // ------------------------------------------------------------------ closing

  private openClose(): void {
    const detail = this.detail;
    if (detail === null) return;
    const recommended = detail.discharge_recommendation;
    fieldError("close-outcome", "");
    fieldError("close-summary", "");
    this.outcome.value = recommended?.outcome ?? "";
    this.summary.value = recommended?.summary ?? "";
    setText(this.closeFrom, recommended !== null ? "From the clinician's recommendation: change it if the outcome is different." : "");
    this.closingKey = crypto.randomUUID();
    this.closeDialog.showModal();
    this.outcome.focus();
  }

  private async doClose(): Promise<void> {
    const detail = this.detail;
    const key = this.closingKey;
    if (detail === null || key === null || this.busy) return;
    const outcome = this.outcome.value;
    const summary = this.summary.value.trim();
    if (outcome === "") return invalid("close-outcome", "Choose how the episode ended");
    if (summary.length > SUMMARY_LIMIT) return invalid("close-summary", `The summary must be ${SUMMARY_LIMIT} characters or fewer (${summary.length} now)`);
    if (MARKUP_PATTERN.test(summary)) return invalid("close-summary", 'Remove the "<": text that looks like markup is refused');
    const recommended = detail.discharge_recommendation;
    const body = recommended !== null ? { outcome, summary, recommendation_id: recommended.recommendation_id } : { outcome, summary };
    this.busy = true;
    const confirm = byId("close-confirm", HTMLButtonElement);
    confirm.setAttribute("aria-disabled", "true");
    const result = await closeEpisode(detail.episode_id, body, key);
    this.busy = false;
    confirm.removeAttribute("aria-disabled");
    if (result.ok) {
      this.closingKey = null;
      const cancelled = result.data.cancelled_visits.length;
      const visits = cancelled === 0 ? "No planned visits to cancel." : `${cancelled} planned visit${cancelled === 1 ? "" : "s"} cancelled; whoever held them is told.`;
      this.done(this.closeDialog, `Episode closed at ${shortTime(new Date(now()).toISOString())}: ${outcomeLabel(result.data.outcome)}. ${visits}`, "ok");
      this.deps.onChanged(null);
      return;
    }
    if (result.failure.kind === "auth") return;
    if (showFieldErrors(result.failure, { outcome: "close-outcome", summary: "close-summary", recommendation_id: "close-outcome" })) return;
    this.closingKey = null;
    this.done(this.closeDialog, `Not closed: ${describeFailure(result.failure)}`, "warning");
    this.deps.onChanged(null);
  }

  // ------------------------------------------------------------------ cancelling

  private openCancel(): void {
    fieldError("cancel-reason", "");
    this.cancelDialog.showModal();
    this.reason.focus();
  }

  private async doCancel(): Promise<void> {
    const detail = this.detail;
    if (detail === null || this.busy) return;
    const reason = this.reason.value.trim();
    if (reason === "") return invalid("cancel-reason", "Enter the reason for cancelling this referral");
    if (reason.length > REASON_LIMIT) return invalid("cancel-reason", `The reason must be ${REASON_LIMIT} characters or fewer (${reason.length} now)`);
    if (MARKUP_PATTERN.test(reason)) return invalid("cancel-reason", 'Remove the "<": text that looks like markup is refused');
    this.busy = true;
    const result = await cancelReferral(detail.referral_id, reason);
    this.busy = false;
    if (result.ok) {
      this.reason.value = "";
      this.done(this.cancelDialog, `Referral cancelled at ${shortTime(new Date(now()).toISOString())}. Its planned visits are cancelled.`, "ok");
      this.deps.onChanged(result.data);
      return;
    }
    if (result.failure.kind === "auth") return;
    if (showFieldErrors(result.failure, { reason: "cancel-reason" })) return;
    this.done(this.cancelDialog, `Not cancelled: ${describeFailure(result.failure)}`, "warning");
    this.deps.onChanged(null);
  }

  // ------------------------------------------------------------------ shared

  private done(dialog: HTMLDialogElement, message: string, kind: "ok" | "warning"): void {
    this.focusAfter = this.result;
    if (dialog.open) {
      this.show(message, kind);
      dialog.close();
    } else this.say(message, kind);
  }

  /** The outcome of an action, said where the focus goes. */
  private say(message: string, kind: "ok" | "warning"): void {
    this.show(message, kind);
    this.result.focus();
  }

  private show(message: string, kind: "ok" | "warning"): void {
    this.result.className = `decision-result ${kind}`;
    setText(this.result, message);
    this.section.hidden = false;
  }
}
