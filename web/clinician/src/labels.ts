/** Words for the codes the API uses (those the hub says too are in web/shared/src/words.ts). */

export const STATUS: Readonly<Record<string, string>> = {
  planned: "Not assigned",
  assigned: "To do",
  "en-route": "On my way",
  "in-progress": "In progress",
  completed: "Completed",
  missed: "Missed",
  cancelled: "Cancelled",
};

export const TASKS: Readonly<Record<string, string>> = {
  "medication-prompt": "Medication prompt",
  "personal-care": "Personal care",
  "mobility-practice": "Mobility practice",
  "meal-preparation": "Meal preparation",
  "welfare-check": "Welfare check",
};

/** Offered at every visit, with whatever the care plan asks for. */
export const STANDARD_TASKS = ["medication-prompt", "personal-care", "mobility-practice"] as const;

export const MISSED_REASONS: Readonly<Record<string, string>> = {
  "no-access": "Couldn't gain access",
  "patient-not-home": "Not at home",
  "patient-declined": "Declined the visit",
  "patient-admitted": "Admitted to hospital",
  "staff-unavailable": "I couldn't make it",
};

export const BANDS: Readonly<Record<string, string>> = {
  low: "Low",
  "low-medium": "Low-medium",
  medium: "Medium",
  high: "High",
};

export const ASSESSMENTS: Readonly<Record<string, string>> = {
  initial: "Initial assessment",
  review: "Review",
  "falls-risk": "Falls risk",
  "clinical-frailty-scale": "Clinical Frailty Scale",
};

export const OUTCOMES: Readonly<Record<string, string>> = {
  "no-further-services": "No further services",
  "ongoing-care-package": "Ongoing care package",
  "transferred-to-other-service": "Transferred to another service",
  "long-term-residential-care": "Long-term residential care",
  "admitted-to-hospital": "Admitted to hospital",
  "community-bed": "Moved to a community bed",
  "declined-service": "Declined the service",
  died: "Died",
};

export const CONSENT: Readonly<Record<string, string>> = {
  "professional-sharing": "Sharing with professionals",
  "family-involvement": "Family involvement",
};

export function label(words: Readonly<Record<string, string>>, code: string): string {
  return words[code] ?? code.replace(/-/g, " ");
}

export function clock(iso: string | null): string {
  if (iso === null) return "--:--";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "--:--" : date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function dayTitle(iso: string): string {
  const date = new Date(`${iso}T12:00:00`);
  return Number.isNaN(date.getTime()) ? "Today" : date.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
}
