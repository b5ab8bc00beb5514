/** The referral API over fetch: bearer token, JSON, errors decoded, 401 handed to sign-in. */

import { isRecord, str, strings } from "../../shared/dist/json.js";
import {
  type BoardRow,
  type Practice,
  type ReferralDetail,
  type TimelineItem,
  decodeBoardRow,
  decodeBoardRows,
  decodePractices,
  decodeReferralDetail,
  decodeTimeline,
} from "./model.js";
import {
  type DayPlan,
  type PlanRun,
  type PlanVisit,
  decodeDayPlan,
  decodePinResult,
  decodeRunResult,
} from "./plan-model.js";
import { signIn } from "./sign-in.js";
import { noteServerDate } from "./time.js";

export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

export type ApiFailure =
  | { readonly kind: "network"; readonly message: string }
  | { readonly kind: "aborted" }
  /** Not signed in, or the API said 401: sign-in has been started (the draft is kept). */
  | { readonly kind: "auth" }
  | { readonly kind: "http"; readonly status: number; readonly detail: string; readonly errors: readonly FieldError[] }
  /** The API answered 2xx but not with what the contract says. */
  | { readonly kind: "unexpected"; readonly status: number };

export type ApiResult<T> = { readonly ok: true; readonly status: number; readonly data: T } | { readonly ok: false; readonly failure: ApiFailure };

type UnauthorisedHandler = () => void;
let unauthorised: UnauthorisedHandler = () => undefined;

/** What to do on a 401 (the app saves the draft, clears the token and signs in again). */
export function setUnauthorisedHandler(handler: UnauthorisedHandler): void {
  unauthorised = handler;
}

/** Whether a failed send may simply be retried with the same Idempotency-Key. */
export function isRetryable(failure: ApiFailure): boolean {
  if (failure.kind === "network") return true;
  if (failure.kind === "http") return [408, 425, 429, 500, 502, 503, 504].includes(failure.status);
  return false;
}

export function describeFailure(failure: ApiFailure): string {
  switch (failure.kind) {
    case "network":
      return "The hub could not be reached (network problem).";
    case "aborted":
      return "Cancelled.";
    case "auth":
      return "Your sign-in has ended; signing in again.";
    case "unexpected":
      return `The hub answered in a way this screen does not understand (HTTP ${failure.status}).`;
    case "http":
      if (failure.status === 403) return `Not allowed: ${failure.detail}`;
      if (failure.status === 404) return `Not found: ${failure.detail}`;
      if (failure.status === 409) return failure.detail;
      if (failure.status >= 500) return `The hub had a problem (HTTP ${failure.status}). ${failure.detail}`.trim();
      return failure.detail;
  }
}

function decodeErrors(body: unknown): FieldError[] {
  if (!isRecord(body) || !Array.isArray(body["errors"])) return [];
  const errors: FieldError[] = [];
  for (const item of body["errors"]) {
    if (!isRecord(item)) continue;
    errors.push({ field: str(item["field"]) ?? "(body)", reason: str(item["reason"]) ?? "invalid" });
  }
  return errors;
}

interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResult<unknown>> {
  const current = signIn.session();
  if (current === null) {
    unauthorised();
    return { ok: false, failure: { kind: "auth" } };
  }
  const headers: Record<string, string> = {
    Accept: "application/json",
    Authorization: `Bearer ${current.token}`,
    ...options.headers,
  };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const controller = new AbortController();
  const timeout = window.setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort();
  outer?.addEventListener("abort", onOuterAbort);
  const sentAt = Date.now();
  let response: Response;
  try {
    const init: RequestInit = { method, headers, signal: controller.signal, cache: "no-store", credentials: "same-origin" };
    if (body !== undefined) init.body = body;
    response = await fetch(path, init);
  } catch {
    if (outer?.aborted === true) return { ok: false, failure: { kind: "aborted" } };
    return { ok: false, failure: { kind: "network", message: "network error" } };
  } finally {
    window.clearTimeout(timeout);
    outer?.removeEventListener("abort", onOuterAbort);
  }
  noteServerDate(response.headers.get("Date"), sentAt, Date.now());
  if (response.status === 401) {
    unauthorised();
    return { ok: false, failure: { kind: "auth" } };
  }
  let data: unknown = null;
  try {
    const text = await response.text();
    data = text === "" ? null : JSON.parse(text);
  } catch {
    if (outer?.aborted === true) return { ok: false, failure: { kind: "aborted" } };
    data = null;
  }
  if (!response.ok) {
    const detail = isRecord(data) ? str(data["detail"]) : null;
    return {
      ok: false,
      failure: { kind: "http", status: response.status, detail: detail ?? `HTTP ${response.status}`, errors: decodeErrors(data) },
    };
  }
  return { ok: true, status: response.status, data };
}

function mapped<T>(result: ApiResult<unknown>, decode: (data: unknown) => T | null): ApiResult<T> {
  if (!result.ok) return result;
  const value = decode(result.data);
  if (value === null) return { ok: false, failure: { kind: "unexpected", status: result.status } };
  return { ok: true, status: result.status, data: value };
}

const BASE = "/api/referral";

export async function submitReferral(payload: unknown, idempotencyKey: string): Promise<ApiResult<BoardRow>> {
  const result = await request("POST", `${BASE}/referrals`, { body: payload, headers: { "Idempotency-Key": idempotencyKey } });
  return mapped(result, decodeBoardRow);
}

export async function addToReferral(referralId: string, payload: unknown, idempotencyKey: string): Promise<ApiResult<BoardRow>> {
  const result = await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/additions`, {
    body: payload,
    headers: { "Idempotency-Key": idempotencyKey },
  });
  return mapped(result, decodeBoardRow);
}

export async function searchPractices(query: string, signal: AbortSignal): Promise<ApiResult<Practice[]>> {
  const result = await request("GET", `${BASE}/practices?${new URLSearchParams({ q: query }).toString()}`, { signal, timeoutMs: 8000 });
  return mapped(result, decodePractices);
}

/**
 * Open referrals for this person. POST /open-episodes/search keeps the NHS number out of URLs (and
 * so out of proxy logs); GET /open-episodes?nhs_number= is the older form, used only if the POST
 * route is not there (404/405).
 */
export async function openEpisodes(nhsNumber: string, signal: AbortSignal): Promise<ApiResult<BoardRow[]>> {
  const result = await request("POST", `${BASE}/open-episodes/search`, { body: { nhs_number: nhsNumber }, signal, timeoutMs: 10_000 });
  if (!result.ok && result.failure.kind === "http" && (result.failure.status === 404 || result.failure.status === 405)) {
    const fallback = await request("GET", `${BASE}/open-episodes?${new URLSearchParams({ nhs_number: nhsNumber }).toString()}`, {
      signal,
      timeoutMs: 10_000,
    });
    return mapped(fallback, decodeBoardRows);
  }
  return mapped(result, decodeBoardRows);
}

export interface BoardFilters {
  readonly tier: string;
  readonly route: string;
  readonly team: string;
  readonly locality: string;
}

export async function listOpenReferrals(filters: BoardFilters, signal?: AbortSignal): Promise<ApiResult<BoardRow[]>> {
  const params = new URLSearchParams({ open: "true" });
  for (const name of ["tier", "route", "team", "locality"] as const) {
    if (filters[name] !== "") params.set(name, filters[name]);
  }
  params.set("limit", "200");
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${BASE}/referrals?${params.toString()}`, options), decodeBoardRows);
}

export async function getReferral(referralId: string, signal?: AbortSignal): Promise<ApiResult<ReferralDetail>> {
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${BASE}/referrals/${encodeURIComponent(referralId)}`, options), decodeReferralDetail);
}

export async function getTimeline(referralId: string, signal?: AbortSignal): Promise<ApiResult<TimelineItem[]>> {
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${BASE}/referrals/${encodeURIComponent(referralId)}/timeline`, options), decodeTimeline);
}

export async function acceptReferral(referralId: string): Promise<ApiResult<BoardRow>> {
  return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/accept`, { body: {} }), decodeBoardRow);
}

export async function rejectReferral(referralId: string, reason: string): Promise<ApiResult<BoardRow>> {
  return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/reject`, { body: { reason } }), decodeBoardRow);
}

// ------------------------------------------------------------------ notifications (/api/notifications): who was told

/** The referrer's notice of the hub's decision, as notifications sent it (or is sending it). */
export interface ReferrerNotice {
  readonly template: string;
  readonly audience: string;
  readonly channel: string;
  readonly status: string;
  readonly requested_at: string;
  readonly delivered_at: string | null;
  readonly last_error: string | null;
}

const DECISION_TEMPLATES = ["referral-accepted", "referral-rejected"];

export function decodeReferrerNotices(data: unknown): ReferrerNotice[] | null {
  if (!isRecord(data) || !Array.isArray(data["items"])) return null;
  const found: ReferrerNotice[] = [];
  for (const item of data["items"]) {
    if (!isRecord(item)) continue;
    const template = str(item["template"]);
    const at = str(item["requested_at"]);
    if (template === null || at === null || !DECISION_TEMPLATES.includes(template)) continue;
    found.push({
      template,
      audience: str(item["audience"]) ?? "",
      channel: str(item["channel"]) ?? "",
      status: str(item["status"]) ?? "",
      requested_at: at,
      delivered_at: str(item["delivered_at"]),
      last_error: str(item["last_error"]),
    });
  }
  return found;
}

/** The referrer's notices of the episode (the hub may read who was told what in its episodes). */
export async function getReferrerNotices(episodeId: string, signal?: AbortSignal): Promise<ApiResult<ReferrerNotice[]>> {
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  const query = new URLSearchParams({ episode_id: episodeId, limit: "200" }).toString();
  return mapped(await request("GET", `/api/notifications/messages?${query}`, options), decodeReferrerNotices);
}

// ------------------------------------------------------------------ triage (/api/triage)

const TRIAGE = "/api/triage";

export interface TriageDecision {
  readonly referral_id: string;
  readonly episode_id: string;
  readonly decided_at: string | null;
  readonly tier: string;
  readonly lead_discipline: string;
  readonly route: string | null;
  readonly care_setting: string | null;
  readonly first_contact_deadline: string | null;
  readonly news2_score: number | null;
  readonly rules_version: string | null;
  readonly rules_fired: readonly string[];
  readonly overridden: boolean;
}

export function decodeTriageDecision(data: unknown): TriageDecision | null {
  if (!isRecord(data)) return null;
  const referralId = str(data["referral_id"]);
  const episodeId = str(data["episode_id"]);
  const tier = str(data["tier"]);
  const lead = str(data["lead_discipline"]);
  if (referralId === null || episodeId === null || tier === null || lead === null) return null;
  const fired = Array.isArray(data["rules_fired"]) ? data["rules_fired"].filter((r): r is string => typeof r === "string") : [];
  const score = data["news2_score"];
  const version = data["rules_version"];
  return {
    referral_id: referralId,
    episode_id: episodeId,
    decided_at: str(data["decided_at"]),
    tier,
    lead_discipline: lead,
    route: str(data["route"]),
    care_setting: str(data["care_setting"]),
    first_contact_deadline: str(data["first_contact_deadline"]),
    news2_score: typeof score === "number" ? score : null,
    rules_version: typeof version === "number" ? String(version) : str(version),
    rules_fired: fired,
    overridden: data["overridden"] === true,
  };
}

export async function getTriageDecision(referralId: string, signal?: AbortSignal): Promise<ApiResult<TriageDecision>> {
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${TRIAGE}/referrals/${encodeURIComponent(referralId)}`, options), decodeTriageDecision);
}

export async function overrideTriage(
  referralId: string,
  body: { tier: string; lead_discipline: string; reason: string },
): Promise<ApiResult<TriageDecision>> {
  return mapped(await request("POST", `${TRIAGE}/referrals/${encodeURIComponent(referralId)}/override`, { body }), decodeTriageDecision);
}

// ------------------------------------------------------------------ scheduling (/api/scheduling): the episode and the coordinator's plan

const SCHEDULING = "/api/scheduling";

/** The lead handed to another discipline, as scheduling (which owns the episode) recorded it. */
export interface LeadTransfer {
  readonly episode_id: string;
  readonly from_discipline: string;
  readonly to_discipline: string;
  readonly transferred_at: string;
}

export function decodeLeadTransfer(data: unknown): LeadTransfer | null {
  if (!isRecord(data)) return null;
  const episodeId = str(data["episode_id"]);
  const from = str(data["from_discipline"]);
  const to = str(data["to_discipline"]);
  const at = str(data["transferred_at"]);
  if (episodeId === null || from === null || to === null || at === null) return null;
  return { episode_id: episodeId, from_discipline: from, to_discipline: to, transferred_at: at };
}

/** Hand the episode's lead to another discipline without a new referral (scheduling plans the new lead's assessment). */
export async function transferLead(episodeId: string, body: { to_discipline: string; reason: string }): Promise<ApiResult<LeadTransfer>> {
  return mapped(await request("POST", `${SCHEDULING}/episodes/${encodeURIComponent(episodeId)}/lead`, { body }), decodeLeadTransfer);
}

/** What closing an episode did, as scheduling (which owns the episode) recorded it. */
export interface EpisodeClosing {
  readonly outcome: string;
  readonly cancelled_visits: readonly string[];
  readonly recorded_at: string;
}

export function decodeEpisodeClosing(data: unknown): EpisodeClosing | null {
  if (!isRecord(data)) return null;
  const outcome = str(data["outcome"]);
  const at = str(data["recorded_at"]);
  if (outcome === null || at === null) return null;
  return { outcome, cancelled_visits: strings(data["cancelled_visits"]), recorded_at: at };
}

/** Close the episode with its outcome (from the recommendation when one is named). `key` is made once per
 * attempt, so a retry after a lost answer closes nothing twice. */
export async function closeEpisode(
  episodeId: string,
  body: { outcome: string; summary: string; recommendation_id?: string },
  key: string,
): Promise<ApiResult<EpisodeClosing>> {
  const path = `${SCHEDULING}/episodes/${encodeURIComponent(episodeId)}/close`;
  return mapped(await request("POST", path, { body, headers: { "Idempotency-Key": key } }), decodeEpisodeClosing);
}

/** Cancel the referral before first contact, with a reason (its planned visits are cancelled). */
export async function cancelReferral(referralId: string, reason: string): Promise<ApiResult<BoardRow>> {
  return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/cancel`, { body: { reason } }), decodeBoardRow);
}

/** The person is in hospital: scheduling pauses their visits. */
export async function recordAdmission(referralId: string, body: { hospital: string; ward?: string }): Promise<ApiResult<BoardRow>> {
  return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/admission`, { body }), decodeBoardRow);
}

/** Home from hospital: scheduling plans a reassessment before the visits resume. */
export async function recordDischarge(referralId: string): Promise<ApiResult<BoardRow>> {
  return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/discharge`, { body: {} }), decodeBoardRow);
}

/** A care plan change a clinician proposed from a visit, waiting for a coordinator's decision. */
export interface CarePlanProposal {
  readonly proposal_id: string;
  readonly episode_id: string;
  readonly person: string | null;
  readonly reason: string;
  /** The proposed visit lines, in words ("carer, 16:00-17:00, from 2 Dec to 20 Dec"). */
  readonly visits: readonly string[];
  readonly declined: readonly string[];
  readonly proposed_at: string;
}

/** "16:00:00" → "16:00". */
function clock(value: unknown): string {
  return (str(value) ?? "?").slice(0, 5);
}

/** "2026-12-02" → "2 Dec". */
function day(value: unknown): string {
  const iso = str(value);
  if (iso === null) return "?";
  const at = new Date(`${iso}T12:00:00Z`);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

function visitLine(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const windows = Array.isArray(value["preferred_windows"])
    ? value["preferred_windows"].filter(isRecord).map((w) => `${clock(w["start"])}-${clock(w["end"])}`)
    : [];
  return `${str(value["discipline"]) ?? "visit"}, ${windows.join(" and ")}, ${day(value["starts_on"])} to ${day(value["ends_on"])}`;
}

export function decodeProposals(data: unknown): CarePlanProposal[] | null {
  if (!isRecord(data) || !Array.isArray(data["items"])) return null;
  const found: CarePlanProposal[] = [];
  for (const item of data["items"]) {
    if (!isRecord(item)) continue;
    const id = str(item["proposal_id"]);
    const episode = str(item["episode_id"]);
    const at = str(item["proposed_at"]);
    if (id === null || episode === null || at === null) continue;
    const lines = Array.isArray(item["visits"]) ? item["visits"].map(visitLine).filter((l): l is string => l !== null) : [];
    found.push({
      proposal_id: id,
      episode_id: episode,
      person: str(item["person"]),
      reason: str(item["reason"]) ?? "",
      visits: lines,
      declined: strings(item["declined"]),
      proposed_at: at,
    });
  }
  return found;
}

export async function getProposals(signal?: AbortSignal): Promise<ApiResult<CarePlanProposal[]>> {
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${SCHEDULING}/care-plan-proposals`, options), decodeProposals);
}

function decodeDecision(data: unknown): { decision: string } | null {
  const decision = isRecord(data) ? str(data["decision"]) : null;
  return decision === null ? null : { decision };
}

/** Agree a proposed change as proposed, or decline it with a reason; `key` makes a retry safe. */
export async function decideProposal(
  proposalId: string,
  decision: "agree" | "decline",
  body: { reason?: string },
  key: string,
): Promise<ApiResult<{ decision: string }>> {
  const path = `${SCHEDULING}/care-plan-proposals/${encodeURIComponent(proposalId)}/${decision}`;
  return mapped(await request("POST", path, { body, headers: { "Idempotency-Key": key } }), decodeDecision);
}

/** A day's plan (07:00 to 07:00 local); without `day`, today's. A coordinator sees their team. */
export async function getDayPlan(day: string | null, signal?: AbortSignal): Promise<ApiResult<DayPlan>> {
  const query = day !== null && day !== "" ? `?${new URLSearchParams({ day }).toString()}` : "";
  const options: RequestOptions = signal !== undefined ? { signal } : {};
  return mapped(await request("GET", `${SCHEDULING}/plan${query}`, options), decodeDayPlan);
}

/** Pin a visit to one person (two for a double-handed visit); the planner re-plans around it. */
export async function pinVisit(visitId: string, staffIds: readonly string[]): Promise<ApiResult<{ visit: PlanVisit; run: PlanRun | null }>> {
  const result = await request("POST", `${SCHEDULING}/visits/${encodeURIComponent(visitId)}/pin`, {
    body: { staff_ids: staffIds },
    timeoutMs: 60_000,
  });
  return mapped(result, decodePinResult);
}

/** Unpin a visit: the planner may move it again. */
export async function unpinVisit(visitId: string): Promise<ApiResult<{ run: PlanRun | null }>> {
  return mapped(await request("DELETE", `${SCHEDULING}/visits/${encodeURIComponent(visitId)}/pin`, { timeoutMs: 60_000 }), decodeRunResult);
}

/** Record an absence (e.g. called in sick); the day re-plans without them. */
export async function recordAbsence(body: {
  staff_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
}): Promise<ApiResult<{ run: PlanRun | null }>> {
  return mapped(await request("POST", `${SCHEDULING}/absences`, { body, timeoutMs: 60_000 }), decodeRunResult);
}
