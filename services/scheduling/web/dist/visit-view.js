/** One visit: who, where, how to get in, why, what happened last time, and what I record now. */
import { el } from "./dom.js";
import { button, checkbox, checkedValue, checkedValues, numberField, radios, section, select, showError, textArea, } from "./forms.js";
import { ASSESSMENTS, BANDS, CFS, CONSCIOUSNESS, MISSED_REASONS, PURPOSE, STANDARD_TASKS, STATUS, TASKS, clock, label, } from "./labels.js";
import { personName } from "./model.js";
import { LIMITS, RESPONSE, readObservations, score } from "./news2.js";
function news2Chip(news2, testId) {
    return el("span", { class: `band band-${news2.band}`, "data-testid": testId, "data-band": news2.band }, `NEWS2 ${news2.score} · ${label(BANDS, news2.band)}`);
}
function lastVisitPanel(last) {
    const panel = el("section", { class: "last-visit", "aria-labelledby": "last-title", "data-testid": "last-visit" }, el("h2", { id: "last-title" }, "Last visit"));
    if (last === null) {
        panel.append(el("p", { class: "meta" }, "No earlier visit recorded."));
        return panel;
    }
    const when = last.finished_at === null ? "" : new Date(last.finished_at).toLocaleString("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit" });
    panel.append(el("p", { class: "meta" }, `${last.outcome === "missed" ? "Missed" : "Completed"} ${when}${last.by !== null ? ` by ${last.by}` : ""}`));
    if (last.missed_reason !== null)
        panel.append(el("p", {}, label(MISSED_REASONS, last.missed_reason)));
    if (last.tasks_done.length > 0)
        panel.append(el("p", {}, `Done: ${last.tasks_done.map((t) => label(TASKS, t)).join(", ")}`));
    for (const note of last.notes)
        panel.append(el("p", { class: "note" }, note));
    if (last.concerns !== "")
        panel.append(el("p", { class: "concern" }, el("strong", {}, "Concerns: "), last.concerns));
    if (last.news2 !== null)
        panel.append(el("p", {}, news2Chip(last.news2, "last-news2")));
    return panel;
}
function header(visit) {
    const person = visit.person;
    const parts = [
        el("p", { class: "back" }, el("a", { href: "#/day", "data-testid": "back" }, "← Today")),
        el("h1", { id: "visit-title", tabindex: "-1", "data-testid": "visit-title" }, personName(visit)),
        el("p", { class: "visit-when" }, el("span", { class: "time" }, clock(visit.planned_start)), ` ${label(PURPOSE, visit.purpose)} · ${visit.duration_minutes} min `, el("span", { class: `status status-${visit.status}`, "data-testid": "visit-status", "data-status": visit.status }, label(STATUS, visit.status))),
    ];
    if (visit.with !== null)
        parts.push(el("p", { class: "meta" }, `Double-handed with ${visit.with}`));
    if (visit.record.running_late_minutes !== null && (visit.status === "assigned" || visit.status === "en-route")) {
        parts.push(el("p", { class: "late" }, `Running ${visit.record.running_late_minutes} min late: they have been told.`));
    }
    if (person !== null) {
        parts.push(el("p", { class: "address", "data-testid": "visit-address" }, `${person.address}, ${person.postcode}`));
        if (person.access_notes !== "") {
            parts.push(el("p", { class: "access", "data-testid": "access-notes" }, el("strong", {}, "Getting in: "), person.access_notes));
        }
        if (person.reason !== "")
            parts.push(el("p", { class: "reason" }, el("strong", {}, "Why we visit: "), person.reason));
        if (person.known_risks !== "")
            parts.push(el("p", { class: "risk" }, el("strong", {}, "Risks: "), person.known_risks));
    }
    if (visit.record.news2 !== null)
        parts.push(el("p", {}, news2Chip(visit.record.news2, "news2-latest")));
    return parts;
}
function goingForms(visit, ctx, path) {
    const buttons = el("div", { class: "big-actions" });
    if (visit.status === "assigned") {
        const go = button("On my way", "en-route", "primary", "button");
        go.addEventListener("click", () => ctx.record("en-route", `${path}/en-route`, {}, "On my way"));
        buttons.append(go);
    }
    const arrive = button("Arrived", "arrived", visit.status === "en-route" ? "primary" : "secondary", "button");
    arrive.addEventListener("click", () => ctx.record("arrived", `${path}/arrived`, {}, "Arrived"));
    buttons.append(arrive);
    const late = el("form", { class: "stack", novalidate: "", "data-testid": "late-form" });
    const minutes = select("minutes_late", "How late will you be?", { "10": "10 minutes", "15": "15 minutes", "20": "20 minutes", "30": "30 minutes", "45": "45 minutes", "60": "1 hour" });
    late.append(el("p", { class: "hint" }, "The person (or their family, if they agreed) and the hub are told."), minutes.wrap, button("Tell them I'm late", "late-submit", "secondary"));
    late.addEventListener("submit", (event) => {
        event.preventDefault();
        const planned = visit.planned_start === null ? Date.now() : Date.parse(visit.planned_start);
        const expected = new Date(Math.max(planned, Date.now()) + Number(minutes.control.value) * 60_000).toISOString();
        ctx.record("running-late", `${path}/running-late`, { expected_arrival: expected }, `Running ${minutes.control.value} minutes late`);
    });
    return [buttons, section("Running late", "running-late", false, late)];
}
function missedForm(path, ctx) {
    const form = el("form", { class: "stack", novalidate: "", "data-testid": "missed-form" });
    const reason = radios("missed_reason", "What happened?", MISSED_REASONS);
    const notes = textArea("missed_notes", "Notes (optional)", "What you tried, who you told.");
    form.append(reason.fieldset, notes.wrap, button("Record missed visit", "missed-submit", "danger"));
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const chosen = checkedValue(form, "missed_reason");
        showError(reason, chosen === "" ? "Choose what happened" : "");
        if (chosen === "")
            return;
        ctx.record("missed", `${path}/missed`, { reason: chosen, notes: notes.control.value.trim() }, `Missed: ${label(MISSED_REASONS, chosen)}`);
    });
    return section("Couldn't gain access / missed", "missed", false, form);
}
function observationsForm(path, ctx) {
    const form = el("form", { class: "stack", novalidate: "", "data-testid": "observations-form" });
    const fields = {
        respiration_rate: numberField("respiration_rate", "Respiration rate (breaths/min)"),
        spo2_percent: numberField("spo2_percent", "SpO2 (%)"),
        systolic_bp: numberField("systolic_bp", "Systolic blood pressure (mmHg)"),
        pulse: numberField("pulse", "Pulse (beats/min)"),
        temperature_celsius: numberField("temperature_celsius", "Temperature (°C)", { decimal: true }),
    };
    const consciousness = select("consciousness", "Consciousness (ACVPU)", CONSCIOUSNESS);
    const scale = select("spo2_scale", "SpO2 scale", { "1": "Scale 1", "2": "Scale 2 (hypercapnic respiratory failure)" });
    const oxygen = select("on_supplemental_oxygen", "On supplemental oxygen?", { no: "No (air)", yes: "Yes" });
    const result = el("div", { class: "news2-result", role: "status", "aria-live": "polite", "data-testid": "news2-live" });
    for (const field of Object.values(fields))
        form.append(field.wrap);
    form.append(oxygen.wrap, scale.wrap, consciousness.wrap, result, button("Record observations", "observations-submit"));
    const entered = () => {
        const values = {};
        for (const [name, field] of Object.entries(fields))
            values[name] = field.control.value;
        values["consciousness"] = consciousness.control.value;
        values["spo2_scale"] = scale.control.value;
        values["on_supplemental_oxygen"] = oxygen.control.value;
        return values;
    };
    const update = () => {
        const { observations } = readObservations(entered());
        result.replaceChildren();
        if (observations === null)
            return;
        const news2 = score(observations);
        result.append(el("span", { class: `band band-${news2.band}`, "data-band": news2.band }, `NEWS2 ${news2.score} · ${label(BANDS, news2.band)}`), el("span", { class: "response" }, RESPONSE[news2.band]));
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const { observations, problems } = readObservations(entered());
        for (const [name, field] of Object.entries(fields))
            showError(field, problems[name] ?? "");
        showError(consciousness, problems["consciousness"] ?? "");
        if (observations === null) {
            const first = Object.keys(LIMITS).find((name) => problems[name] !== undefined);
            if (first !== undefined)
                fields[first]?.control.focus();
            return;
        }
        const news2 = score(observations);
        ctx.record("observations", `${path}/observations`, { observations }, `Observations: NEWS2 ${news2.score}`);
    });
    return section("Observations (NEWS2)", "observations", false, form);
}
function assessmentForm(path, ctx) {
    const form = el("form", { class: "stack", novalidate: "", "data-testid": "assessment-form" });
    const kind = select("assessment_kind", "Assessment", ASSESSMENTS);
    const cfsOptions = {};
    CFS.forEach((text, index) => {
        cfsOptions[String(index + 1)] = text;
    });
    const cfs = select("clinical_frailty_scale", "Clinical Frailty Scale", cfsOptions, "Choose…");
    const falls = select("falls_risk", "Falls risk", { low: "Low", moderate: "Moderate", high: "High" }, "Choose…");
    const summary = textArea("assessment_summary", "Summary", "What you found and what you agreed with the person.");
    const concern = el("div", {}, checkbox("serious_concern", "yes", "Serious concern: tell the hub now", false));
    const show = () => {
        cfs.wrap.hidden = kind.control.value !== "clinical-frailty-scale";
        falls.wrap.hidden = kind.control.value !== "falls-risk";
    };
    kind.control.addEventListener("change", show);
    show();
    form.append(kind.wrap, cfs.wrap, falls.wrap, summary.wrap, concern, button("Record assessment", "assessment-submit"));
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const k = kind.control.value;
        const text = summary.control.value.trim();
        showError(cfs, k === "clinical-frailty-scale" && cfs.control.value === "" ? "Choose the Clinical Frailty Scale score" : "");
        showError(falls, k === "falls-risk" && falls.control.value === "" ? "Choose the falls risk" : "");
        showError(summary, (k === "initial" || k === "review") && text === "" ? "Write a summary" : "");
        if (form.querySelector(".error:not(:empty)") !== null)
            return;
        const body = { kind: k, summary: text, serious_concern: checkedValues(form, "serious_concern").length > 0 };
        if (k === "clinical-frailty-scale")
            body["clinical_frailty_scale"] = Number(cfs.control.value);
        if (k === "falls-risk")
            body["falls_risk"] = falls.control.value;
        ctx.record("assessment", `${path}/assessments`, body, label(ASSESSMENTS, k));
        form.reset();
        show();
    });
    return section("Assessment forms", "assessments", false, form);
}
function noteForm(path, ctx) {
    const form = el("form", { class: "stack", novalidate: "", "data-testid": "note-form" });
    const note = textArea("note", "Note");
    form.append(note.wrap, button("Add note", "note-submit", "secondary"));
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = note.control.value.trim();
        showError(note, text === "" ? "Write the note first" : "");
        if (text === "")
            return;
        ctx.record("note", `${path}/notes`, { text }, "Note");
        form.reset();
    });
    return section("Add a note", "notes", false, form);
}
function completeForm(visit, path, ctx) {
    const form = el("form", { class: "stack", novalidate: "", "data-testid": "complete-form" });
    const tasks = el("fieldset", { class: "choices tasks" }, el("legend", {}, "Tasks done"));
    const all = [...visit.tasks, ...STANDARD_TASKS.filter((t) => !visit.tasks.includes(t))];
    for (const task of all)
        tasks.append(checkbox("task", task, label(TASKS, task), ctx.ticked.has(task)));
    tasks.addEventListener("change", () => {
        ctx.ticked.clear();
        for (const value of checkedValues(form, "task"))
            ctx.ticked.add(value);
    });
    const notes = textArea("visit_notes", "Notes", "What happened, for whoever visits next.");
    const concerns = textArea("concerns", "Concerns (optional)", "Anything the next visitor or the hub must know.");
    form.append(tasks, notes.wrap, concerns.wrap, button("Complete visit", "complete-submit"));
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        ctx.record("complete", `${path}/complete`, { tasks_done: checkedValues(form, "task"), notes: notes.control.value.trim(), concerns: concerns.control.value.trim() }, "Completed");
        ctx.ticked.clear();
    });
    return el("section", { class: "panel-open", "aria-labelledby": "complete-title" }, el("h2", { id: "complete-title" }, "Finish the visit"), form);
}
function finished(visit) {
    const r = visit.record;
    const box = el("section", { class: "finished", "data-testid": "visit-record", "aria-labelledby": "record-title" }, el("h2", { id: "record-title" }, "What was recorded"));
    if (r.arrived_at !== null)
        box.append(el("p", {}, `Arrived ${clock(r.arrived_at)}`));
    if (r.completed_at !== null)
        box.append(el("p", {}, `Completed ${clock(r.completed_at)}`));
    if (r.missed_at !== null)
        box.append(el("p", {}, `Missed ${clock(r.missed_at)}: ${label(MISSED_REASONS, r.missed_reason ?? "")}`));
    if (r.tasks_done.length > 0)
        box.append(el("p", {}, `Done: ${r.tasks_done.map((t) => label(TASKS, t)).join(", ")}`));
    for (const note of r.notes)
        box.append(el("p", { class: "note" }, note));
    if (r.concerns !== "")
        box.append(el("p", { class: "concern" }, el("strong", {}, "Concerns: "), r.concerns));
    return box;
}
export function renderVisit(root, visit, ctx) {
    const path = `/api/scheduling/visits/${visit.visit_id}`;
    const parts = [...header(visit), lastVisitPanel(visit.last_visit)];
    parts.push(el("p", { id: "action-status", class: "action-status", role: "status", "aria-live": "polite", "data-testid": "action-status" }));
    switch (visit.status) {
        case "assigned":
        case "en-route":
            parts.push(...goingForms(visit, ctx, path), missedForm(path, ctx), noteForm(path, ctx));
            break;
        case "in-progress":
            if (ctx.clinician)
                parts.push(observationsForm(path, ctx), assessmentForm(path, ctx));
            parts.push(noteForm(path, ctx), completeForm(visit, path, ctx), missedForm(path, ctx));
            break;
        case "completed":
        case "missed":
            parts.push(finished(visit));
            if (ctx.clinician && visit.status === "completed")
                parts.push(observationsForm(path, ctx), assessmentForm(path, ctx));
            parts.push(noteForm(path, ctx));
            break;
        default:
            parts.push(el("p", { class: "notice" }, `This visit is ${label(STATUS, visit.status).toLowerCase()}.`));
    }
    if (ctx.clinician) {
        parts.push(el("p", { class: "episode-link" }, el("a", { href: `#/episode/${visit.visit_id}`, class: "button secondary", "data-testid": "episode-actions" }, "Episode: consent, care plan, lead, referral, discharge")));
    }
    root.replaceChildren(...parts);
}
