/** What the scheduling API returns for the app, decoded defensively from unknown JSON (no `any`). */
export function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
export function str(value) {
    return typeof value === "string" ? value : null;
}
export function num(value) {
    return typeof value === "number" && Number.isFinite(value) ? value : null;
}
export function strings(value) {
    return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}
const STATUSES = ["assigned", "en-route", "in-progress", "completed", "missed", "cancelled", "planned"];
function score(value) {
    if (!isRecord(value))
        return null;
    const s = num(value["score"]);
    const band = str(value["band"]);
    return s === null || band === null ? null : { score: s, band };
}
function person(value) {
    if (!isRecord(value))
        return null;
    const text = (key) => str(value[key]) ?? "";
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
function record(value) {
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
function lastVisit(value) {
    if (!isRecord(value))
        return null;
    const id = str(value["visit_id"]);
    if (id === null)
        return null;
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
export function decodeVisit(value) {
    if (!isRecord(value))
        return null;
    const id = str(value["visit_id"]);
    const episode = str(value["episode_id"]);
    const status = str(value["status"]);
    if (id === null || episode === null || status === null)
        return null;
    return {
        visit_id: id,
        episode_id: episode,
        status: STATUSES.includes(status) ? status : "assigned",
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
export function decodeDay(value) {
    if (!isRecord(value) || !Array.isArray(value["visits"]))
        return null;
    return {
        day: str(value["day"]) ?? "",
        staff_id: str(value["staff_id"]),
        generated_at: str(value["generated_at"]) ?? new Date().toISOString(),
        visits: value["visits"].map(decodeVisit).filter((v) => v !== null),
    };
}
export function personName(visit) {
    return visit.person === null ? "Person not yet known" : `${visit.person.given_name} ${visit.person.family_name}`.trim();
}
export function decodeLiveEvent(id, type, data) {
    try {
        const parsed = JSON.parse(data);
        if (!isRecord(parsed))
            return null;
        return {
            id,
            type: str(parsed["type"]) ?? type,
            episode_id: str(parsed["episode_id"]),
            visit_id: str(parsed["visit_id"]),
            staff_id: str(parsed["staff_id"]),
        };
    }
    catch {
        return null;
    }
}
