/**
 * The response clock on the board: time left to the first-contact deadline, and its colour rule.
 * Amber when at least 75% of the allowed time (received_at -> deadline) has gone without first
 * contact, or the server says "at-risk". Red when past the deadline, or the server says "breached".
 * The text always says the state too (never colour alone).
 */

export type ClockLevel = "none" | "ok" | "amber" | "red" | "met";

export interface ClockInput {
  readonly received_at: string | null;
  readonly first_contact_deadline: string | null;
  readonly clock: string | null;
  readonly first_contact_at: string | null;
  /** In hospital: triage has stopped the clock. */
  readonly hospital_stay?: unknown;
}

export interface ClockView {
  readonly level: ClockLevel;
  /** What the cell shows, e.g. "1:35:00", "AT RISK 0:25:10", "BREACHED +0:03:12". */
  readonly text: string;
  /** A fuller phrase for assistive technology, e.g. "at risk, 25 minutes 10 seconds left". */
  readonly description: string;
}

export const AMBER_FRACTION = 0.75;

/** h:mm:ss of an absolute duration, whole seconds (hours may exceed 24). */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return `${hours}:${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}

function spoken(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (minutes > 0) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (hours === 0) parts.push(`${seconds} second${seconds === 1 ? "" : "s"}`);
  return parts.join(" ");
}

function parseTime(iso: string | null): number | null {
  if (iso === null || iso === "") return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export function clockView(input: ClockInput, nowMs: number): ClockView {
  if (input.first_contact_at !== null || input.clock === "met") {
    return { level: "met", text: "MET", description: "first contact made" };
  }
  if (input.hospital_stay !== undefined && input.hospital_stay !== null) {
    return { level: "none", text: "STOPPED: in hospital", description: "stopped: the person is in hospital" };
  }
  const deadline = parseTime(input.first_contact_deadline);
  if (deadline === null) {
    if (input.clock === "breached") return { level: "red", text: "BREACHED", description: "breached" };
    if (input.clock === "at-risk") return { level: "amber", text: "AT RISK", description: "at risk" };
    return { level: "none", text: "No deadline yet", description: "no deadline yet" };
  }
  const remaining = deadline - nowMs;
  if (remaining < 0) {
    return {
      level: "red",
      text: `BREACHED +${formatDuration(remaining)}`,
      description: `breached, ${spoken(remaining)} over the deadline`,
    };
  }
  if (input.clock === "breached") {
    return { level: "red", text: `BREACHED ${formatDuration(remaining)}`, description: "breached" };
  }
  const received = parseTime(input.received_at);
  const allowed = received === null ? 0 : deadline - received;
  const elapsedShare = allowed > 0 && received !== null ? (nowMs - received) / allowed : 0;
  if (input.clock === "at-risk" || elapsedShare >= AMBER_FRACTION) {
    return {
      level: "amber",
      text: `AT RISK ${formatDuration(remaining)}`,
      description: `at risk, ${spoken(remaining)} left`,
    };
  }
  return { level: "ok", text: formatDuration(remaining), description: `${spoken(remaining)} left` };
}

/** Sort key for the board: soonest deadline first; no deadline last, oldest received first. */
export function compareByDeadline(a: ClockInput, b: ClockInput): number {
  const da = parseTime(a.first_contact_deadline);
  const db = parseTime(b.first_contact_deadline);
  if (da !== null && db !== null && da !== db) return da - db;
  if (da !== null && db === null) return -1;
  if (da === null && db !== null) return 1;
  const ra = parseTime(a.received_at) ?? Number.MAX_SAFE_INTEGER;
  const rb = parseTime(b.received_at) ?? Number.MAX_SAFE_INTEGER;
  return ra - rb;
}
