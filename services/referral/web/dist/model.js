/** What the referral API returns, decoded defensively from unknown JSON (no `any`). */
export function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
export function str(value) {
    return typeof value === "string" ? value : null;
}
export function num(value) {
    return typeof value === "number" && Number.isFinite(value) ? value : null;
}
export function bool(value) {
    return typeof value === "boolean" ? value : null;
}
export function strings(value) {
    return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}
export const OPEN_STATUSES = ["received", "triaged", "accepted", "first-visit-planned"];
export const CLOSED_STATUSES = ["rejected", "cancelled", "closed", "first-contact-made"];
/** Only these can still be accepted or rejected (others answer 409). */
export const UNDECIDED_STATUSES = ["received", "triaged"];
export function isUndecided(status) {
    return UNDECIDED_STATUSES.includes(status);
}
export function isClosedStatus(status) {
    return CLOSED_STATUSES.includes(status);
}
function patientOf(value, referral) {
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
export function decodeBoardRow(value) {
    if (!isRecord(value))
        return null;
    const referralId = str(value["referral_id"]);
    const status = str(value["status"]);
    if (referralId === null || status === null)
        return null;
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
    };
}
export function decodeReferralDetail(value) {
    const row = decodeBoardRow(value);
    if (row === null || !isRecord(value))
        return null;
    return { ...row, referral: isRecord(value["referral"]) ? value["referral"] : null };
}
/** The `items` list of a list response, or null when the body is not one. */
function itemsOf(value) {
    return isRecord(value) && Array.isArray(value["items"]) ? value["items"] : null;
}
export function decodeBoardRows(value) {
    const items = itemsOf(value);
    if (items === null)
        return null;
    return items.map(decodeBoardRow).filter((row) => row !== null);
}
export function decodeTimeline(value) {
    const list = itemsOf(value);
    if (list === null)
        return null;
    const items = [];
    for (const item of list) {
        if (!isRecord(item))
            continue;
        items.push({
            at: str(item["at"]),
            type: str(item["type"]) ?? "event",
            summary: str(item["summary"]) ?? "",
        });
    }
    return items;
}
export function decodePractices(value) {
    const list = itemsOf(value);
    if (list === null)
        return null;
    const practices = [];
    for (const item of list) {
        if (!isRecord(item))
            continue;
        const code = str(item["code"]);
        const name = str(item["name"]);
        if (code !== null)
            practices.push({ code, name: name ?? "" });
    }
    return practices;
}
export function decodeLiveEvent(id, eventType, data) {
    let parsed;
    try {
        parsed = JSON.parse(data);
    }
    catch {
        return null;
    }
    if (!isRecord(parsed))
        return null;
    return {
        id,
        type: str(parsed["type"]) ?? eventType,
        episode_id: str(parsed["episode_id"]),
        referral_id: str(parsed["referral_id"]),
        at: str(parsed["at"]),
    };
}
