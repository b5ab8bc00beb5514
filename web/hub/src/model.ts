/** What the referral API returns, decoded defensively from unknown JSON (no `any`). */

import { isRecord, str, strings } from "../../shared/dist/json.js";

export const OPEN_STATUSES = ["received", "triaged", "accepted", "first-visit-planned"] as const;
export const CLOSED_STATUSES = ["rejected", "cancelled", "closed", "first-contact-made"] as const;
/** Only these can still be accepted or rejected (others answer 409). */
export const UNDECIDED_STATUSES = ["received", "triaged"] as const;

export function isUndecided(status: string): boolean {
  return (UNDECIDED_STATUSES as readonly string[]).includes(status);
}

export function isClosedStatus(status: string): boolean {
  return (CLOSED_STATUSES as readonly string[]).includes(status);
}

/** Whether a row already shows what a live event says happened. The live stream (notifications)
 * can announce an event a moment before the referral service has applied it, so a screen that reads
 * the referral again on the event may read it too early: then it reads again, a little later.
 * Events the row does not show count as shown. */
export function rowShows(row: BoardRow, eventType: string): boolean {
  switch (eventType) {
    case "triage.completed":
    case "triage.overridden":
      return row.tier !== null;
    case "referral.accepted":
    case "referral.rejected":
    case "referral.cancelled":
      return !isUndecided(row.status);
    case "visit.assigned":
      return row.first_visit_planned_start !== null;
    case "visit.started":
      return row.first_contact_at !== null;
    case "discharge.recommended":
      return row.discharge_recommendation !== null || row.status === "closed";
    case "episode.closed":
      return row.status === "closed";
    default:
      return true;
  }
}

/** How long to wait before reading again a row that does not yet show an event (then give up:
 * the next event, or a reconnect, reads it again anyway). */
export const READ_AGAIN_AFTER_MS = [150, 300, 600, 1200, 2400, 4800] as const;

export interface PatientSummary {
  readonly name: string | null;
  readonly nhs_number: string | null;
  readonly date_of_birth: string | null;
}

export interface BoardRow {
  readonly referral_id: string;
  readonly episode_id: string;
  readonly status: string;
  readonly route: string | null;
  readonly received_at: string | null;
  readonly tier: string | null;
  readonly lead_discipline: string | null;
  readonly first_contact_deadline: string | null;
  readonly clock: string | null;
  readonly team: string | null;
  readonly locality: string | null;
  readonly presenting_needs: readonly string[];
  readonly first_visit_planned_start: string | null;
  readonly first_contact_at: string | null;
  readonly patient: PatientSummary;
  /** Who accepted or rejected it, and why it was rejected (when decided). */
  readonly decided_by: string | null;
  readonly rejection_reason: string | null;
  readonly cancellation_reason: string | null;
  /** A clinician's discharge recommendation, until the episode is closed (the hub closes it from this). */
  readonly discharge_recommendation: DischargeRecommendation | null;
  /** How the episode ended, once closed. */
  readonly outcome: string | null;
  /** While the person is in hospital. */
  readonly hospital_stay: HospitalStay | null;
}

export interface HospitalStay {
  readonly hospital: string;
  readonly ward: string | null;
  readonly admitted_at: string;
}

function stayOf(value: unknown): HospitalStay | null {
  if (!isRecord(value)) return null;
  const hospital = str(value["hospital"]);
  const at = str(value["admitted_at"]);
  if (hospital === null || at === null) return null;
  return { hospital, ward: str(value["ward"]), admitted_at: at };
}

export interface DischargeRecommendation {
  readonly recommendation_id: string;
  readonly outcome: string;
  readonly summary: string;
}

function recommendationOf(value: unknown): DischargeRecommendation | null {
  if (!isRecord(value)) return null;
  const id = str(value["recommendation_id"]);
  const outcome = str(value["outcome"]);
  if (id === null || outcome === null) return null;
  return { recommendation_id: id, outcome, summary: str(value["summary"]) ?? "" };
}

export interface ReferralDetail extends BoardRow {
  /** The full submitted payload (whatever the API stored), or null if not shown to this user. */
  readonly referral: Record<string, unknown> | null;
}

export interface TimelineItem {
  readonly at: string | null;
  readonly type: string;
  readonly summary: string;
}

export interface Practice {
  readonly code: string;
  readonly name: string;
}

function patientOf(value: unknown, referral: Record<string, unknown> | null): PatientSummary {
  if (isRecord(value)) {
    return {
      name: str(value["name"]),
      nhs_number: str(value["nhs_number"]),
      date_of_birth: str(value["date_of_birth"]),
    };
  }
  // Fallback: the full payload, if present, names the patient.
  const submitted = referral !== null && isRecord(referral["patient"]) ? referral["patient"] : null;
  if (submitted !== null) {
    const given = str(submitted["given_name"]) ?? "";
    const family = str(submitted["family_name"]) ?? "";
    const name = `${given} ${family}`.trim();
    return {
      name: name === "" ? null : name,
      nhs_number: str(submitted["nhs_number"]),
      date_of_birth: str(submitted["date_of_birth"]),
    };
  }
  return { name: null, nhs_number: null, date_of_birth: null };
}

export function decodeBoardRow(value: unknown): BoardRow | null {
  if (!isRecord(value)) return null;
  const referralId = str(value["referral_id"]);
  const status = str(value["status"]);
  if (referralId === null || status === null) return null;
  const referral = isRecord(value["referral"]) ? value["referral"] : null;
  const needs = value["presenting_needs"] !== undefined ? strings(value["presenting_needs"]) : strings(referral?.["presenting_needs"]);
  return {
    referral_id: referralId,
    episode_id: str(value["episode_id"]) ?? "",
    status,
    route: str(value["route"]),
    received_at: str(value["received_at"]),
    tier: str(value["tier"]),
    lead_discipline: str(value["lead_discipline"]),
    first_contact_deadline: str(value["first_contact_deadline"]),
    clock: str(value["clock"]),
    team: str(value["team"]),
    locality: str(value["locality"]),
    presenting_needs: needs,
    first_visit_planned_start: str(value["first_visit_planned_start"]),
    first_contact_at: str(value["first_contact_at"]),
    patient: patientOf(value["patient"], referral),
    decided_by: str(value["decided_by"]),
    rejection_reason: str(value["rejection_reason"]),
    cancellation_reason: str(value["cancellation_reason"]),
    discharge_recommendation: recommendationOf(value["discharge_recommendation"]),
    outcome: str(value["outcome"]),
    hospital_stay: stayOf(value["hospital_stay"]),
  };
}

export function decodeReferralDetail(value: unknown): ReferralDetail | null {
  const row = decodeBoardRow(value);
  if (row === null || !isRecord(value)) return null;
  return { ...row, referral: isRecord(value["referral"]) ? value["referral"] : null };
}

/** The `items` list of a list response, or null when the body is not one. */
function itemsOf(value: unknown): unknown[] | null {
  return isRecord(value) && Array.isArray(value["items"]) ? value["items"] : null;
}

export function decodeBoardRows(value: unknown): BoardRow[] | null {
  const items = itemsOf(value);
  if (items === null) return null;
  return items.map(decodeBoardRow).filter((row): row is BoardRow => row !== null);
}

export function decodeTimeline(value: unknown): TimelineItem[] | null {
  const list = itemsOf(value);
  if (list === null) return null;
  const items: TimelineItem[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    items.push({
      at: str(item["at"]),
      type: str(item["type"]) ?? "event",
      summary: str(item["summary"]) ?? "",
    });
  }
  return items;
}

export function decodePractices(value: unknown): Practice[] | null {
  const list = itemsOf(value);
  if (list === null) return null;
  const practices: Practice[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const code = str(item["code"]);
    const name = str(item["name"]);
    if (code !== null) practices.push({ code, name: name ?? "" });
  }
  return practices;
}
