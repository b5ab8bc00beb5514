import assert from "node:assert/strict";
import { test } from "node:test";
import { changes, withPending } from "../day.js";
import { decodeDay } from "../model.js";
function visit(id, start, status = "assigned") {
    return {
        visit_id: id,
        episode_id: `e-${id}`,
        status,
        purpose: "care",
        planned_start: start,
        duration_minutes: 30,
        tasks: [],
        person: { given_name: "Alice", family_name: "Archer", address: "4 Mill Lane", postcode: "LE1 1AA", access_notes: "Key safe 1234", reason: "", known_risks: "" },
        record: {},
    };
}
function day(...visits) {
    const decoded = decodeDay({ day: "2030-01-01", staff_id: "me", generated_at: "2030-01-01T08:00:00Z", visits });
    assert.notEqual(decoded, null);
    return decoded;
}
function queued(kind, body, state = "pending") {
    return { key: kind, kind, path: "", body, visitId: "v1", episodeId: "e-v1", label: kind, takenAt: "2030-01-01T10:00:00Z", staffId: "me", state, message: null, attempts: 0 };
}
test("waiting actions show on the visit as the server will record them", () => {
    const shown = withPending(day(visit("v1", "2030-01-01T10:00:00Z")), [
        queued("arrived", { at: "2030-01-01T10:02:00Z" }),
        queued("observations", { observations: { respiration_rate: 22, spo2_percent: 94, spo2_scale: 1, on_supplemental_oxygen: false, systolic_bp: 128, pulse: 112, consciousness: "A", temperature_celsius: 38.5 } }),
        queued("complete", { at: "2030-01-01T10:30:00Z", tasks_done: ["personal-care"], notes: "Settled" }),
    ]);
    const v = shown.visits[0];
    assert.equal(v.status, "completed");
    assert.equal(v.record.arrived_at, "2030-01-01T10:02:00Z");
    assert.deepEqual(v.record.news2, { score: 6, band: "medium" });
    assert.deepEqual(v.record.tasks_done, ["personal-care"]);
    assert.deepEqual(v.record.notes, ["Settled"]);
});
test("a conflicting action is not shown as done", () => {
    const shown = withPending(day(visit("v1", "2030-01-01T10:00:00Z")), [queued("arrived", {}, "conflict")]);
    assert.equal(shown.visits[0]?.status, "assigned");
});
test("running late is worked out from the planned start", () => {
    const shown = withPending(day(visit("v1", "2030-01-01T10:00:00Z")), [queued("running-late", { expected_arrival: "2030-01-01T10:20:00Z" })]);
    assert.equal(shown.visits[0]?.record.running_late_minutes, 20);
});
test("what changed: a new visit, one taken away, one moved; finished visits are not news", () => {
    const before = day(visit("v1", "2030-01-01T10:00:00Z"), visit("v2", "2030-01-01T11:00:00Z"), visit("v3", "2030-01-01T12:00:00Z", "completed"));
    const after = day(visit("v1", "2030-01-01T10:30:00Z"), visit("v4", "2030-01-01T13:00:00Z"));
    assert.deepEqual(changes(before, after).map((c) => [c.kind, c.visit.visit_id]), [["moved", "v1"], ["added", "v4"], ["removed", "v2"]]);
    assert.deepEqual(changes(null, after), []);
});
