import assert from "node:assert/strict";
import { test } from "node:test";

import { type BoardRow, READ_AGAIN_AFTER_MS, rowShows } from "../model.js";

const RECEIVED: BoardRow = {
  referral_id: "r1",
  episode_id: "e1",
  status: "received",
  route: "step-up",
  received_at: "2026-12-01T09:00:00Z",
  tier: null,
  lead_discipline: null,
  first_contact_deadline: null,
  clock: null,
  team: "north",
  locality: null,
  presenting_needs: ["fall"],
  first_visit_planned_start: null,
  first_contact_at: null,
  patient: { name: "Alice Archer", nhs_number: "9990000018", date_of_birth: "1938-04-02" },
  decided_by: null,
  rejection_reason: null,
  cancellation_reason: null,
  discharge_recommendation: null,
  outcome: null,
  hospital_stay: null,
};

test("a row read before the hub applied an event does not show it yet, and does once applied", () => {
  assert.equal(rowShows(RECEIVED, "triage.completed"), false);
  assert.equal(rowShows({ ...RECEIVED, status: "triaged", tier: "ucr-2h" }, "triage.completed"), true);
  assert.equal(rowShows({ ...RECEIVED, status: "triaged", tier: "ucr-2h" }, "referral.accepted"), false);
  assert.equal(rowShows({ ...RECEIVED, status: "accepted", tier: "ucr-2h" }, "referral.accepted"), true);
  assert.equal(rowShows({ ...RECEIVED, status: "rejected" }, "referral.rejected"), true);
  assert.equal(rowShows(RECEIVED, "visit.assigned"), false);
  assert.equal(rowShows({ ...RECEIVED, first_visit_planned_start: "2026-12-01T10:00:00Z" }, "visit.assigned"), true);
  assert.equal(rowShows(RECEIVED, "visit.started"), false);
  const recommendation = { recommendation_id: "d1", outcome: "died", summary: "" };
  assert.equal(rowShows(RECEIVED, "discharge.recommended"), false);
  assert.equal(rowShows({ ...RECEIVED, discharge_recommendation: recommendation }, "discharge.recommended"), true);
  assert.equal(rowShows(RECEIVED, "episode.closed"), false);
  assert.equal(rowShows({ ...RECEIVED, status: "closed", outcome: "died" }, "episode.closed"), true);
});

test("events the row does not show never make a screen read again", () => {
  for (const type of ["visit.en-route", "notification.requested", "assessment.recorded", "response-clock.at-risk"]) {
    assert.equal(rowShows(RECEIVED, type), true, type);
  }
});

test("reading again gives up within about ten seconds", () => {
  const total = READ_AGAIN_AFTER_MS.reduce((sum, wait) => sum + wait, 0);
  assert.ok(total > 5000 && total < 12000, String(total));
});
