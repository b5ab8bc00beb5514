/**
 * A hospital stay, on a referral's page (#/referral/<id>): the hub records that the person is in
 * hospital (their visits are paused) and that they are home again (a reassessment comes before the
 * visits resume). Shown to hub call handlers and hub clinicians, for an accepted episode still open.
 */

import { byId, setText } from "../../shared/dist/dom.js";
import { describeFailure, recordAdmission, recordDischarge } from "./api.js";
import { fieldError, invalid, showFieldErrors } from "./field-errors.js";
import { CLOSABLE, longTime, shortTime } from "./labels.js";
import type { BoardRow, ReferralDetail } from "./model.js";
import { MARKUP_PATTERN } from "./rules.js";
import { now } from "./time.js";

export interface HospitalStayDeps {
  roles(): readonly string[];
  /** The referral changed here: the board should show it, and the page read it again. */
  onChanged(row: BoardRow | null): void;
  /** Where the outcome of an action is said (shared with the episode's other actions). */
  say(message: string, kind: "ok" | "warning"): void;
}

export class HospitalStayPanel {
  private detail: ReferralDetail | null = null;
  private busy = false;
  private readonly notice: HTMLElement;
  private readonly admit: HTMLButtonElement;
  private readonly discharge: HTMLButtonElement;
  private readonly dialog: HTMLDialogElement;
  private readonly hospital: HTMLInputElement;
  private readonly ward: HTMLInputElement;

  constructor(private readonly deps: HospitalStayDeps) {
    this.notice = byId("hospital-stay");
    this.admit = byId("record-admission", HTMLButtonElement);
    this.discharge = byId("record-discharge", HTMLButtonElement);
    this.dialog = byId("admission-dialog", HTMLDialogElement);
    this.hospital = byId("admission-hospital", HTMLInputElement);
    this.ward = byId("admission-ward", HTMLInputElement);
    this.admit.addEventListener("click", () => this.openAdmission());
    this.discharge.addEventListener("click", () => void this.doDischarge());
    byId("admission-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.doAdmission();
    });
    byId("admission-back").addEventListener("click", () => this.dialog.close());
    this.hospital.addEventListener("input", () => {
      if (this.hospital.value.trim() !== "") fieldError("admission-hospital", "");
    });
  }

  hide(): void {
    if (this.dialog.open) this.dialog.close();
  }

  /** Whether anything of the stay is shown (the section is hidden when nothing of it is). */
  render(detail: ReferralDetail): boolean {
    this.detail = detail;
    const roles = this.deps.roles();
    const records = (roles.includes("hub-call-handler") || roles.includes("hub-clinician")) && CLOSABLE.includes(detail.status);
    const stay = detail.hospital_stay;
    this.admit.hidden = !records || stay !== null;
    this.discharge.hidden = !records || stay === null;
    this.notice.hidden = stay === null;
    if (stay !== null) {
      const where = stay.ward !== null ? `${stay.hospital}, ${stay.ward}` : stay.hospital;
      setText(this.notice, `In hospital since ${longTime(stay.admitted_at)} (${where}): visits are paused.`);
    }
    return !this.admit.hidden || !this.discharge.hidden || stay !== null;
  }

  private openAdmission(): void {
    fieldError("admission-hospital", "");
    fieldError("admission-ward", "");
    this.dialog.showModal();
    this.hospital.focus();
  }

  private async doAdmission(): Promise<void> {
    const detail = this.detail;
    if (detail === null || this.busy) return;
    const hospital = this.hospital.value.trim();
    const ward = this.ward.value.trim();
    if (hospital === "") return invalid("admission-hospital", "Enter the hospital");
    if (hospital.length > 200) return invalid("admission-hospital", "The hospital must be 200 characters or fewer");
    if (ward.length > 200) return invalid("admission-ward", "The ward must be 200 characters or fewer");
    for (const [id, text] of [["admission-hospital", hospital], ["admission-ward", ward]] as const) {
      if (MARKUP_PATTERN.test(text)) return invalid(id, 'Remove the "<": text that looks like markup is refused');
    }
    this.busy = true;
    const result = await recordAdmission(detail.referral_id, ward === "" ? { hospital } : { hospital, ward });
    this.busy = false;
    if (result.ok) {
      this.hospital.value = "";
      this.ward.value = "";
      this.dialog.close();
      this.deps.say(`Admission recorded at ${shortTime(new Date(now()).toISOString())}: the visits not yet under way are cancelled.`, "ok");
      this.deps.onChanged(result.data);
      return;
    }
    if (result.failure.kind === "auth") return;
    if (showFieldErrors(result.failure, { hospital: "admission-hospital", ward: "admission-ward" })) return;
    this.dialog.close();
    this.deps.say(`Not recorded: ${describeFailure(result.failure)}`, "warning");
    this.deps.onChanged(null);
  }

  private async doDischarge(): Promise<void> {
    const detail = this.detail;
    if (detail === null || this.busy) return;
    this.busy = true;
    this.discharge.setAttribute("aria-disabled", "true");
    const result = await recordDischarge(detail.referral_id);
    this.busy = false;
    this.discharge.removeAttribute("aria-disabled");
    if (result.ok) {
      this.deps.say(`Discharge recorded at ${shortTime(new Date(now()).toISOString())}: a reassessment by the lead is planned within a day.`, "ok");
      this.deps.onChanged(result.data);
      return;
    }
    if (result.failure.kind === "auth") return;
    this.deps.say(`Not recorded: ${describeFailure(result.failure)}`, "warning");
    this.deps.onChanged(null);
  }
}
