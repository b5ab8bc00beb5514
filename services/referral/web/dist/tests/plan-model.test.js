import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignLanes, atRiskReason, cannotMake, chosenRequest, clockOf, dayLabel, decodeDayPlan, decodePinResult, dropRequest, groupStaff, hourTicks, place, runSummary, timelineRange, visitFlags, visitTitle, visitsById, withNames, withVisit, } from "../plan-model.js";
// Monday 23 November 2026: GMT, so local time = UTC. The planning day runs 07:00 to 07:00.
const T = (hhmm, day = 23) => `2026-11-${day}T${hhmm}:00+00:00`;
const NOW = Date.parse(T("10:00"));
const HOUR = 3_600_000;
function visit(overrides = {}) {
    return {
        visit_id: "v1",
        episode_id: "e1",
        person: "Alice Archer",
        postcode: "LE1 1AA",
        purpose: "care",
        discipline: "carer",
        status: "assigned",
        staff_id: "joe",
        second_staff_id: null,
        planned_start: T("11:00"),
        earliest_start: T("10:30"),
        latest_start: T("12:00"),
        preferred_start: T("11:00"),
        duration_minutes: 30,
        deadline: null,
        double_handed: false,
        required_skills: [],
        urgent: false,
        pinned: false,
        why: ["travel +4 min", "knows the person (3 visits)"],
        unassigned_reason: null,
        at_risk: false,
        ...overrides,
    };
}
function staff(id, overrides = {}) {
    return {
        staff_id: id,
        display_name: `Carer ${id.charAt(0).toUpperCase()}${id.slice(1)}`,
        discipline: "carer",
        team: "north",
        skills: ["double-handed-moving", "medication-prompt"],
        shift: { start: T("07:00"), end: T("15:00") },
        visits: [],
        ...overrides,
    };
}
function plan(overrides = {}) {
    return {
        day: "2026-11-23",
        window: { start: T("07:00"), end: T("07:00", 24) },
        staff: [staff("joe", { visits: [visit()] }), staff("yusuf")],
        unallocated: [],
        at_risk: [],
        runs: [],
        ...overrides,
    };
}
describe("decoding the day plan", () => {
    it("decodes what the scheduling API returns, skipping malformed visits and people", () => {
        const decoded = decodeDayPlan({
            day: "2026-11-23",
            window: { start: T("07:00"), end: T("07:00", 24) },
            staff: [
                {
                    staff_id: "joe",
                    display_name: "Carer Joe Evans",
                    discipline: "carer",
                    team: "north",
                    skills: ["double-handed-moving"],
                    shift: { start: T("07:00"), end: T("15:00") },
                    visits: [visit(), { visit_id: "broken" }],
                },
                { staff_id: "no-shift", display_name: "Nobody" },
            ],
            unallocated: [visit({ visit_id: "v2", status: "planned", staff_id: null, planned_start: null, unassigned_reason: "no carer on shift" })],
            at_risk: [],
            runs: [{ trigger: "tick", started_at: T("09:58"), visits: 12, changes: 2, unassigned: 1, solve_seconds: 0.84 }],
        });
        assert.ok(decoded !== null);
        assert.equal(decoded.staff.length, 1);
        assert.equal(decoded.staff[0]?.visits.length, 1);
        assert.equal(decoded.unallocated[0]?.unassigned_reason, "no carer on shift");
        assert.equal(decoded.unallocated[0]?.planned_start, null);
        assert.equal(decoded.runs[0]?.changes, 2);
    });
    it("refuses what is not a plan", () => {
        assert.equal(decodeDayPlan(null), null);
        assert.equal(decodeDayPlan({ day: "2026-11-23", staff: [] }), null);
        assert.equal(decodeDayPlan({ day: "2026-11-23", window: { start: "soon", end: T("07:00", 24) }, staff: [] }), null);
    });
    it("decodes the pin answer", () => {
        const pinned = decodePinResult({ visit: visit({ pinned: true }), run: { trigger: "visit pinned by coordinator", visits: 3, changes: 1 } });
        assert.equal(pinned?.visit.pinned, true);
        assert.equal(pinned?.run?.changes, 1);
        assert.equal(decodePinResult({ run: {} }), null);
    });
});
describe("the timeline", () => {
    it("shows whole hours from the first shift or visit to the last, within the planning day", () => {
        const range = timelineRange(plan());
        assert.equal(new Date(range.start).toISOString(), "2026-11-23T07:00:00.000Z");
        assert.equal(new Date(range.end).toISOString(), "2026-11-23T15:00:00.000Z");
    });
    it("never goes outside the planning day, and shows at least six hours", () => {
        const night = staff("iris", { shift: { start: T("21:00"), end: T("07:30", 24) } });
        const range = timelineRange(plan({ staff: [night] }));
        assert.equal(new Date(range.start).toISOString(), "2026-11-23T21:00:00.000Z");
        assert.equal(new Date(range.end).toISOString(), "2026-11-24T07:00:00.000Z");
        const short = timelineRange(plan({ staff: [staff("kofi", { shift: { start: T("09:00"), end: T("11:00") } })] }));
        assert.deepEqual([clockOf(new Date(short.start).toISOString()), clockOf(new Date(short.end).toISOString())], ["09:00", "15:00"]);
        const lastHours = timelineRange(plan({ staff: [staff("iris", { shift: { start: T("05:00", 24), end: T("07:30", 24) } })] }));
        assert.equal(new Date(lastHours.start).toISOString(), "2026-11-24T01:00:00.000Z");
        const emptyDay = timelineRange(plan({ staff: [] }));
        assert.equal(emptyDay.end - emptyDay.start, 24 * HOUR);
    });
    it("places a visit by its planned start and duration, clipped to the range", () => {
        const range = { start: Date.parse(T("07:00")), end: Date.parse(T("15:00")) };
        const at11 = place({ start: Date.parse(T("11:00")), end: Date.parse(T("11:30")) }, range);
        assert.deepEqual(at11, { left: 0.5, width: 1 / 16, startsBefore: false, endsAfter: false });
        const early = place({ start: Date.parse(T("06:30")), end: Date.parse(T("07:30")) }, range);
        assert.equal(early?.left, 0);
        assert.equal(early?.startsBefore, true);
        assert.equal(place({ start: Date.parse(T("16:00")), end: Date.parse(T("16:30")) }, range), null);
    });
    it("marks every hour", () => {
        const ticks = hourTicks({ start: Date.parse(T("07:00")), end: Date.parse(T("10:00")) });
        assert.deepEqual(ticks.map((tick) => [tick.label, Math.round(tick.at * 3)]), [
            ["07:00", 0],
            ["08:00", 1],
            ["09:00", 2],
        ]);
    });
    it("puts overlapping visits in separate lanes and reuses a lane once it is free", () => {
        const span = (from, to) => ({ start: Date.parse(T(from)), end: Date.parse(T(to)) });
        const { lanes, placed } = assignLanes([
            { item: "a", span: span("09:00", "10:00") },
            { item: "b", span: span("09:30", "10:30") },
            { item: "c", span: span("10:00", "10:30") },
            { item: "d", span: span("10:15", "11:00") },
        ]);
        assert.equal(lanes, 3);
        assert.deepEqual(placed.map((p) => [p.item, p.lane]), [
            ["a", 0],
            ["b", 1],
            ["c", 0],
            ["d", 2],
        ]);
    });
    it("uses the county's clock for times, whatever the desk's zone", () => {
        assert.equal(clockOf("2026-07-01T08:30:00Z"), "09:30"); // British Summer Time
        assert.equal(clockOf(T("08:30")), "08:30");
        assert.equal(dayLabel("2026-11-23"), "Monday 23 November");
    });
});
describe("people", () => {
    it("groups by team, then nurses before carers, then by name", () => {
        const groups = groupStaff([
            staff("zed", { team: "north" }),
            staff("amara", { team: "north", discipline: "nurse", display_name: "Nurse Amara Okafor" }),
            staff("ann", { team: "east", display_name: "Carer Ann Doyle" }),
            staff("chloe", { team: "north", display_name: "Carer Chloe Baker" }),
        ]);
        assert.deepEqual(groups.map((group) => [group.team, group.staff.map((member) => member.display_name)]), [
            ["north", ["Nurse Amara Okafor", "Carer Chloe Baker", "Carer Zed"]],
            ["east", ["Carer Ann Doyle"]],
        ]);
    });
    it("says why someone cannot make a visit: discipline, skill, shift", () => {
        const nurse = staff("amara", { discipline: "nurse", display_name: "Nurse Amara" });
        assert.match(cannotMake(nurse, visit(), NOW) ?? "", /Nurse Amara is a nurse; this visit needs a carer/);
        const noSkill = staff("paul", { skills: ["medication-prompt"], display_name: "Carer Paul" });
        assert.match(cannotMake(noSkill, visit({ double_handed: true }), NOW) ?? "", /does not have the skill: double-handed-moving/);
        assert.match(cannotMake(noSkill, visit({ required_skills: ["insulin"] }), NOW) ?? "", /skill: insulin/);
        const late = staff("chloe", { shift: { start: T("14:00"), end: T("22:00") } });
        assert.match(cannotMake(late, visit(), NOW) ?? "", /starts at 14:00, after this visit's latest start 12:00/);
        const gone = staff("kofi", { shift: { start: T("07:00"), end: T("09:00") } });
        assert.match(cannotMake(gone, visit(), NOW) ?? "", /shift ended at 09:00/);
        const tight = staff("sam", { shift: { start: T("07:00"), end: T("10:45") } });
        assert.match(cannotMake(tight, visit(), NOW) ?? "", /shift ends at 10:45, too soon/);
        assert.equal(cannotMake(staff("yusuf"), visit(), NOW), null);
    });
    it("lets either therapist make a therapy-led first response", () => {
        const physio = staff("sam", { discipline: "physiotherapist" });
        const firstResponse = visit({ purpose: "first-response", discipline: "occupational-therapist" });
        assert.equal(cannotMake(physio, firstResponse, NOW), null);
        assert.notEqual(cannotMake(physio, visit({ purpose: "therapy", discipline: "occupational-therapist" }), NOW), null);
    });
});
describe("what a drag or Move to… asks the API for", () => {
    const joe = staff("joe");
    const yusuf = staff("yusuf");
    const chloe = staff("chloe");
    it("pins a visit dragged to another eligible person's row to them", () => {
        assert.deepEqual(dropRequest(visit(), "joe", yusuf, NOW), { ok: true, staffIds: ["yusuf"] });
        assert.deepEqual(dropRequest(visit({ status: "planned", staff_id: null, planned_start: null }), null, yusuf, NOW), {
            ok: true,
            staffIds: ["yusuf"],
        });
    });
    it("refuses a drop the planner could not honour, saying why", () => {
        const nurse = staff("amara", { discipline: "nurse", display_name: "Nurse Amara" });
        const refused = dropRequest(visit(), "joe", nurse, NOW);
        assert.equal(refused.ok, false);
        assert.match(refused.ok ? "" : refused.reason, /needs a carer/);
        const started = dropRequest(visit({ status: "in-progress" }), "joe", yusuf, NOW);
        assert.match(started.ok ? "" : started.reason, /in-progress and can no longer be moved/);
        assert.equal(dropRequest(visit(), "joe", joe, NOW).ok, false);
    });
    it("keeps the other person of a double-handed visit, and needs both chosen from a list", () => {
        const double = visit({ double_handed: true, staff_id: "joe", second_staff_id: "yusuf" });
        assert.deepEqual(dropRequest(double, "joe", chloe, NOW), { ok: true, staffIds: ["chloe", "yusuf"] });
        assert.deepEqual(dropRequest(double, "yusuf", chloe, NOW), { ok: true, staffIds: ["joe", "chloe"] });
        const onto = dropRequest(double, "joe", yusuf, NOW);
        assert.match(onto.ok ? "" : onto.reason, /already makes this visit/);
        const fromList = dropRequest(double, null, chloe, NOW);
        assert.match(fromList.ok ? "" : fromList.reason, /needs two people/);
    });
    it("checks the people chosen with Move to…", () => {
        assert.deepEqual(chosenRequest(visit(), [yusuf], NOW), { ok: true, staffIds: ["yusuf"] });
        assert.equal(chosenRequest(visit(), [null], NOW).ok, false);
        const double = visit({ double_handed: true });
        assert.deepEqual(chosenRequest(double, [yusuf, chloe], NOW), { ok: true, staffIds: ["yusuf", "chloe"] });
        const same = chosenRequest(double, [yusuf, yusuf], NOW);
        assert.match(same.ok ? "" : same.reason, /two different people/);
        const again = chosenRequest(visit({ pinned: true }), [joe], NOW);
        assert.match(again.ok ? "" : again.reason, /already pinned/);
    });
    it("names people in the API's reasons", () => {
        assert.equal(withNames("yusuf is not in your team", [yusuf]), "Carer Yusuf is not in your team");
    });
});
describe("flags, risk and updates", () => {
    it("marks urgent, pinned, double-handed and at-risk visits in words", () => {
        const flags = visitFlags(visit({ purpose: "first-response", pinned: true, double_handed: true, at_risk: true }));
        assert.deepEqual(flags.map((flag) => flag.label), ["At risk", "Urgent", "Pinned", "Double-handed"]);
        assert.deepEqual(visitFlags(visit()), []);
        assert.equal(visitTitle(visit()), "LE1 1AA · Alice Archer");
        assert.equal(visitTitle(visit({ person: null, postcode: null })), "Person not shown");
    });
    it("says why a visit is at risk", () => {
        assert.equal(atRiskReason(visit(), NOW), null);
        const late = visit({ at_risk: true, planned_start: T("12:20") });
        assert.equal(atRiskReason(late, NOW), "Planned for 12:20, after its latest start 12:00");
        const unplaced = visit({ at_risk: true, status: "planned", staff_id: null, planned_start: null, deadline: T("10:25") });
        assert.equal(atRiskReason(unplaced, NOW), "Not allocated; deadline 10:25 (in 25 min)");
        const overdue = visit({ at_risk: true, status: "planned", staff_id: null, planned_start: null, deadline: T("08:45") });
        assert.equal(atRiskReason(overdue, NOW), "Not allocated; deadline 08:45 (1 h 15 min ago)");
    });
    it("moves a visit to its new row at once when the API answers", () => {
        const before = plan();
        const moved = visit({ staff_id: "yusuf", pinned: true });
        const after = withVisit(before, moved);
        assert.deepEqual(after.staff.map((member) => [member.staff_id, member.visits.map((v) => v.visit_id)]), [
            ["joe", []],
            ["yusuf", ["v1"]],
        ]);
        assert.equal(visitsById(after).get("v1")?.pinned, true);
        const unplaced = withVisit(before, visit({ status: "planned", staff_id: "yusuf", planned_start: null, pinned: true }));
        assert.equal(unplaced.unallocated.length, 1);
    });
    it("sums up a re-plan", () => {
        assert.equal(runSummary({ trigger: "visit pinned by coordinator", started_at: T("10:02"), visits: 12, changes: 1, unassigned: 0, solve_seconds: 0.84 }), "10:02 visit pinned by coordinator: 12 visits, 1 change, 0.8 s");
    });
});
