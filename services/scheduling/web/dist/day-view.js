/** Today's visits in order: time, who, where, how to get in, why, and what happened last time. */
import { el } from "./dom.js";
import { PURPOSE, STATUS, clock, dayTitle, label } from "./labels.js";
import { personName } from "./model.js";
export function renderDay(list, title, meta, empty, day, asOf) {
    title.textContent = `Today, ${dayTitle(day.day)}`;
    const open = day.visits.filter((v) => v.status !== "completed" && v.status !== "missed").length;
    meta.textContent = `${day.visits.length} visit${day.visits.length === 1 ? "" : "s"}, ${open} still to do · ${asOf}`;
    empty.hidden = day.visits.length > 0;
    list.replaceChildren(...day.visits.map((visit) => {
        const person = visit.person;
        const card = el("a", { href: `#/visit/${visit.visit_id}`, class: `card card-${visit.status}`, "data-testid": "visit-card", "data-visit-id": visit.visit_id, "data-status": visit.status }, el("span", { class: "card-top" }, el("span", { class: "time" }, clock(visit.planned_start)), el("span", { class: "name" }, personName(visit)), el("span", { class: `status status-${visit.status}` }, label(STATUS, visit.status))), el("span", { class: "card-line" }, person === null ? "" : `${person.address}, ${person.postcode}`), el("span", { class: "card-line meta" }, `${label(PURPOSE, visit.purpose)} · ${visit.duration_minutes} min${visit.with !== null ? ` · with ${visit.with}` : ""}`), person !== null && person.access_notes !== "" ? el("span", { class: "card-line access" }, `Getting in: ${person.access_notes}`) : null, person !== null && person.reason !== "" ? el("span", { class: "card-line" }, person.reason) : null, visit.last_visit !== null && visit.last_visit.notes.length > 0
            ? el("span", { class: "card-line last" }, `Last time: ${visit.last_visit.notes[visit.last_visit.notes.length - 1] ?? ""}`)
            : null);
        return el("li", {}, card);
    }));
}
