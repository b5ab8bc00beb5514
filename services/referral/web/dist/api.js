/** The referral API over fetch: bearer token, JSON, errors decoded, 401 handed to sign-in. */
import { session } from "./auth.js";
import { decodeBoardRow, decodeBoardRows, decodePractices, decodeReferralDetail, decodeTimeline, isRecord, str, } from "./model.js";
import { decodeDayPlan, decodePinResult, decodeRunResult, } from "./plan-model.js";
import { noteServerDate } from "./time.js";
let unauthorised = () => undefined;
/** What to do on a 401 (the app saves the draft, clears the token and signs in again). */
export function setUnauthorisedHandler(handler) {
    unauthorised = handler;
}
/** Whether a failed send may simply be retried with the same Idempotency-Key. */
export function isRetryable(failure) {
    if (failure.kind === "network")
        return true;
    if (failure.kind === "http")
        return [408, 425, 429, 500, 502, 503, 504].includes(failure.status);
    return false;
}
export function describeFailure(failure) {
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
            if (failure.status === 403)
                return `Not allowed: ${failure.detail}`;
            if (failure.status === 404)
                return `Not found: ${failure.detail}`;
            if (failure.status === 409)
                return failure.detail;
            if (failure.status >= 500)
                return `The hub had a problem (HTTP ${failure.status}). ${failure.detail}`.trim();
            return failure.detail;
    }
}
function decodeErrors(body) {
    if (!isRecord(body) || !Array.isArray(body["errors"]))
        return [];
    const errors = [];
    for (const item of body["errors"]) {
        if (!isRecord(item))
            continue;
        errors.push({ field: str(item["field"]) ?? "(body)", reason: str(item["reason"]) ?? "invalid" });
    }
    return errors;
}
export async function request(method, path, options = {}) {
    const current = session();
    if (current === null) {
        unauthorised();
        return { ok: false, failure: { kind: "auth" } };
    }
    const headers = {
        Accept: "application/json",
        Authorization: `Bearer ${current.token}`,
        ...options.headers,
    };
    let body;
    if (options.body !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(options.body);
    }
    const controller = new AbortController();
    const timeout = window.setTimeout(() => controller.abort(), options.timeoutMs ?? 20_000);
    const outer = options.signal;
    const onOuterAbort = () => controller.abort();
    outer?.addEventListener("abort", onOuterAbort);
    const sentAt = Date.now();
    let response;
    try {
        const init = { method, headers, signal: controller.signal, cache: "no-store", credentials: "same-origin" };
        if (body !== undefined)
            init.body = body;
        response = await fetch(path, init);
    }
    catch {
        if (outer?.aborted === true)
            return { ok: false, failure: { kind: "aborted" } };
        return { ok: false, failure: { kind: "network", message: "network error" } };
    }
    finally {
        window.clearTimeout(timeout);
        outer?.removeEventListener("abort", onOuterAbort);
    }
    noteServerDate(response.headers.get("Date"), sentAt, Date.now());
    if (response.status === 401) {
        unauthorised();
        return { ok: false, failure: { kind: "auth" } };
    }
    let data = null;
    try {
        const text = await response.text();
        data = text === "" ? null : JSON.parse(text);
    }
    catch {
        if (outer?.aborted === true)
            return { ok: false, failure: { kind: "aborted" } };
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
function mapped(result, decode) {
    if (!result.ok)
        return result;
    const value = decode(result.data);
    if (value === null)
        return { ok: false, failure: { kind: "unexpected", status: result.status } };
    return { ok: true, status: result.status, data: value };
}
const BASE = "/api/referral";
export async function submitReferral(payload, idempotencyKey) {
    const result = await request("POST", `${BASE}/referrals`, { body: payload, headers: { "Idempotency-Key": idempotencyKey } });
    return mapped(result, decodeBoardRow);
}
export async function addToReferral(referralId, payload, idempotencyKey) {
    const result = await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/additions`, {
        body: payload,
        headers: { "Idempotency-Key": idempotencyKey },
    });
    return mapped(result, decodeBoardRow);
}
export async function searchPractices(query, signal) {
    const result = await request("GET", `${BASE}/practices?${new URLSearchParams({ q: query }).toString()}`, { signal, timeoutMs: 8000 });
    return mapped(result, decodePractices);
}
/**
 * Open referrals for this person. POST /open-episodes/search keeps the NHS number out of URLs (and
 * so out of proxy logs); GET /open-episodes?nhs_number= is the older form, used only if the POST
 * route is not there (404/405).
 */
export async function openEpisodes(nhsNumber, signal) {
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
export async function listOpenReferrals(filters, signal) {
    const params = new URLSearchParams({ open: "true" });
    for (const name of ["tier", "route", "team", "locality"]) {
        if (filters[name] !== "")
            params.set(name, filters[name]);
    }
    params.set("limit", "200");
    const options = signal !== undefined ? { signal } : {};
    return mapped(await request("GET", `${BASE}/referrals?${params.toString()}`, options), decodeBoardRows);
}
export async function getReferral(referralId, signal) {
    const options = signal !== undefined ? { signal } : {};
    return mapped(await request("GET", `${BASE}/referrals/${encodeURIComponent(referralId)}`, options), decodeReferralDetail);
}
export async function getTimeline(referralId, signal) {
    const options = signal !== undefined ? { signal } : {};
    return mapped(await request("GET", `${BASE}/referrals/${encodeURIComponent(referralId)}/timeline`, options), decodeTimeline);
}
export async function acceptReferral(referralId) {
    return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/accept`, { body: {} }), decodeBoardRow);
}
export async function rejectReferral(referralId, reason) {
    return mapped(await request("POST", `${BASE}/referrals/${encodeURIComponent(referralId)}/reject`, { body: { reason } }), decodeBoardRow);
}
// ------------------------------------------------------------------ triage (/api/triage)
const TRIAGE = "/api/triage";
export function decodeTriageDecision(data) {
    if (!isRecord(data))
        return null;
    const referralId = str(data["referral_id"]);
    const episodeId = str(data["episode_id"]);
    const tier = str(data["tier"]);
    const lead = str(data["lead_discipline"]);
    if (referralId === null || episodeId === null || tier === null || lead === null)
        return null;
    const fired = Array.isArray(data["rules_fired"]) ? data["rules_fired"].filter((r) => typeof r === "string") : [];
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
export async function getTriageDecision(referralId, signal) {
    const options = signal !== undefined ? { signal } : {};
    return mapped(await request("GET", `${TRIAGE}/referrals/${encodeURIComponent(referralId)}`, options), decodeTriageDecision);
}
export async function overrideTriage(referralId, body) {
    return mapped(await request("POST", `${TRIAGE}/referrals/${encodeURIComponent(referralId)}/override`, { body }), decodeTriageDecision);
}
export async function transferLead(episodeId, body) {
    return mapped(await request("POST", `${TRIAGE}/episodes/${encodeURIComponent(episodeId)}/lead`, { body }), decodeTriageDecision);
}
// ------------------------------------------------------------------ scheduling (/api/scheduling): the coordinator's plan
const SCHEDULING = "/api/scheduling";
/** A day's plan (07:00 to 07:00 local); without `day`, today's. A coordinator sees their team. */
export async function getDayPlan(day, signal) {
    const query = day !== null && day !== "" ? `?${new URLSearchParams({ day }).toString()}` : "";
    const options = signal !== undefined ? { signal } : {};
    return mapped(await request("GET", `${SCHEDULING}/plan${query}`, options), decodeDayPlan);
}
/** Pin a visit to one person (two for a double-handed visit); the planner re-plans around it. */
export async function pinVisit(visitId, staffIds) {
    const result = await request("POST", `${SCHEDULING}/visits/${encodeURIComponent(visitId)}/pin`, {
        body: { staff_ids: staffIds },
        timeoutMs: 60_000,
    });
    return mapped(result, decodePinResult);
}
/** Unpin a visit: the planner may move it again. */
export async function unpinVisit(visitId) {
    return mapped(await request("DELETE", `${SCHEDULING}/visits/${encodeURIComponent(visitId)}/pin`, { timeoutMs: 60_000 }), decodeRunResult);
}
/** Record an absence (e.g. called in sick); the day re-plans without them. */
export async function recordAbsence(body) {
    return mapped(await request("POST", `${SCHEDULING}/absences`, { body, timeoutMs: 60_000 }), decodeRunResult);
}
