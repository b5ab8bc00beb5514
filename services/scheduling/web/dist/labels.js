/** Words for the codes the API uses. */
export const STATUS = {
    planned: "Not assigned",
    assigned: "To do",
    "en-route": "On my way",
    "in-progress": "In progress",
    completed: "Completed",
    missed: "Missed",
    cancelled: "Cancelled",
};
export const PURPOSE = {
    "first-response": "First response",
    assessment: "Assessment",
    care: "Care visit",
    therapy: "Therapy",
    reassessment: "Reassessment",
};
export const TASKS = {
    "medication-prompt": "Medication prompt",
    "personal-care": "Personal care",
    "mobility-practice": "Mobility practice",
    "meal-preparation": "Meal preparation",
    "welfare-check": "Welfare check",
};
/** Offered at every visit, with whatever the care plan asks for. */
export const STANDARD_TASKS = ["medication-prompt", "personal-care", "mobility-practice"];
export const MISSED_REASONS = {
    "no-access": "Couldn't gain access",
    "patient-not-home": "Not at home",
    "patient-declined": "Declined the visit",
    "patient-admitted": "Admitted to hospital",
    "staff-unavailable": "I couldn't make it",
};
export const BANDS = {
    low: "Low",
    "low-medium": "Low-medium",
    medium: "Medium",
    high: "High",
};
export const ASSESSMENTS = {
    initial: "Initial assessment",
    review: "Review",
    "falls-risk": "Falls risk",
    "clinical-frailty-scale": "Clinical Frailty Scale",
};
export const CFS = [
    "1 Very fit",
    "2 Fit",
    "3 Managing well",
    "4 Living with very mild frailty",
    "5 Living with mild frailty",
    "6 Living with moderate frailty",
    "7 Living with severe frailty",
    "8 Living with very severe frailty",
    "9 Terminally ill",
];
export const CONSCIOUSNESS = {
    A: "Alert",
    C: "New confusion",
    V: "Responds to voice",
    P: "Responds to pain",
    U: "Unresponsive",
};
export const DISCIPLINES = {
    nurse: "Nurse",
    therapist: "Therapist",
    "social-care": "Social care",
};
export const OUTCOMES = {
    "no-further-services": "No further services",
    "ongoing-care-package": "Ongoing care package",
    "transferred-to-other-service": "Transferred to another service",
    "long-term-residential-care": "Long-term residential care",
    "admitted-to-hospital": "Admitted to hospital",
    "declined-service": "Declined the service",
    died: "Died",
};
export const CONSENT = {
    "professional-sharing": "Sharing with professionals",
    "family-involvement": "Family involvement",
};
export function label(words, code) {
    return words[code] ?? code.replace(/-/g, " ");
}
export function clock(iso) {
    if (iso === null)
        return "--:--";
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? "--:--" : date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}
export function dayTitle(iso) {
    const date = new Date(`${iso}T12:00:00`);
    return Number.isNaN(date.getTime()) ? "Today" : date.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
}
