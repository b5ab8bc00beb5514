/** What the scheduling API returns for the app, decoded defensively from unknown JSON (no `any`). */

import { isRecord, num, str, strings } from "../../shared/dist/json.js";

export type VisitStatus = "assigned" | "en-route" | "in-progress" | "completed" | "missed" | "cancelled" | "planned";

export interface Person {
  readonly given_name: string;
  readonly family_name: string;
  readonly address: string;
  readonly postcode: string;
  readonly access_notes: string;
  readonly reason: string;
  readonly known_risks: string;
}

export interface Score {
  readonly score: number;
  readonly band: string;
}

export interface VisitRecord {
  readonly en_route_at: string | null;
  readonly arrived_at: string | null;
  readonly running_late_minutes: number | null;
  readonly completed_at: string | null;
  readonly missed_at: string | null;
  readonly missed_reason: string | null;
  readonly tasks_done: readonly string[];
  readonly notes: readonly string[];
  readonly concerns: string;
  readonly news2: Score | null;
}

export interface LastVisit {
  readonly visit_id: string;
  readonly by: string | null;
  readonly finished_at: string | null;
  readonly outcome: string;
  readonly missed_reason: string | null;
  readonly tasks_done: readonly string[];
  readonly notes: readonly string[];
  readonly concerns: string;
  readonly news2: Score | null;
}

export interface Visit {
  readonly visit_id: string;
  readonly episode_id: string;
  readonly status: VisitStatus;
  readonly purpose: string;
  readonly discipline: string;
  readonly lead_discipline: string | null;
  readonly planned_start: string | null;
  readonly duration_minutes: number;
  readonly tasks: readonly string[];
  readonly double_handed: boolean;
  readonly with: string | null;
  readonly person: Person | null;
  readonly record: VisitRecord;
  readonly last_visit: LastVisit | null;
}

export interface Day {
  readonly day: string;
  readonly staff_id: string | null;
  readonly generated_at: string;
  readonly visits: readonly Visit[];
}

const STATUSES: readonly VisitStatus[] = ["assigned", "en-route", "in-progress", "completed", "missed", "cancelled", "planned"];

function score(value: unknown): Score | null {
  if (!isRecord(value)) return null;
  const s = num(value["score"]);
  const band = str(value["band"]);
  return s === null || band === null ? null : { score: s, band };
}

function person(value: unknown): Person | null {
  if (!isRecord(value)) return null;
  const text = (key: string): string => str(value[key]) ?? "";
  return {
    given_name: text("given_name"),
    family_name: text("family_name"),
    address: text("address"),
    postcode: text("postcode"),
    access_notes: text("access_notes"),
    reason: text("reason"),
    known_risks: text("known_risks"),
  };
}

function record(value: unknown): VisitRecord {
  const r = isRecord(value) ? value : {};
  return {
    en_route_at: str(r["en_route_at"]),
    arrived_at: str(r["arrived_at"]),
    running_late_minutes: num(r["running_late_minutes"]),
    completed_at: str(r["completed_at"]),
    missed_at: str(r["missed_at"]),
    missed_reason: str(r["missed_reason"]),
    tasks_done: strings(r["tasks_done"]),
    notes: strings(r["notes"]),
    concerns: str(r["concerns"]) ?? "",
    news2: score(r["news2"]),
  };
}

function lastVisit(value: unknown): LastVisit | null {
  if (!isRecord(value)) return null;
  const id = str(value["visit_id"]);
  if (id === null) return null;
  return {
    visit_id: id,
    by: str(value["by"]),
    finished_at: str(value["finished_at"]),
    outcome: str(value["outcome"]) ?? "completed",
    missed_reason: str(value["missed_reason"]),
    tasks_done: strings(value["tasks_done"]),
    notes: strings(value["notes"]),
    concerns: str(value["concerns"]) ?? "",
    news2: score(value["news2"]),
  };
}

export function decodeVisit(value: unknown): Visit | null {
  if (!isRecord(value)) return null;
  const id = str(value["visit_id"]);
  const episode = str(value["episode_id"]);
  const status = str(value["status"]);
  if (id === null || episode === null || status === null) return null;
  return {
    visit_id: id,
    episode_id: episode,
    status: (STATUSES as readonly string[]).includes(status) ? (status as VisitStatus) : "assigned",
    purpose: str(value["purpose"]) ?? "care",
    discipline: str(value["discipline"]) ?? "",
    lead_discipline: str(value["lead_discipline"]),
    planned_start: str(value["planned_start"]),
    duration_minutes: num(value["duration_minutes"]) ?? 30,
    tasks: strings(value["tasks"]),
    double_handed: value["double_handed"] === true,
    with: str(value["with"]),
    person: person(value["person"]),
    record: record(value["record"]),
    last_visit: lastVisit(value["last_visit"]),
  };
}

export function decodeDay(value: unknown): Day | null {
  if (!isRecord(value) || !Array.isArray(value["visits"])) return null;
  return {
    day: str(value["day"]) ?? "",
    staff_id: str(value["staff_id"]),
    generated_at: str(value["generated_at"]) ?? new Date().toISOString(),
    visits: value["visits"].map(decodeVisit).filter((v): v is Visit => v !== null),
  };
}

export function personName(visit: Visit): string {
  return visit.person === null ? "Person not yet known" : `${visit.person.given_name} ${visit.person.family_name}`.trim();
}
