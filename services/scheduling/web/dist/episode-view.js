/** The episode's actions, taken from a visit: consent, a care plan change, handing the lead to
 * another discipline, an onward referral, recommending discharge. Each is queued like a visit action. */
import { el } from "./dom.js";
import { button, dateField, section, select, showError, textArea, textField } from "./forms.js";
import { CONSENT, DISCIPLINES, OUTCOMES, label } from "./labels.js";
import { personName } from "./model.js";
function form(testId, ...children) {
    return el("form", { class: "stack", novalidate: "", "data-testid": testId }, ...children);
}
export function renderEpisode(root, visit, record) {
    const path = `/api/scheduling/episodes/${visit.episode_id}`;
    const scope = select("consent_scope", "Consent to", CONSENT);
    const consent = form("consent-form", scope.wrap);
    const given = button("Record consent given", "consent-given", "primary", "button");
    const withdrawn = button("Record consent withdrawn", "consent-withdrawn", "danger", "button");
    consent.append(el("div", { class: "big-actions" }, given, withdrawn));
    given.addEventListener("click", () => record("consent", `${path}/consent`, { scope: scope.control.value }, `Consent: ${label(CONSENT, scope.control.value)}`));
    withdrawn.addEventListener("click", () => record("consent-withdrawal", `${path}/consent-withdrawal`, { scope: scope.control.value }, `Consent withdrawn: ${label(CONSENT, scope.control.value)}`));
    const reason = textArea("plan_reason", "What should change, and why", "For example: add a teatime visit; she declines the midday visit.");
    const plan = form("care-plan-form", reason.wrap, button("Propose the change", "care-plan-submit"));
    plan.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = reason.control.value.trim();
        showError(reason, text === "" ? "Say what should change" : "");
        if (text !== "")
            record("care-plan-proposal", `${path}/care-plan-proposal`, { reason: text }, "Care plan change proposed");
    });
    const others = Object.fromEntries(Object.entries(DISCIPLINES).filter(([code]) => code !== visit.lead_discipline));
    const to = select("lead_to", "Hand the lead to", others);
    const leadReason = textArea("lead_reason", "Why (optional)");
    const lead = form("lead-form", to.wrap, leadReason.wrap, button("Hand over the lead", "lead-submit"));
    lead.addEventListener("submit", (event) => {
        event.preventDefault();
        record("lead-transfer", `${path}/lead-transfer`, { to_discipline: to.control.value, reason: leadReason.control.value.trim() }, `Lead to ${label(DISCIPLINES, to.control.value)}`);
    });
    const service = textField("onward_service", "Refer to", "For example: social care assessment, falls clinic.");
    const onwardReason = textArea("onward_reason", "Why (optional)");
    const from = dateField("onward_from", "Wanted from (optional)");
    const onward = form("onward-form", service.wrap, onwardReason.wrap, from.wrap, button("Make the referral", "onward-submit"));
    onward.addEventListener("submit", (event) => {
        event.preventDefault();
        const name = service.control.value.trim();
        showError(service, name === "" ? "Say which service" : "");
        if (name === "")
            return;
        const body = { service: name, reason: onwardReason.control.value.trim() };
        if (from.control.value !== "")
            body["wanted_from"] = from.control.value;
        record("onward-referral", `${path}/onward-referral`, body, `Referred to ${name}`);
    });
    const outcome = select("discharge_outcome", "Outcome", OUTCOMES);
    const summary = textArea("discharge_summary", "Summary for the GP and the hub");
    const discharge = form("discharge-form", outcome.wrap, summary.wrap, button("Recommend discharge", "discharge-submit"));
    discharge.addEventListener("submit", (event) => {
        event.preventDefault();
        record("discharge-recommendation", `${path}/discharge-recommendation`, { outcome: outcome.control.value, summary: summary.control.value.trim() }, "Discharge recommended");
    });
    root.replaceChildren(el("p", { class: "back" }, el("a", { href: `#/visit/${visit.visit_id}` }, "← The visit")), el("h1", { id: "episode-title", tabindex: "-1" }, `Episode: ${personName(visit)}`), el("p", { class: "meta" }, `Lead: ${visit.lead_discipline === null ? "not known yet" : label(DISCIPLINES, visit.lead_discipline)}`), el("p", { id: "action-status", class: "action-status", role: "status", "aria-live": "polite", "data-testid": "action-status" }), section("Consent", "consent", true, consent), section("Propose a care plan change", "care-plan", false, plan), section("Hand the lead to another discipline", "lead", false, lead), section("Onward referral", "onward", false, onward), section("Recommend discharge", "discharge", false, discharge));
}
