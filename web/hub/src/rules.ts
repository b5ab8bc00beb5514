/**
 * The API's rules for a referral, mirrored client-side, and the payload built from the form's
 * values. DOM-free so it can be unit tested. The API stays the authority: its 422s are always shown.
 */

import { checkNhsNumber } from "./nhs-number.js";
import { OTHER_NEEDS, REFERRER_ROLES, UCR_NEEDS } from "./labels.js";

export type FieldValue = string | boolean | string[];
export type FormValues = Readonly<Record<string, FieldValue>>;

export interface RuleError {
  readonly field: string;
  readonly reason: string;
}

export type Built<T> = { readonly ok: true; readonly payload: T } | { readonly ok: false; readonly errors: readonly RuleError[] };

export const CALLBACK_PATTERN = /^\+?[0-9 ()-]{6,20}$/;
export const POSTCODE_PATTERN = /^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$/;
export const PRACTICE_PATTERN = /^[A-Z][0-9]{5}$/;
/** The API refuses free text with `<` (then optional spaces) followed by a letter, `/`, `!` or `?`:
 * it looks like markup. */
export const MARKUP_PATTERN = /<\s*[A-Za-z/!?]/;

const ROLE_CODES = new Set(REFERRER_ROLES.map(([code]) => code));
const NEED_CODES = new Set([...UCR_NEEDS, ...OTHER_NEEDS].map(([code]) => code));

function text(values: FormValues, name: string): string {
  const value = values[name];
  return typeof value === "string" ? value.trim() : "";
}

function flag(values: FormValues, name: string): boolean {
  return values[name] === true;
}

function list(values: FormValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}

class Checker {
  readonly errors: RuleError[] = [];

  fail(field: string, reason: string): void {
    if (!this.errors.some((e) => e.field === field)) this.errors.push({ field, reason });
  }

  /** Free text: length limits and no markup. Returns the trimmed text. */
  freeText(values: FormValues, field: string, label: string, min: number, max: number): string {
    const value = text(values, field);
    if (value.length < min) this.fail(field, min === 1 ? `Enter ${label}` : `${label} is too short`);
    else if (value.length > max) this.fail(field, `${capitalise(label)} must be ${max} characters or fewer (${value.length} now)`);
    else if (MARKUP_PATTERN.test(value)) this.fail(field, `Remove the "<" from ${label}: text that looks like markup is refused`);
    return value;
  }

  integer(values: FormValues, field: string, label: string, min: number, max: number): number | null {
    const raw = text(values, field);
    if (!/^[0-9]+$/.test(raw)) {
      this.fail(field, `Enter ${label} as a whole number`);
      return null;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      this.fail(field, `${capitalise(label)} must be between ${min} and ${max}`);
      return null;
    }
    return value;
  }
}

function capitalise(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** "le11aa" -> "LE1 1AA"; anything not postcode-like comes back upper-cased as typed. */
export function normalisePostcode(raw: string): string {
  const compact = raw.replace(/\s+/g, "").toUpperCase();
  if (compact.length >= 5 && compact.length <= 7) return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  return raw.trim().toUpperCase();
}

/** Today's date as YYYY-MM-DD in the desktop's own time zone. */
export function localToday(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/**
 * A date of birth as said on the phone and typed fast: "17/09/1931", "17.9.1931", "17 9 1931",
 * "17091931", or ISO "1931-09-17". Day first (UK). Returns ISO YYYY-MM-DD, or null.
 */
export function parseDateOfBirth(raw: string): string | null {
  const text = raw.trim();
  let day: string | undefined;
  let month: string | undefined;
  let year: string | undefined;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (match !== null) [, year, month, day] = match;
  else if ((match = /^(\d{1,2})[/. -]+(\d{1,2})[/. -]+(\d{4})$/.exec(text)) !== null) [, day, month, year] = match;
  else if ((match = /^(\d{2})(\d{2})(\d{4})$/.exec(text)) !== null) [, day, month, year] = match;
  if (day === undefined || month === undefined || year === undefined) return null;
  const iso = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
  return validDate(iso) ? iso : null;
}

function validDate(iso: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The contract's email pattern (carerelay_contract.parts). */
export const EMAIL_PATTERN = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

export const OBSERVATION_FIELDS = [
  "observations.respiration_rate",
  "observations.spo2_percent",
  "observations.systolic_bp",
  "observations.pulse",
  "observations.consciousness",
  "observations.temperature_celsius",
] as const;

/** How someone wants to be told (the contract's ContactPreferences). */
export interface ContactPreferences {
  preferred_channel: string;
  mobile?: string;
  email?: string;
}

const CHANNEL_CODES = new Set(["none", "sms", "email", "letter"]);

/** The contact preferences under `prefix` ("patient.contact", "family_contact.contact"); undefined when none were given. */
function contactOf(c: Checker, values: FormValues, prefix: string): ContactPreferences | undefined {
  const channel = text(values, `${prefix}.preferred_channel`) || "none";
  const mobile = text(values, `${prefix}.mobile`);
  const email = text(values, `${prefix}.email`);
  if (!CHANNEL_CODES.has(channel)) c.fail(`${prefix}.preferred_channel`, "Choose how they want to be told");
  if (mobile !== "" && !CALLBACK_PATTERN.test(mobile)) c.fail(`${prefix}.mobile`, "Enter a phone number: 6 to 20 digits, spaces, brackets or dashes, optional leading +");
  if (email !== "" && (email.length > 254 || !EMAIL_PATTERN.test(email))) c.fail(`${prefix}.email`, "Enter an email address like name@example.com, or leave it empty");
  if (channel === "sms" && mobile === "") c.fail(`${prefix}.mobile`, "Enter the mobile number for text messages");
  if (channel === "email" && email === "") c.fail(`${prefix}.email`, "Enter the email address");
  if (channel === "none" && mobile === "" && email === "") return undefined;
  const found: ContactPreferences = { preferred_channel: channel };
  if (mobile !== "") found.mobile = mobile;
  if (email !== "") found.email = email;
  return found;
}

export interface ReferralPayload {
  referrer: { role: string; organisation: string; name?: string; callback_number: string; email?: string };
  patient: {
    nhs_number: string;
    given_name: string;
    family_name: string;
    date_of_birth: string;
    address: string;
    postcode: string;
    gp_practice_code: string;
    contact?: ContactPreferences;
  };
  route: string;
  reason: string;
  presenting_needs: string[];
  known_risks: string;
  access_notes: string;
  consent_to_share: boolean;
  family_contact?: { contact_id: string; relationship: string; may_be_told_plan: boolean; contact?: ContactPreferences };
  clinical_frailty_scale?: number;
  from_care_home: boolean;
  observations?: {
    respiration_rate: number;
    spo2_percent: number;
    spo2_scale: 1 | 2;
    on_supplemental_oxygen: boolean;
    systolic_bp: number;
    pulse: number;
    consciousness: string;
    temperature_celsius: number;
  };
}

export function buildReferral(values: FormValues, familyContactId: string, today: string = localToday()): Built<ReferralPayload> {
  const c = new Checker();

  const role = text(values, "referrer.role");
  if (!ROLE_CODES.has(role)) c.fail("referrer.role", "Choose who is referring");
  const organisation = c.freeText(values, "referrer.organisation", "the referrer's organisation", 1, 200);
  const referrerName = c.freeText(values, "referrer.name", "the referrer's name", 0, 200);
  const callback = text(values, "referrer.callback_number");
  if (callback === "") c.fail("referrer.callback_number", "Enter a call-back number");
  else if (!CALLBACK_PATTERN.test(callback)) c.fail("referrer.callback_number", "Enter a phone number: 6 to 20 digits, spaces, brackets or dashes, optional leading +");
  const referrerEmail = text(values, "referrer.email");
  if (referrerEmail !== "" && (referrerEmail.length > 254 || !EMAIL_PATTERN.test(referrerEmail))) {
    c.fail("referrer.email", "Enter an email address like name@example.nhs.net, or leave it empty");
  }

  const nhs = checkNhsNumber(text(values, "patient.nhs_number"));
  if (!nhs.valid) c.fail("patient.nhs_number", nhs.reason);
  const given = c.freeText(values, "patient.given_name", "the patient's given name", 1, 200);
  const family = c.freeText(values, "patient.family_name", "the patient's family name", 1, 200);
  const dobText = text(values, "patient.date_of_birth");
  const dob = parseDateOfBirth(dobText) ?? "";
  if (dobText === "") c.fail("patient.date_of_birth", "Enter the date of birth");
  else if (dob === "") c.fail("patient.date_of_birth", "Enter a real date of birth as day, month and year, like 17/09/1931");
  else if (dob > today) c.fail("patient.date_of_birth", "The date of birth cannot be in the future");
  else if (dob < "1890-01-01") c.fail("patient.date_of_birth", "Check the year of birth");
  const address = c.freeText(values, "patient.address", "the address", 1, 400);
  const postcodeRaw = text(values, "patient.postcode");
  const postcode = normalisePostcode(postcodeRaw);
  if (postcodeRaw === "") c.fail("patient.postcode", "Enter the postcode");
  else if (!POSTCODE_PATTERN.test(postcode)) c.fail("patient.postcode", "Enter a UK postcode, like LE1 1AA");
  const practice = text(values, "patient.gp_practice_code").toUpperCase();
  if (practice === "") c.fail("patient.gp_practice_code", "Enter the GP practice code (search by name or code)");
  else if (!PRACTICE_PATTERN.test(practice)) c.fail("patient.gp_practice_code", "A GP practice code is a letter and 5 digits, like C82001: pick one from the list");

  const route = text(values, "route");
  if (route !== "step-up" && route !== "step-down") c.fail("route", "Choose step-up or step-down");
  const needs = list(values, "presenting_needs").filter((need) => NEED_CODES.has(need));
  if (needs.length === 0) c.fail("presenting_needs", "Choose at least one presenting need");
  const reason = c.freeText(values, "reason", "the reason for referral", 1, 4000);
  const risks = c.freeText(values, "known_risks", "known risks", 0, 4000);
  const access = c.freeText(values, "access_notes", "access notes", 0, 4000);
  const consent = text(values, "consent_to_share");
  if (consent !== "yes" && consent !== "no") c.fail("consent_to_share", "Ask and record whether the person consents to sharing");

  const relationship = c.freeText(values, "family_contact.relationship", "the family contact's relationship", 0, 200);
  const mayBeTold = flag(values, "family_contact.may_be_told_plan");
  if (mayBeTold && relationship === "") c.fail("family_contact.relationship", "Enter who the family contact is, or untick 'may be told the plan'");
  const patientContact = contactOf(c, values, "patient.contact");
  const familyContact = contactOf(c, values, "family_contact.contact");
  if (familyContact !== undefined && relationship === "") c.fail("family_contact.relationship", "Enter who the family contact is, or clear their contact details");

  const frailtyRaw = text(values, "clinical_frailty_scale");
  let frailty: number | null = null;
  if (frailtyRaw !== "") frailty = c.integer(values, "clinical_frailty_scale", "the Clinical Frailty Scale", 1, 9);

  let observations: ReferralPayload["observations"] | undefined;
  const anyObservation =
    OBSERVATION_FIELDS.some((name) => text(values, name) !== "") || flag(values, "observations.on_supplemental_oxygen");
  if (anyObservation) {
    const missing = OBSERVATION_FIELDS.filter((name) => text(values, name) === "");
    for (const name of missing) c.fail(name, "Complete every observation, or leave them all blank");
    const rr = c.integer(values, "observations.respiration_rate", "respiration rate", 0, 80);
    const spo2 = c.integer(values, "observations.spo2_percent", "SpO2", 40, 100);
    const sbp = c.integer(values, "observations.systolic_bp", "systolic blood pressure", 30, 300);
    const pulse = c.integer(values, "observations.pulse", "pulse", 20, 250);
    const consciousness = text(values, "observations.consciousness");
    if (!["A", "C", "V", "P", "U"].includes(consciousness)) c.fail("observations.consciousness", "Choose A, C, V, P or U");
    const tempRaw = text(values, "observations.temperature_celsius");
    let temp: number | null = null;
    if (!/^[0-9]{2}(\.[0-9])?$/.test(tempRaw)) c.fail("observations.temperature_celsius", "Enter the temperature in °C, like 37.2");
    else {
      temp = Number(tempRaw);
      if (temp < 25 || temp > 45) c.fail("observations.temperature_celsius", "Temperature must be between 25 and 45 °C");
    }
    const scale = text(values, "observations.spo2_scale") === "2" ? 2 : 1;
    if (rr !== null && spo2 !== null && sbp !== null && pulse !== null && temp !== null) {
      observations = {
        respiration_rate: rr,
        spo2_percent: spo2,
        spo2_scale: scale,
        on_supplemental_oxygen: flag(values, "observations.on_supplemental_oxygen"),
        systolic_bp: sbp,
        pulse,
        consciousness,
        temperature_celsius: temp,
      };
    }
  }

  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  const payload: ReferralPayload = {
    referrer: { role, organisation, callback_number: callback },
    patient: {
      nhs_number: nhs.digits,
      given_name: given,
      family_name: family,
      date_of_birth: dob,
      address,
      postcode,
      gp_practice_code: practice,
    },
    route,
    reason,
    presenting_needs: needs,
    known_risks: risks,
    access_notes: access,
    consent_to_share: consent === "yes",
    from_care_home: flag(values, "from_care_home"),
  };
  if (referrerName !== "") payload.referrer.name = referrerName;
  if (referrerEmail !== "") payload.referrer.email = referrerEmail;
  if (patientContact !== undefined) payload.patient.contact = patientContact;
  if (relationship !== "") {
    payload.family_contact = { contact_id: familyContactId, relationship, may_be_told_plan: mayBeTold };
    if (familyContact !== undefined) payload.family_contact.contact = familyContact;
  }
  if (frailty !== null) payload.clinical_frailty_scale = frailty;
  if (observations !== undefined) payload.observations = observations;
  return { ok: true, payload };
}

export interface AdditionPayload {
  reason?: string;
  presenting_needs?: string[];
  known_risks?: string;
  access_notes?: string;
}

/** Adding information to an open referral: any of reason, needs, risks, access notes (at least one). */
export function buildAddition(values: FormValues): Built<AdditionPayload> {
  const c = new Checker();
  const reason = c.freeText(values, "reason", "what has changed", 0, 4000);
  const needs = list(values, "presenting_needs").filter((need) => NEED_CODES.has(need));
  const risks = c.freeText(values, "known_risks", "known risks", 0, 4000);
  const access = c.freeText(values, "access_notes", "access notes", 0, 4000);
  if (c.errors.length === 0 && reason === "" && needs.length === 0 && risks === "" && access === "") {
    c.fail("reason", "Enter what has changed, or a need, risk or access note to add");
  }
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  const payload: AdditionPayload = {};
  if (reason !== "") payload.reason = reason;
  if (needs.length > 0) payload.presenting_needs = needs;
  if (risks !== "") payload.known_risks = risks;
  if (access !== "") payload.access_notes = access;
  return { ok: true, payload };
}

/** Aliases for API error paths that name something the form does not show as its own input. */
const ALIASES: Readonly<Record<string, string>> = {
  "family_contact.contact_id": "family_contact.relationship",
  family_contact: "family_contact.relationship",
  observations: "observations.respiration_rate",
  "observations.taken_at": "observations.respiration_rate",
  "patient.latitude": "patient.postcode",
  "patient.longitude": "patient.postcode",
};

/**
 * Which form field an API error path (e.g. "patient.nhs_number", "presenting_needs.0",
 * "body.patient") belongs to, or null for the summary only. A model-level error ("patient") whose
 * reason names a field ("date_of_birth is in the future") goes to that field.
 */
export function resolveErrorField(path: string, reason: string, known: ReadonlySet<string>): string | null {
  let segments = path.split(".").filter((s) => s !== "");
  if (segments[0] === "body") segments = segments.slice(1);
  // List indexes ("presenting_needs.0") and pydantic union tags ("Observations") are not fields.
  segments = segments.filter((s) => !/^[0-9]+$/.test(s) && !/^[A-Z]/.test(s));
  for (let n = segments.length; n > 0; n -= 1) {
    const candidate = segments.slice(0, n).join(".");
    if (known.has(candidate)) return candidate;
    const named = [...known].find((k) => k.startsWith(`${candidate}.`) && reason.includes(k.slice(candidate.length + 1)));
    if (named !== undefined) return named;
    const alias = ALIASES[candidate];
    if (alias !== undefined && known.has(alias)) return alias;
  }
  return null;
}
