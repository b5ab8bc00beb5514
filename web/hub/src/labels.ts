/** The domain's words as the hub says them (those the clinician app says too are in web/shared/src/words.ts). */

import { ACVPU, CLINICAL_FRAILTY_SCALE, LEAD_DISCIPLINES } from "../../shared/dist/words.js";

export const REFERRER_ROLES: ReadonlyArray<readonly [string, string]> = [
  ["gp", "GP"],
  ["ward-team", "Ward team"],
  ["ambulance-crew", "Ambulance crew"],
  ["care-home", "Care home"],
  ["nhs-111", "NHS 111"],
  ["community-team", "Community team"],
  ["social-worker", "Social worker"],
  ["family-or-carer", "Family or carer"],
  ["self", "Self-referral"],
];

/** The nine national 2-hour Urgent Community Response clinical needs. */
export const UCR_NEEDS: ReadonlyArray<readonly [string, string]> = [
  ["fall", "Fall (no serious injury)"],
  ["frailty-decompensation", "Decompensation of frailty"],
  ["reduced-function", "Reduced function / mobility"],
  ["urgent-equipment", "Urgent equipment"],
  ["palliative-crisis", "Palliative / end-of-life crisis"],
  ["urgent-catheter-care", "Urgent catheter care"],
  ["urgent-diabetes-support", "Urgent diabetes support"],
  ["carer-breakdown", "Unpaid carer breakdown"],
  ["confusion-delirium", "Confusion / delirium"],
];

export const OTHER_NEEDS: ReadonlyArray<readonly [string, string]> = [
  ["medication", "Medication"],
  ["discharge-support", "Discharge support"],
  ["reablement", "Reablement"],
  ["wound-care", "Wound care"],
  ["other", "Other"],
];

const NEEDS = new Map<string, string>([...UCR_NEEDS, ...OTHER_NEEDS]);
const UCR = new Set<string>(UCR_NEEDS.map(([code]) => code));

export function needLabel(code: string): string {
  return NEEDS.get(code) ?? code;
}

export function isUcrNeed(code: string): boolean {
  return UCR.has(code);
}

export const TIERS: ReadonlyArray<readonly [string, string]> = [
  ["ucr-2h", "UCR 2 h"],
  ["rapid", "Rapid < 3 h"],
  ["fast", "Fast < 1 day"],
  ["normal", "Normal < 3 days"],
];

export function tierLabel(tier: string | null): string {
  if (tier === null) return "Awaiting triage";
  return TIERS.find(([code]) => code === tier)?.[1] ?? tier;
}

export const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["step-up", "Step-up"],
  ["step-down", "Step-down"],
];

export function routeLabel(route: string | null): string {
  if (route === null) return "—";
  return ROUTES.find(([code]) => code === route)?.[1] ?? route;
}

const STATUS_LABELS: Record<string, string> = {
  received: "Received",
  triaged: "Triaged",
  accepted: "Accepted",
  "first-visit-planned": "First visit planned",
  "first-contact-made": "First contact made",
  rejected: "Rejected",
  cancelled: "Cancelled",
  closed: "Closed",
};

/** How an episode ends (carerelay_contract.vocabulary.EpisodeOutcome), in the hub's words. */
export const OUTCOMES: ReadonlyArray<readonly [string, string]> = [
  ["no-further-services", "Home, no further services"],
  ["ongoing-care-package", "Onward care package"],
  ["admitted-to-hospital", "Admitted to hospital"],
  ["community-bed", "Moved to a community bed"],
  ["long-term-residential-care", "Long-term residential care"],
  ["transferred-to-other-service", "Transferred to another service"],
  ["declined-service", "Declined the service"],
  ["died", "Died"],
];

export function outcomeLabel(outcome: string | null): string {
  if (outcome === null) return "—";
  return OUTCOMES.find(([code]) => code === outcome)?.[1] ?? outcome;
}

/** Statuses from which the hub may still cancel a referral (before first contact). */
export const CANCELLABLE: readonly string[] = ["received", "triaged", "accepted", "first-visit-planned"];
/** Statuses in which an accepted episode is open and may be closed with an outcome. */
export const CLOSABLE: readonly string[] = ["accepted", "first-visit-planned", "first-contact-made"];

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

export function leadLabel(lead: string | null): string {
  if (lead === null) return "—";
  return LEAD_DISCIPLINES[lead] ?? lead;
}

/** The county's teams and localities (services/referral/carerelay_referral/localities.py). Filters
 * also offer any other value seen on the board. */
export const KNOWN_TEAMS: readonly string[] = ["north", "riverside", "east"];
export const KNOWN_LOCALITIES: readonly string[] = [
  "Northgate Central",
  "Northgate South",
  "Riverside West",
  "Riverside North",
  "Eastfield",
  "Eastfield Villages",
  "Eastfield Rural",
];

/** ACVPU as the form offers it and the referral shows it: "A: Alert". */
export const CONSCIOUSNESS: ReadonlyArray<readonly [string, string]> = Object.entries(ACVPU).map(([code, word]) => [code, `${code}: ${word}`]);

/** The Clinical Frailty Scale, 1 to 9 (integer keys come out in order). */
export const FRAILTY: ReadonlyArray<readonly [string, string]> = Object.entries(CLINICAL_FRAILTY_SCALE);

const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false });
const DAY = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short" });
const FULL = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** "14:32" today, "Tue 3 Jun 14:32" otherwise. */
export function shortTime(iso: string | null, nowMs: number = Date.now()): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const date = new Date(ms);
  const today = new Date(nowMs);
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? TIME.format(date) : `${DAY.format(date)} ${TIME.format(date)}`;
}

export function longTime(iso: string | null): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : FULL.format(new Date(ms));
}

/** "2 Apr 1938" from "1938-04-02", without time-zone shifts. */
export function dateOfBirth(iso: string | null): string {
  if (iso === null) return "—";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) return iso;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${Number(match[3])} ${months[Number(match[2]) - 1] ?? match[2]} ${match[1]}`;
}
