/**
 * Today's plan as data (#/plan): the scheduling API's day plan decoded defensively, visits laid on a
 * timeline (fractions of the visible range, lanes for overlaps), people grouped by team, who can
 * make a visit, what a drag or a "Move to…" asks the API for, and why a visit is at risk.
 * Pure: no DOM, no clock of its own (the caller passes `now`), so it is unit tested under node.
 */
import { bool, isRecord, num, str, strings } from "./model.js";
function isTime(value) {
    return value !== null && !Number.isNaN(Date.parse(value));
}
export function decodePlanVisit(data) {
    if (!isRecord(data))
        return null;
    const visitId = str(data["visit_id"]);
    const episodeId = str(data["episode_id"]);
    const earliest = str(data["earliest_start"]);
    const latest = str(data["latest_start"]);
    const duration = num(data["duration_minutes"]);
    if (visitId === null || episodeId === null || !isTime(earliest) || !isTime(latest) || duration === null || duration <= 0)
        return null;
    const planned = str(data["planned_start"]);
    const preferred = str(data["preferred_start"]);
    const deadline = str(data["deadline"]);
    return {
        visit_id: visitId,
        episode_id: episodeId,
        person: str(data["person"]),
        postcode: str(data["postcode"]),
        purpose: str(data["purpose"]) ?? "care",
        discipline: str(data["discipline"]) ?? "",
        status: str(data["status"]) ?? "planned",
        staff_id: str(data["staff_id"]),
        second_staff_id: str(data["second_staff_id"]),
        planned_start: isTime(planned) ? planned : null,
        earliest_start: earliest,
        latest_start: latest,
        preferred_start: isTime(preferred) ? preferred : null,
        duration_minutes: duration,
        deadline: isTime(deadline) ? deadline : null,
        double_handed: bool(data["double_handed"]) ?? false,
        required_skills: strings(data["required_skills"]),
        urgent: bool(data["urgent"]) ?? false,
        pinned: bool(data["pinned"]) ?? false,
        why: strings(data["why"]),
        unassigned_reason: str(data["unassigned_reason"]),
        at_risk: bool(data["at_risk"]) ?? false,
    };
}
function visits(value) {
    if (!Array.isArray(value))
        return [];
    return value.map(decodePlanVisit).filter((visit) => visit !== null);
}
function decodeStaff(data) {
    if (!isRecord(data) || !isRecord(data["shift"]))
        return null;
    const staffId = str(data["staff_id"]);
    const start = str(data["shift"]["start"]);
    const end = str(data["shift"]["end"]);
    if (staffId === null || !isTime(start) || !isTime(end))
        return null;
    return {
        staff_id: staffId,
        display_name: str(data["display_name"]) ?? staffId,
        discipline: str(data["discipline"]) ?? "",
        team: str(data["team"]),
        skills: strings(data["skills"]),
        shift: { start, end },
        visits: visits(data["visits"]),
    };
}
function decodeRun(data) {
    if (!isRecord(data))
        return null;
    return {
        trigger: str(data["trigger"]) ?? "",
        started_at: str(data["started_at"]),
        visits: num(data["visits"]) ?? 0,
        changes: num(data["changes"]) ?? 0,
        unassigned: num(data["unassigned"]) ?? 0,
        solve_seconds: num(data["solve_seconds"]) ?? 0,
    };
}
export function decodeDayPlan(data) {
    if (!isRecord(data) || !isRecord(data["window"]))
        return null;
    const day = str(data["day"]);
    const start = str(data["window"]["start"]);
    const end = str(data["window"]["end"]);
    if (day === null || !isTime(start) || !isTime(end) || !Array.isArray(data["staff"]))
        return null;
    return {
        day,
        window: { start, end },
        staff: data["staff"].map(decodeStaff).filter((member) => member !== null),
        unallocated: visits(data["unallocated"]),
        at_risk: visits(data["at_risk"]),
        runs: Array.isArray(data["runs"]) ? data["runs"].map(decodeRun).filter((run) => run !== null) : [],
    };
}
/** POST …/pin answers `{visit, run}`. */
export function decodePinResult(data) {
    if (!isRecord(data))
        return null;
    const visit = decodePlanVisit(data["visit"]);
    return visit === null ? null : { visit, run: decodeRun(data["run"]) };
}
/** DELETE …/pin and POST /absences answer `{run, …}`. */
export function decodeRunResult(data) {
    return isRecord(data) ? { run: decodeRun(data["run"]) } : null;
}
// ------------------------------------------------------------------ words
const ZONE = "Europe/London";
const CLOCK = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: ZONE });
const DAY = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: ZONE });
/** "14:05", in the county's time (the plan is the county's, whatever the desk computer's zone). */
export function clock(ms) {
    return CLOCK.format(new Date(ms));
}
export function clockOf(iso) {
    if (iso === null)
        return "—";
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? iso : clock(ms);
}
/** "Monday 23 November" for a planning day "2026-11-23". */
export function dayLabel(day) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (match === null)
        return day;
    return DAY.format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12)));
}
const DISCIPLINES = {
    nurse: "Nurse",
    "occupational-therapist": "Occupational therapist",
    physiotherapist: "Physiotherapist",
    "social-worker": "Social worker",
    "healthcare-assistant": "Healthcare assistant",
    "reablement-worker": "Reablement worker",
    carer: "Carer",
};
const DISCIPLINE_ORDER = Object.keys(DISCIPLINES);
export function disciplineLabel(code) {
    return DISCIPLINES[code] ?? code;
}
const PURPOSES = {
    "first-response": "First response",
    assessment: "Assessment",
    care: "Care visit",
    therapy: "Therapy",
    reassessment: "Reassessment",
};
export function purposeLabel(code) {
    return PURPOSES[code] ?? code;
}
/** Who the visit is for, as the block shows it: "LE1 1AA · Alice Archer". */
export function visitTitle(visit) {
    const parts = [visit.postcode, visit.person].filter((part) => part !== null && part !== "");
    return parts.length > 0 ? parts.join(" · ") : "Person not shown";
}
/** The markers on a visit, in words (colour is never the only cue). */
export function visitFlags(visit) {
    const flags = [];
    if (visit.at_risk)
        flags.push({ code: "at-risk", icon: "⚠", label: "At risk" });
    if (visit.urgent || visit.purpose === "first-response")
        flags.push({ code: "urgent", icon: "!", label: "Urgent" });
    if (visit.pinned)
        flags.push({ code: "pinned", icon: "⚑", label: "Pinned" });
    if (visit.double_handed)
        flags.push({ code: "double", icon: "2×", label: "Double-handed" });
    return flags;
}
function minutesPhrase(ms) {
    const minutes = Math.round(Math.abs(ms) / 60_000);
    if (minutes < 60)
        return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
/** Why a visit is at risk of missing its deadline, in words; null when it is not at risk. */
export function atRiskReason(visit, nowMs) {
    if (!visit.at_risk)
        return null;
    const latest = Date.parse(visit.latest_start);
    const deadlineIso = visit.deadline ?? visit.latest_start;
    const deadline = Date.parse(deadlineIso);
    if (visit.planned_start !== null && Date.parse(visit.planned_start) > latest) {
        return `Planned for ${clockOf(visit.planned_start)}, after its latest start ${clock(latest)}`;
    }
    if (visit.status === "planned") {
        const due = deadline - nowMs;
        const when = due >= 0 ? `in ${minutesPhrase(due)}` : `${minutesPhrase(due)} ago`;
        return `Not allocated; ${visit.deadline !== null ? "deadline" : "latest start"} ${clock(deadline)} (${when})`;
    }
    return `May miss its deadline ${clock(deadline)}`;
}
const HOUR = 3_600_000;
const MINUTE = 60_000;
const MIN_HOURS = 6;
export function visitSpan(visit) {
    if (visit.planned_start === null)
        return null;
    const start = Date.parse(visit.planned_start);
    return { start, end: start + visit.duration_minutes * MINUTE };
}
/** The hours the timeline shows: every shift and planned visit in the plan's window, whole hours,
 * at least six of them; the whole window when nothing is planned. */
export function timelineRange(plan) {
    const window = { start: Date.parse(plan.window.start), end: Date.parse(plan.window.end) };
    const points = [];
    for (const member of plan.staff) {
        points.push(Date.parse(member.shift.start), Date.parse(member.shift.end));
        for (const visit of member.visits) {
            const span = visitSpan(visit);
            if (span !== null)
                points.push(span.start, span.end);
        }
    }
    for (const visit of plan.unallocated) {
        const span = visitSpan(visit);
        if (span !== null)
            points.push(span.start, span.end);
    }
    if (points.length === 0)
        return window;
    let start = Math.max(window.start, Math.floor(Math.min(...points) / HOUR) * HOUR);
    let end = Math.min(window.end, Math.ceil(Math.max(...points) / HOUR) * HOUR);
    if (end - start < MIN_HOURS * HOUR) {
        end = Math.min(window.end, start + MIN_HOURS * HOUR);
        start = Math.max(window.start, end - MIN_HOURS * HOUR);
    }
    return { start, end };
}
/** Where [start, end) sits in the range, clipped to it; null when wholly outside. */
export function place(span, range) {
    const length = range.end - range.start;
    if (length <= 0 || span.end <= range.start || span.start >= range.end)
        return null;
    const start = Math.max(span.start, range.start);
    const end = Math.min(span.end, range.end);
    return {
        left: (start - range.start) / length,
        width: Math.max(end - start, 0) / length,
        startsBefore: span.start < range.start,
        endsAfter: span.end > range.end,
    };
}
/** Hour marks in the range, as fractions of it, each labelled "09:00". */
export function hourTicks(range) {
    const ticks = [];
    const length = range.end - range.start;
    if (length <= 0)
        return ticks;
    for (let ms = Math.ceil(range.start / HOUR) * HOUR; ms < range.end; ms += HOUR) {
        ticks.push({ at: (ms - range.start) / length, label: clock(ms) });
    }
    return ticks;
}
/** Overlapping items go in separate lanes (first lane free at the item's start), so none hides another. */
export function assignLanes(items) {
    const sorted = [...items].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    const laneEnds = [];
    const placed = [];
    for (const { item, span } of sorted) {
        let lane = laneEnds.findIndex((end) => end <= span.start);
        if (lane === -1) {
            lane = laneEnds.length;
            laneEnds.push(span.end);
        }
        else {
            laneEnds[lane] = span.end;
        }
        placed.push({ item, lane });
    }
    return { lanes: Math.max(1, laneEnds.length), placed };
}
/** People by team (teams in the API's order), then discipline (nurses first, carers last), then name. */
export function groupStaff(staff) {
    const teams = new Map();
    for (const member of staff) {
        const team = member.team ?? "";
        const list = teams.get(team) ?? [];
        list.push(member);
        teams.set(team, list);
    }
    const rank = (discipline) => {
        const index = DISCIPLINE_ORDER.indexOf(discipline);
        return index === -1 ? DISCIPLINE_ORDER.length : index;
    };
    return [...teams].map(([team, members]) => ({
        team,
        staff: members.sort((a, b) => rank(a.discipline) - rank(b.discipline) || a.display_name.localeCompare(b.display_name)),
    }));
}
/** Disciplines that can stand in for each other on a first response or assessment (scheduling's
 * first_response.py): either therapist for a therapy lead. */
const INTERCHANGEABLE = [new Set(["occupational-therapist", "physiotherapist"])];
export const DOUBLE_HANDED_SKILL = "double-handed-moving";
export function disciplinesFor(visit) {
    if (visit.purpose === "first-response" || visit.purpose === "assessment") {
        const group = INTERCHANGEABLE.find((disciplines) => disciplines.has(visit.discipline));
        if (group !== undefined)
            return group;
    }
    return new Set([visit.discipline]);
}
/** Why `member` cannot make `visit` (discipline, skills, shift), or null if they can. The API
 * itself only checks the rota and the team; these are the planner's hard limits, checked here so a
 * drag never pins a visit to someone who could not make it. */
export function cannotMake(member, visit, nowMs) {
    const disciplines = disciplinesFor(visit);
    if (!disciplines.has(member.discipline)) {
        const wanted = [...disciplines].map((d) => disciplineLabel(d).toLowerCase()).join(" or ");
        return `${member.display_name} is a ${disciplineLabel(member.discipline).toLowerCase()}; this visit needs a ${wanted}`;
    }
    const skills = new Set(member.skills);
    const wanted = [...visit.required_skills, ...(visit.double_handed ? [DOUBLE_HANDED_SKILL] : [])];
    const missing = [...new Set(wanted)].filter((skill) => !skills.has(skill));
    if (missing.length > 0)
        return `${member.display_name} does not have the skill${missing.length === 1 ? "" : "s"}: ${missing.join(", ")}`;
    const shiftStart = Date.parse(member.shift.start);
    const shiftEnd = Date.parse(member.shift.end);
    if (shiftEnd <= nowMs)
        return `${member.display_name}'s shift ended at ${clock(shiftEnd)}`;
    const duration = visit.duration_minutes * MINUTE;
    const earliest = Math.max(Date.parse(visit.earliest_start), nowMs);
    const latest = Date.parse(visit.latest_start);
    if (shiftStart > latest)
        return `${member.display_name} starts at ${clock(shiftStart)}, after this visit's latest start ${clock(latest)}`;
    if (Math.max(earliest, shiftStart) + duration > shiftEnd) {
        return `${member.display_name}'s shift ends at ${clock(shiftEnd)}, too soon to make this visit`;
    }
    return null;
}
/**
 * What a drop asks the API for: the visit dragged from `fromStaffId`'s row (null: from a list)
 * onto `to`'s row. A double-handed visit keeps its other person; one dragged from a list needs both
 * people chosen with "Move to…".
 */
export function dropRequest(visit, fromStaffId, to, nowMs) {
    if (visit.status !== "planned" && visit.status !== "assigned") {
        return { ok: false, reason: `This visit is ${visit.status} and can no longer be moved` };
    }
    const current = [visit.staff_id, visit.second_staff_id].filter((id) => id !== null);
    if (fromStaffId === to.staff_id || (!visit.double_handed && current.length === 1 && current[0] === to.staff_id && visit.pinned)) {
        return { ok: false, reason: `${to.display_name} already makes this visit` };
    }
    const problem = cannotMake(to, visit, nowMs);
    if (problem !== null)
        return { ok: false, reason: problem };
    if (!visit.double_handed)
        return { ok: true, staffIds: [to.staff_id] };
    if (current.includes(to.staff_id))
        return { ok: false, reason: `${to.display_name} already makes this visit` };
    const other = current.find((id) => id !== fromStaffId);
    if (fromStaffId === null || !current.includes(fromStaffId) || other === undefined) {
        return { ok: false, reason: "A double-handed visit needs two people: use “Move to…” on the visit to choose both" };
    }
    return { ok: true, staffIds: fromStaffId === current[0] ? [to.staff_id, other] : [other, to.staff_id] };
}
/** What "Move to…" asks the API for: one person, or two different people for a double-handed visit. */
export function chosenRequest(visit, chosen, nowMs) {
    if (visit.status !== "planned" && visit.status !== "assigned") {
        return { ok: false, reason: `This visit is ${visit.status} and can no longer be moved` };
    }
    const needed = visit.double_handed ? 2 : 1;
    const people = chosen.slice(0, needed).filter((member) => member !== null);
    if (people.length < needed)
        return { ok: false, reason: needed === 2 ? "Choose two people for a double-handed visit" : "Choose who makes the visit" };
    const [first, second] = people;
    if (second !== undefined && first !== undefined && first.staff_id === second.staff_id) {
        return { ok: false, reason: "Choose two different people for a double-handed visit" };
    }
    for (const member of people) {
        const problem = cannotMake(member, visit, nowMs);
        if (problem !== null)
            return { ok: false, reason: problem };
    }
    const ids = people.map((member) => member.staff_id);
    const current = [visit.staff_id, visit.second_staff_id].filter((id) => id !== null);
    if (visit.pinned && ids.length === current.length && ids.every((id) => current.includes(id))) {
        return { ok: false, reason: "The visit is already pinned to " + people.map((m) => m.display_name).join(" and ") };
    }
    return { ok: true, staffIds: ids };
}
/** The API's reasons name people by id; say their names instead where the plan knows them. */
export function withNames(text, staff) {
    let named = text;
    for (const member of staff)
        named = named.split(member.staff_id).join(member.display_name);
    return named;
}
/** Visits of a plan by id (on someone's round, unallocated or at risk). */
export function visitsById(plan) {
    const byId = new Map();
    for (const visit of plan.unallocated)
        byId.set(visit.visit_id, visit);
    for (const visit of plan.at_risk)
        byId.set(visit.visit_id, visit);
    for (const member of plan.staff)
        for (const visit of member.visits)
            byId.set(visit.visit_id, visit);
    return byId;
}
/** The plan with one visit replaced by what the API just answered (shown at once, before the refresh). */
export function withVisit(plan, visit) {
    const others = (list) => list.filter((v) => v.visit_id !== visit.visit_id);
    const onRound = (member) => member.staff_id === visit.staff_id || member.staff_id === visit.second_staff_id;
    const byStart = (a, b) => Date.parse(a.planned_start ?? a.earliest_start) - Date.parse(b.planned_start ?? b.earliest_start);
    return {
        ...plan,
        staff: plan.staff.map((member) => ({
            ...member,
            visits: onRound(member) ? [...others(member.visits), visit].sort(byStart) : others(member.visits),
        })),
        unallocated: visit.status === "planned" ? [...others(plan.unallocated), visit].sort(byStart) : others(plan.unallocated),
        at_risk: visit.at_risk ? [...others(plan.at_risk), visit].sort(byStart) : others(plan.at_risk),
    };
}
/** The latest plan run in words: "14:05 visit pinned by coordinator: 12 visits, 2 changes, 0.8 s". */
export function runSummary(run) {
    const at = run.started_at !== null ? `${clockOf(run.started_at)} ` : "";
    const changes = `${run.changes} change${run.changes === 1 ? "" : "s"}`;
    const unassigned = run.unassigned > 0 ? `, ${run.unassigned} could not be placed` : "";
    return `${at}${run.trigger}: ${run.visits} visit${run.visits === 1 ? "" : "s"}, ${changes}${unassigned}, ${run.solve_seconds.toFixed(1)} s`;
}
