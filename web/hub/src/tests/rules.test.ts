import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildAddition, buildReferral, normalisePostcode, parseDateOfBirth, resolveErrorField } from "../rules.js";

const ETHEL = {
  "referrer.role": "gp",
  "referrer.organisation": "Riverside Practice",
  "referrer.name": "",
  "referrer.callback_number": "0116 496 0002",
  "patient.nhs_number": "999 000 0026",
  "patient.given_name": "Ethel",
  "patient.family_name": "Barnes",
  "patient.date_of_birth": "17/09/1931",
  "patient.address": "22 Canal Street, Riverside",
  "patient.postcode": "le35bb",
  "patient.gp_practice_code": "c82002",
  route: "step-up",
  presenting_needs: ["fall"],
  reason: "Fall at home this morning, no serious injury.",
  known_risks: "",
  access_notes: "Key safe by the back door",
  consent_to_share: "yes",
  "family_contact.relationship": "",
  "family_contact.may_be_told_plan": false,
  clinical_frailty_scale: "6",
  from_care_home: false,
  "observations.spo2_scale": "1",
};

describe("referral rules", () => {
  it("takes the person's and the family's contact preferences, and asks for the number a channel needs", () => {
    const id = "5f0c6f9e-2b1c-4d8e-9f3a-1a2b3c4d5e6f";
    const withContacts = buildReferral(
      {
        ...ETHEL,
        "patient.contact.preferred_channel": "letter",
        "family_contact.relationship": "Daughter",
        "family_contact.may_be_told_plan": true,
        "family_contact.contact.preferred_channel": "sms",
        "family_contact.contact.mobile": "07700 900456",
      },
      id,
      "2025-01-06",
    );
    assert.equal(withContacts.ok, true);
    if (!withContacts.ok) return;
    assert.deepEqual(withContacts.payload.patient.contact, { preferred_channel: "letter" });
    assert.deepEqual(withContacts.payload.family_contact?.contact, { preferred_channel: "sms", mobile: "07700 900456" });
    const none = buildReferral(ETHEL, id, "2025-01-06");
    assert.equal(none.ok && "contact" in none.payload.patient, false);
    const missing = buildReferral({ ...ETHEL, "patient.contact.preferred_channel": "sms", "family_contact.contact.email": "x@y.org" }, id, "2025-01-06");
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.deepEqual(missing.errors.map((e) => e.field).sort(), ["family_contact.relationship", "patient.contact.mobile"]);
  });

  it("sends the referrer's email when given, and refuses one that is not an address", () => {
    const given = buildReferral({ ...ETHEL, "referrer.email": "riverside.practice@nhs.net" }, "5f0c6f9e-2b1c-4d8e-9f3a-1a2b3c4d5e6f", "2025-01-06");
    assert.equal(given.ok && given.payload.referrer.email, "riverside.practice@nhs.net");
    const none = buildReferral(ETHEL, "5f0c6f9e-2b1c-4d8e-9f3a-1a2b3c4d5e6f", "2025-01-06");
    assert.equal(none.ok && "email" in none.payload.referrer, false);
    const bad = buildReferral({ ...ETHEL, "referrer.email": "riverside practice" }, "5f0c6f9e-2b1c-4d8e-9f3a-1a2b3c4d5e6f", "2025-01-06");
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.deepEqual(bad.errors.map((e) => e.field), ["referrer.email"]);
  });

  it("builds the API payload from the form's values", () => {
    const built = buildReferral(ETHEL, "5f0c6f9e-2b1c-4d8e-9f3a-1a2b3c4d5e6f", "2025-01-06");
    assert.equal(built.ok, true);
    if (!built.ok) return;
    assert.equal(built.payload.patient.nhs_number, "9990000026");
    assert.equal(built.payload.patient.postcode, "LE3 5BB");
    assert.equal(built.payload.patient.date_of_birth, "1931-09-17");
    assert.equal(built.payload.patient.gp_practice_code, "C82002");
    assert.equal(built.payload.consent_to_share, true);
    assert.equal(built.payload.clinical_frailty_scale, 6);
    assert.equal("name" in built.payload.referrer, false);
    assert.equal(built.payload.observations, undefined);
    assert.equal(built.payload.family_contact, undefined);
  });

  it("mirrors the API's refusals, naming each field", () => {
    const built = buildReferral(
      { ...ETHEL, "patient.nhs_number": "9990000027", "patient.date_of_birth": "2030-01-01", reason: "<script>x", "observations.pulse": "80" },
      "id",
      "2025-01-06",
    );
    assert.equal(built.ok, false);
    const fields = built.ok ? [] : built.errors.map((e) => e.field);
    for (const field of ["patient.nhs_number", "patient.date_of_birth", "reason", "observations.respiration_rate"]) {
      assert.ok(fields.includes(field), field);
    }
  });

  it("needs at least one thing to add to an open referral", () => {
    assert.equal(buildAddition({ reason: " " }).ok, false);
    assert.deepEqual(buildAddition({ reason: "Now also confused", presenting_needs: [] }), { ok: true, payload: { reason: "Now also confused" } });
  });

  it("maps API error paths to form fields", () => {
    const known = new Set(["patient.nhs_number", "patient.date_of_birth", "presenting_needs", "family_contact.relationship"]);
    assert.equal(resolveErrorField("patient.nhs_number", "bad", known), "patient.nhs_number");
    assert.equal(resolveErrorField("body.presenting_needs.0", "bad", known), "presenting_needs");
    assert.equal(resolveErrorField("patient", "Value error, date_of_birth is in the future", known), "patient.date_of_birth");
    assert.equal(resolveErrorField("family_contact.contact_id", "bad", known), "family_contact.relationship");
    assert.equal(resolveErrorField("(body)", "bad", known), null);
  });

  it("reads dates of birth day first, as typed on a call", () => {
    for (const text of ["17/09/1931", "17.9.1931", "17 9 1931", "17091931", "1931-09-17"]) {
      assert.equal(parseDateOfBirth(text), "1931-09-17", text);
    }
    assert.equal(parseDateOfBirth("31/02/1931"), null);
    assert.equal(parseDateOfBirth("09/1931"), null);
  });

  it("normalises postcodes", () => {
    assert.equal(normalisePostcode(" le1  1aa"), "LE1 1AA");
    assert.equal(normalisePostcode("sw1a1aa"), "SW1A 1AA");
  });
});
