/** The domain's words as the hub says them. */
export const REFERRER_ROLES = [
    ["gp", "GP"],
    ["ward-team", "Ward team"],
    ["ambulance-crew", "Ambulance crew"],
    ["care-home", "Care home"],
    ["nhs-111", "NHS 111"],
    ["community-team", "Community team"],
    ["social-worker", "Social worker"],
    ["family-or-carer", "Family or carer"],
    ["self", "Self-referral"],
];
/** The nine national 2-hour Urgent Community Response clinical needs. */
export const UCR_NEEDS = [
    ["fall", "Fall (no serious injury)"],
    ["frailty-decompensation", "Decompensation of frailty"],
    ["reduced-function", "Reduced function / mobility"],
    ["urgent-equipment", "Urgent equipment"],
    ["palliative-crisis", "Palliative / end-of-life crisis"],
    ["urgent-catheter-care", "Urgent catheter care"],
    ["urgent-diabetes-support", "Urgent diabetes support"],
    ["carer-breakdown", "Unpaid carer breakdown"],
    ["confusion-delirium", "Confusion / delirium"],
];
export const OTHER_NEEDS = [
    ["medication", "Medication"],
    ["discharge-support", "Discharge support"],
    ["reablement", "Reablement"],
    ["wound-care", "Wound care"],
    ["other", "Other"],
];
const NEEDS = new Map([...UCR_NEEDS, ...OTHER_NEEDS]);
const UCR = new Set(UCR_NEEDS.map(([code]) => code));
export function needLabel(code) {
    return NEEDS.get(code) ?? code;
}
export function isUcrNeed(code) {
    return UCR.has(code);
}
export const TIERS = [
    ["ucr-2h", "UCR 2 h"],
    ["rapid", "Rapid < 3 h"],
    ["fast", "Fast < 1 day"],
    ["normal", "Normal < 3 days"],
];
export function tierLabel(tier) {
    if (tier === null)
        return "Awaiting triage";
    return TIERS.find(([code]) => code === tier)?.[1] ?? tier;
}
export const ROUTES = [
    ["step-up", "Step-up"],
    ["step-down", "Step-down"],
];
export function routeLabel(route) {
    if (route === null)
        return "—";
    return ROUTES.find(([code]) => code === route)?.[1] ?? route;
}
const STATUS_LABELS = {
    received: "Received",
    triaged: "Triaged",
    accepted: "Accepted",
    "first-visit-planned": "First visit planned",
    "first-contact-made": "First contact made",
    rejected: "Rejected",
    cancelled: "Cancelled",
    closed: "Closed",
};
export function statusLabel(status) {
    return STATUS_LABELS[status] ?? status;
}
const LEADS = { nurse: "Nurse", therapist: "Therapist", "social-care": "Social care" };
export function leadLabel(lead) {
    if (lead === null)
        return "—";
    return LEADS[lead] ?? lead;
}
/** The county's teams and localities (services/referral/carerelay_referral/localities.py). Filters
 * also offer any other value seen on the board. */
export const KNOWN_TEAMS = ["north", "riverside", "east"];
export const KNOWN_LOCALITIES = [
    "Northgate Central",
    "Northgate South",
    "Riverside West",
    "Riverside North",
    "Eastfield",
    "Eastfield Villages",
    "Eastfield Rural",
];
export const CONSCIOUSNESS = [
    ["A", "A: Alert"],
    ["C", "C: New confusion"],
    ["V", "V: Responds to voice"],
    ["P", "P: Responds to pain"],
    ["U", "U: Unresponsive"],
];
export const FRAILTY = [
    ["1", "1 Very fit"],
    ["2", "2 Fit"],
    ["3", "3 Managing well"],
    ["4", "4 Living with very mild frailty"],
    ["5", "5 Living with mild frailty"],
    ["6", "6 Living with moderate frailty"],
    ["7", "7 Living with severe frailty"],
    ["8", "8 Living with very severe frailty"],
    ["9", "9 Terminally ill"],
];
const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false });
const DAY = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short" });
const FULL = new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
});
/** "14:32" today, "Tue 3 Jun 14:32" otherwise. */
export function shortTime(iso, nowMs = Date.now()) {
    if (iso === null)
        return "—";
    const ms = Date.parse(iso);
    if (Number.isNaN(ms))
        return iso;
    const date = new Date(ms);
    const today = new Date(nowMs);
    const sameDay = date.toDateString() === today.toDateString();
    return sameDay ? TIME.format(date) : `${DAY.format(date)} ${TIME.format(date)}`;
}
export function longTime(iso) {
    if (iso === null)
        return "—";
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? iso : FULL.format(new Date(ms));
}
/** "2 Apr 1938" from "1938-04-02", without time-zone shifts. */
export function dateOfBirth(iso) {
    if (iso === null)
        return "—";
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (match === null)
        return iso;
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    return `${Number(match[3])} ${months[Number(match[2]) - 1] ?? match[2]} ${match[1]}`;
}
