import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type ClockInput, clockView, compareByDeadline, formatDuration } from "../countdown.js";

const RECEIVED = Date.parse("2025-01-06T10:00:00Z");
const HOUR = 3_600_000;

function row(overrides: Partial<ClockInput> = {}): ClockInput {
  return {
    received_at: new Date(RECEIVED).toISOString(),
    first_contact_deadline: new Date(RECEIVED + 2 * HOUR).toISOString(), // UCR: 2 hours allowed
    clock: "running",
    first_contact_at: null,
    ...overrides,
  };
}

describe("response clock", () => {
  it("formats h:mm:ss, hours beyond 24 allowed", () => {
    assert.equal(formatDuration(0), "0:00:00");
    assert.equal(formatDuration(25 * 60_000 + 10_000), "0:25:10");
    assert.equal(formatDuration(-(3 * 60_000 + 12_000)), "0:03:12");
    assert.equal(formatDuration(71 * HOUR + 59 * 60_000 + 59_999), "71:59:59");
  });

  it("says stopped while the person is in hospital, even past the deadline", () => {
    const view = clockView(row({ hospital_stay: { hospital: "County General" } }), RECEIVED + 3 * HOUR);
    assert.deepEqual([view.level, view.text], ["none", "STOPPED: in hospital"]);
  });

  it("is plain while under 75% of the allowed time has gone", () => {
    const view = clockView(row(), RECEIVED + HOUR); // 50%
    assert.equal(view.level, "ok");
    assert.equal(view.text, "1:00:00");
  });

  it("turns amber at 75% of the allowed time, with the words AT RISK", () => {
    const justBefore = clockView(row(), RECEIVED + 1.5 * HOUR - 1000);
    assert.equal(justBefore.level, "ok");
    const at = clockView(row(), RECEIVED + 1.5 * HOUR);
    assert.equal(at.level, "amber");
    assert.equal(at.text, "AT RISK 0:30:00");
    const later = clockView(row(), RECEIVED + 2 * HOUR - (25 * 60_000 + 10_000));
    assert.equal(later.text, "AT RISK 0:25:10");
  });

  it("turns amber early when the server says at-risk", () => {
    const view = clockView(row({ clock: "at-risk" }), RECEIVED + 10 * 60_000);
    assert.equal(view.level, "amber");
    assert.match(view.text, /^AT RISK /);
  });

  it("turns red past the deadline, counting up with BREACHED +", () => {
    const view = clockView(row(), RECEIVED + 2 * HOUR + 3 * 60_000 + 12_000);
    assert.equal(view.level, "red");
    assert.equal(view.text, "BREACHED +0:03:12");
  });

  it("turns red when the server says breached, even if this clock is behind", () => {
    const view = clockView(row({ clock: "breached" }), RECEIVED + HOUR);
    assert.equal(view.level, "red");
    assert.match(view.text, /^BREACHED/);
  });

  it("shows MET once first contact is made, and no countdown without a deadline", () => {
    assert.equal(clockView(row({ first_contact_at: new Date(RECEIVED + HOUR).toISOString() }), RECEIVED + 3 * HOUR).level, "met");
    assert.equal(clockView(row({ clock: "met" }), RECEIVED + 3 * HOUR).text, "MET");
    const untriaged = clockView(row({ first_contact_deadline: null, clock: null }), RECEIVED);
    assert.equal(untriaged.level, "none");
  });

  it("sorts soonest deadline first, undeadlined last (oldest first)", () => {
    const a = row({ first_contact_deadline: new Date(RECEIVED + 3 * HOUR).toISOString() });
    const b = row({ first_contact_deadline: new Date(RECEIVED + HOUR).toISOString() });
    const c = row({ first_contact_deadline: null, received_at: new Date(RECEIVED + HOUR).toISOString() });
    const d = row({ first_contact_deadline: null, received_at: new Date(RECEIVED).toISOString() });
    assert.deepEqual([a, c, b, d].sort(compareByDeadline), [b, a, d, c]);
  });
});
