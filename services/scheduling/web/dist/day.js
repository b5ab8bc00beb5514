/**
 * The day on the phone: the last day the server sent (kept in localStorage for working without
 * signal), with the actions still waiting to be sent applied on top, so the screen shows what the
 * person has done; and what changed between two versions of the day (new, moved, taken away).
 */
import { decodeDay } from "./model.js";
import { score } from "./news2.js";
export const DAY_KEY = "carerelay.app.day";
export function loadDay(store) {
    const raw = store.getItem(DAY_KEY);
    if (raw === null)
        return null;
    try {
        return decodeDay(JSON.parse(raw));
    }
    catch {
        return null;
    }
}
export function saveDay(store, day) {
    store.setItem(DAY_KEY, JSON.stringify(day));
}
function text(value) {
    return typeof value === "string" ? value : "";
}
function minutesLate(visit, expected) {
    if (typeof expected !== "string" || visit.planned_start === null)
        return null;
    return Math.max(1, Math.ceil((Date.parse(expected) - Date.parse(visit.planned_start)) / 60_000));
}
/** One waiting action's effect on its visit, as the server will record it. */
export function applyAction(visit, action) {
    const at = text(action.body["at"]) || action.takenAt;
    const r = visit.record;
    const notes = (extra) => (text(extra) ? [...r.notes, text(extra)] : r.notes);
    switch (action.kind) {
        case "en-route":
            return { ...visit, status: "en-route", record: { ...r, en_route_at: at } };
        case "arrived":
            return { ...visit, status: "in-progress", record: { ...r, arrived_at: at } };
        case "running-late":
            return { ...visit, record: { ...r, running_late_minutes: minutesLate(visit, action.body["expected_arrival"]) } };
        case "note":
            return { ...visit, record: { ...r, notes: notes(action.body["text"]) } };
        case "observations": {
            const observations = action.body["observations"];
            if (observations === undefined)
                return visit;
            const news2 = score(observations);
            return { ...visit, record: { ...r, news2: { score: news2.score, band: news2.band } } };
        }
        case "missed":
            return {
                ...visit,
                status: "missed",
                record: { ...r, missed_at: at, missed_reason: text(action.body["reason"]) || null, notes: notes(action.body["notes"]) },
            };
        case "complete": {
            const tasks = Array.isArray(action.body["tasks_done"]) ? action.body["tasks_done"].filter((t) => typeof t === "string") : [];
            return {
                ...visit,
                status: "completed",
                record: { ...r, completed_at: at, tasks_done: tasks, concerns: text(action.body["concerns"]), notes: notes(action.body["notes"]) },
            };
        }
        default:
            return visit;
    }
}
/** The day as the person has left it: the server's day with every waiting action applied, in order. */
export function withPending(day, pending) {
    return {
        ...day,
        visits: day.visits.map((visit) => pending.filter((a) => a.state === "pending" && a.visitId === visit.visit_id).reduce(applyAction, visit)),
    };
}
/** What changed in the person's day that they must be told of: a visit given to them, one taken
 * away (given to someone else or cancelled), one moved to another time. */
export function changes(before, after) {
    if (before === null)
        return [];
    const old = new Map(before.visits.map((v) => [v.visit_id, v]));
    const now = new Map(after.visits.map((v) => [v.visit_id, v]));
    const found = [];
    for (const visit of after.visits) {
        const was = old.get(visit.visit_id);
        if (was === undefined)
            found.push({ kind: "added", visit });
        else if (was.planned_start !== visit.planned_start && visit.status === "assigned") {
            found.push({ kind: "moved", visit, from: was.planned_start });
        }
    }
    for (const visit of before.visits) {
        if (!now.has(visit.visit_id) && visit.status !== "completed" && visit.status !== "missed")
            found.push({ kind: "removed", visit });
    }
    return found;
}
