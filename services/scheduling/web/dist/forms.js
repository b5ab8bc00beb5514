/** Form building blocks: every control has a visible label, errors sit next to their field. */
import { el } from "./dom.js";
let counter = 0;
export function fieldId(name) {
    counter += 1;
    return `f-${name}-${counter}`;
}
function wrapField(label, control, hint) {
    const error = el("p", { class: "error", id: `${control.id}-error` });
    const described = [hint !== undefined ? `${control.id}-hint` : "", error.id].filter((x) => x !== "").join(" ");
    control.setAttribute("aria-describedby", described);
    const wrap = el("div", { class: "field" }, el("label", { for: control.id }, label), hint !== undefined ? el("p", { class: "hint", id: `${control.id}-hint` }, hint) : null, control, error);
    return { wrap, control, error };
}
export function numberField(name, label, options = {}) {
    const input = el("input", {
        id: fieldId(name),
        name,
        type: "text",
        inputmode: options.decimal === true ? "decimal" : "numeric",
        autocomplete: "off",
        "data-testid": `obs-${name}`,
    });
    return wrapField(label, input, options.hint);
}
export function textField(name, label, hint) {
    const input = el("input", { id: fieldId(name), name, type: "text", autocomplete: "off", maxlength: "200", "data-testid": name });
    return wrapField(label, input, hint);
}
export function dateField(name, label) {
    const input = el("input", { id: fieldId(name), name, type: "date", "data-testid": name });
    return wrapField(label, input);
}
export function textArea(name, label, hint) {
    const area = el("textarea", { id: fieldId(name), name, rows: "3", maxlength: "4000", "data-testid": name });
    return wrapField(label, area, hint);
}
export function select(name, label, options, blank) {
    const control = el("select", { id: fieldId(name), name, "data-testid": name });
    if (blank !== undefined)
        control.append(el("option", { value: "" }, blank));
    for (const [value, text] of Object.entries(options))
        control.append(el("option", { value }, text));
    return wrapField(label, control);
}
export function checkbox(name, value, label, checked) {
    const id = fieldId(`${name}-${value}`);
    const input = el("input", { id, name, value, type: "checkbox", "data-testid": `${name}-${value}` });
    input.checked = checked;
    return el("div", { class: "check" }, input, el("label", { for: id }, label));
}
export function radios(name, legend, options) {
    const error = el("p", { class: "error" });
    const fieldset = el("fieldset", { class: "choices" }, el("legend", {}, legend));
    for (const [value, text] of Object.entries(options)) {
        const id = fieldId(`${name}-${value}`);
        fieldset.append(el("div", { class: "check" }, el("input", { id, name, value, type: "radio", "data-testid": `${name}-${value}` }), el("label", { for: id }, text)));
    }
    fieldset.append(error);
    return { fieldset, error };
}
export function checkedValue(form, name) {
    const chosen = form.querySelector(`input[name="${name}"]:checked`);
    return chosen === null ? "" : chosen.value;
}
export function checkedValues(form, name) {
    return Array.from(form.querySelectorAll(`input[name="${name}"]:checked`), (input) => input.value);
}
export function showError(field, message) {
    field.error.textContent = message;
    if (field.control !== undefined) {
        if (message === "")
            field.control.removeAttribute("aria-invalid");
        else
            field.control.setAttribute("aria-invalid", "true");
    }
}
export function button(text, testId, kind = "primary", type = "submit") {
    return el("button", { type, class: kind, "data-testid": testId }, text);
}
/** A collapsible section: big enough to tap, opened by keyboard too. */
export function section(title, testId, open, ...content) {
    const details = el("details", { class: "panel", "data-testid": testId }, el("summary", {}, title), ...content);
    details.open = open;
    return details;
}
