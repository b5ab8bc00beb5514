/**
 * The domain's words that both front ends say the same way: the services' codes in plain English.
 * Each front end keeps the words only it uses (web/hub/src/labels.ts, web/clinician/src/labels.ts).
 */

/** Why a visit is made (scheduling's `purpose`). */
export const VISIT_PURPOSES: Readonly<Record<string, string>> = {
  "first-response": "First response",
  assessment: "Assessment",
  care: "Care visit",
  therapy: "Therapy",
  reassessment: "Reassessment",
};

/** Who leads an episode (triage's `lead_discipline`). */
export const LEAD_DISCIPLINES: Readonly<Record<string, string>> = {
  nurse: "Nurse",
  therapist: "Therapist",
  "social-care": "Social care",
};

/** ACVPU: the level of consciousness in a NEWS2 set of observations. */
export const ACVPU: Readonly<Record<string, string>> = {
  A: "Alert",
  C: "New confusion",
  V: "Responds to voice",
  P: "Responds to pain",
  U: "Unresponsive",
};

/** The Clinical Frailty Scale (Rockwood), 1 to 9, by score. */
export const CLINICAL_FRAILTY_SCALE: Readonly<Record<string, string>> = {
  1: "1 Very fit",
  2: "2 Fit",
  3: "3 Managing well",
  4: "4 Living with very mild frailty",
  5: "5 Living with mild frailty",
  6: "6 Living with moderate frailty",
  7: "7 Living with severe frailty",
  8: "8 Living with very severe frailty",
  9: "9 Terminally ill",
};
