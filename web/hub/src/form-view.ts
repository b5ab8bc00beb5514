/**
 * Builds the "Take a referral" form's DOM: visible labels, hints and error slots wired with
 * aria-describedby, in the order the call goes (referrer, patient, the referral, clinical).
 * Every field's wrapper carries data-field="<API path>" so API errors find their field.
 */

import { el } from "../../shared/dist/dom.js";
import { CONSCIOUSNESS, FRAILTY, OTHER_NEEDS, REFERRER_ROLES, ROUTES, UCR_NEEDS } from "./labels.js";

export function fieldId(name: string): string {
  return `f-${name.replace(/[._]/g, "-")}`;
}

export function errorId(name: string): string {
  return `e-${name.replace(/[._]/g, "-")}`;
}

function hintId(name: string): string {
  return `h-${name.replace(/[._]/g, "-")}`;
}

type Kind = "text" | "tel" | "textarea" | "select" | "checkbox";

interface Spec {
  readonly name: string;
  readonly label: string;
  readonly kind: Kind;
  readonly required?: boolean;
  readonly hint?: string;
  readonly options?: ReadonlyArray<readonly [string, string]>;
  /** Placeholder option text for selects ("" value). */
  readonly choose?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly wide?: boolean;
  /** Label text shown instead when adding to an open referral. */
  readonly additionLabel?: string;
  readonly additionHint?: string;
  /** Selects: no empty "choose" option (the field has a default). */
  readonly noEmpty?: boolean;
  /** Leave out the "(optional)" mark (e.g. inside an all-or-none group). */
  readonly quiet?: boolean;
}

function labelContent(spec: Spec): Node[] {
  const nodes: Node[] = [];
  if (spec.additionLabel !== undefined) {
    nodes.push(el("span", { class: "when-new" }, spec.label), el("span", { class: "when-addition" }, spec.additionLabel));
  } else {
    nodes.push(document.createTextNode(spec.label));
  }
  if (spec.required === true) nodes.push(el("span", { class: "req when-new" }, " (required)"));
  else if (spec.kind !== "checkbox" && spec.quiet !== true) nodes.push(el("span", { class: "opt" }, " (optional)"));
  return nodes;
}

function field(spec: Spec): HTMLElement {
  const id = fieldId(spec.name);
  const describedBy: string[] = [];
  const wrapper = el("div", { class: `field field-${spec.kind}${spec.wide === true ? " wide" : ""}`, "data-field": spec.name });
  let hint: HTMLElement | null = null;
  if (spec.hint !== undefined || spec.additionHint !== undefined) {
    hint = el("p", { class: "hint", id: hintId(spec.name) });
    if (spec.hint !== undefined) hint.appendChild(el("span", { class: spec.additionHint !== undefined ? "when-new" : "" }, spec.hint));
    if (spec.additionHint !== undefined) hint.appendChild(el("span", { class: "when-addition" }, spec.additionHint));
    describedBy.push(hint.id);
  }
  const error = el("p", { class: "error", id: errorId(spec.name) });
  let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  switch (spec.kind) {
    case "textarea":
      control = el("textarea", { id, name: spec.name, rows: "3" });
      break;
    case "select": {
      const select = el("select", { id, name: spec.name });
      if (spec.noEmpty !== true) select.appendChild(el("option", { value: "" }, spec.choose ?? "Choose…"));
      for (const [value, label] of spec.options ?? []) select.appendChild(el("option", { value }, label));
      control = select;
      break;
    }
    default:
      control = el("input", { id, name: spec.name, type: spec.kind });
  }
  for (const [name, value] of Object.entries(spec.attrs ?? {})) control.setAttribute(name, value);
  if (spec.required === true) control.setAttribute("aria-required", "true");
  if (describedBy.length > 0) control.setAttribute("aria-describedby", describedBy.join(" "));
  control.dataset["describedby"] = describedBy.join(" ");
  const label = el("label", { for: id }, ...labelContent(spec));
  if (spec.kind === "checkbox") {
    wrapper.append(control, label);
    if (hint !== null) wrapper.appendChild(hint);
  } else {
    wrapper.append(label);
    if (hint !== null) wrapper.appendChild(hint);
    wrapper.appendChild(control);
  }
  wrapper.appendChild(error);
  return wrapper;
}

/** A radio or checkbox group in its own fieldset; data-field on the fieldset. */
function choiceGroup(
  name: string,
  legend: string,
  type: "radio" | "checkbox",
  groups: ReadonlyArray<{ readonly title?: string; readonly titleClass?: string; readonly options: ReadonlyArray<readonly [string, string]>; readonly tag?: string }>,
  options: { required?: boolean; hint?: string; additionHint?: string } = {},
): HTMLElement {
  const set = el("fieldset", { class: `choices choices-${type}`, "data-field": name, id: fieldId(name) });
  const legendEl = el("legend", {}, legend);
  if (options.required === true) legendEl.appendChild(el("span", { class: "req when-new" }, " (required)"));
  set.appendChild(legendEl);
  const describedBy: string[] = [];
  if (options.hint !== undefined || options.additionHint !== undefined) {
    const hint = el("p", { class: "hint", id: hintId(name) });
    if (options.hint !== undefined) hint.appendChild(el("span", { class: options.additionHint !== undefined ? "when-new" : "" }, options.hint));
    if (options.additionHint !== undefined) hint.appendChild(el("span", { class: "when-addition" }, options.additionHint));
    set.appendChild(hint);
    describedBy.push(hint.id);
  }
  set.appendChild(el("p", { class: "error", id: errorId(name) }));
  if (describedBy.length > 0) set.setAttribute("aria-describedby", describedBy.join(" "));
  set.dataset["describedby"] = describedBy.join(" ");
  groups.forEach((group, g) => {
    const box = el("div", { class: `choice-group${group.titleClass !== undefined ? ` ${group.titleClass}` : ""}` });
    if (group.title !== undefined) box.appendChild(el("p", { class: "choice-group-title", id: `${fieldId(name)}-g${g}` }, group.title));
    for (const [value, label] of group.options) {
      const id = `${fieldId(name)}-${value.toLowerCase()}`;
      const input = el("input", { type, id, name, value });
      const labelEl = el("label", { for: id }, label);
      if (group.tag !== undefined) labelEl.appendChild(el("span", { class: "tag" }, ` ${group.tag}`));
      box.appendChild(el("div", { class: "choice" }, input, labelEl));
    }
    set.appendChild(box);
  });
  return set;
}

function section(legend: string, id: string, className: string, ...children: HTMLElement[]): HTMLFieldSetElement {
  const set = el("fieldset", { class: `section ${className}`, id });
  set.appendChild(el("legend", { class: "section-legend" }, legend));
  const grid = el("div", { class: "grid" });
  grid.append(...children);
  set.appendChild(grid);
  return set;
}

/** How someone wants to be told (the contract's ContactPreferences): the channel, and the number or address it needs. */
function contactFields(prefix: string, who: string): HTMLElement[] {
  return [
    field({ name: `${prefix}.preferred_channel`, label: `How ${who} wants to be told`, kind: "select", options: CHANNELS, noEmpty: true, quiet: true }),
    field({ name: `${prefix}.mobile`, label: "Mobile", kind: "tel", attrs: { maxlength: "20", autocomplete: "off", inputmode: "tel" }, hint: "For text messages" }),
    field({ name: `${prefix}.email`, label: "Email", kind: "text", attrs: { maxlength: "254", autocomplete: "off", inputmode: "email", spellcheck: "false" } }),
  ];
}

const CHANNELS: ReadonlyArray<readonly [string, string]> = [
  ["none", "Not by message (the team phones)"],
  ["sms", "Text message"],
  ["email", "Email"],
  ["letter", "Letter (to the home address)"],
];

/** The whole form body (the <form> element itself is in index.html). */
export function buildReferralForm(form: HTMLFormElement): void {
  const referrer = section(
    "Referrer",
    "fs-referrer",
    "new-only",
    field({ name: "referrer.role", label: "Who is referring", kind: "select", required: true, options: REFERRER_ROLES, choose: "Choose…" }),
    field({ name: "referrer.organisation", label: "Organisation", kind: "text", required: true, attrs: { maxlength: "200", autocomplete: "off" }, hint: "Practice, ward, crew, home or service" }),
    field({ name: "referrer.name", label: "Referrer's name", kind: "text", attrs: { maxlength: "200", autocomplete: "off" } }),
    field({
      name: "referrer.callback_number",
      label: "Call-back number",
      kind: "tel",
      required: true,
      attrs: { maxlength: "20", autocomplete: "off", inputmode: "tel" },
      hint: "A number the hub can ring back on",
    }),
    field({
      name: "referrer.email",
      label: "Referrer's email",
      kind: "text",
      attrs: { maxlength: "254", autocomplete: "off", inputmode: "email", spellcheck: "false" },
      hint: "Where they are told our decision. Without one, a mobile gets a text and a landline a call back from the hub",
    }),
  );

  const practiceList = el("datalist", { id: "practice-list" });
  const practiceField = field({
    name: "patient.gp_practice_code",
    label: "GP practice",
    kind: "text",
    required: true,
    attrs: { list: "practice-list", autocomplete: "off", maxlength: "60", spellcheck: "false" },
    hint: "Type the practice name or code, then pick from the list",
  });
  practiceField.appendChild(practiceList);
  practiceField.appendChild(el("p", { class: "practice-name", id: "practice-name", "aria-live": "polite" }));

  const nhsField = field({
    name: "patient.nhs_number",
    label: "NHS number",
    kind: "text",
    required: true,
    attrs: { inputmode: "numeric", autocomplete: "off", maxlength: "14", spellcheck: "false", "data-testid": "nhs-number" },
    hint: "10 digits; spaces are fine",
  });
  const dobField = field({
    name: "patient.date_of_birth",
    label: "Date of birth",
    kind: "text",
    required: true,
    attrs: { inputmode: "numeric", autocomplete: "off", maxlength: "10", spellcheck: "false" },
    hint: "Day, month, year: 17/09/1931 or 17091931",
  });
  dobField.appendChild(el("p", { class: "valid-note", id: "dob-note" }));
  const patient = section(
    "Patient",
    "fs-patient",
    "new-only",
    nhsField,
    field({ name: "patient.given_name", label: "Given name", kind: "text", required: true, attrs: { maxlength: "200", autocomplete: "off" } }),
    field({ name: "patient.family_name", label: "Family name", kind: "text", required: true, attrs: { maxlength: "200", autocomplete: "off" } }),
    dobField,
    field({ name: "patient.address", label: "Address", kind: "textarea", required: true, attrs: { maxlength: "400", rows: "2" }, wide: true }),
    field({ name: "patient.postcode", label: "Postcode", kind: "text", required: true, attrs: { maxlength: "8", autocomplete: "off", spellcheck: "false" } }),
    practiceField,
  );
  // The open-referral notice sits right after the NHS number, so it is seen before anything else.
  nhsField.querySelector(".error")?.setAttribute("aria-live", "polite");
  nhsField.appendChild(el("p", { class: "valid-note", id: "nhs-valid", "aria-live": "polite" }));
  const openNotice = el("div", { id: "open-episodes", class: "open-episodes wide", "data-testid": "open-episode-notice", "aria-live": "polite" });
  nhsField.after(openNotice);

  const route = choiceGroup("route", "Route", "radio", [{ options: ROUTES }], {
    required: true,
    hint: "Step-up: admission avoidance, from the community. Step-down: discharge support, from a ward.",
  });
  route.classList.add("new-only");
  const needs = choiceGroup(
    "presenting_needs",
    "Presenting needs",
    "checkbox",
    [
      { title: "2-hour Urgent Community Response needs", titleClass: "ucr", options: UCR_NEEDS, tag: "UCR 2 h" },
      { title: "Other needs", options: OTHER_NEEDS },
    ],
    { required: true, hint: "Tick every need that applies.", additionHint: "Tick any new needs to add." },
  );
  const consent = choiceGroup("consent_to_share", "Does the person consent to their information being shared with the team?", "radio", [
    { options: [["yes", "Yes"], ["no", "No"]] },
  ], { required: true });
  consent.classList.add("new-only");

  const contact = el("fieldset", { class: "subsection new-only", id: "fs-contact" });
  contact.append(
    el("legend", {}, "How the person wants to be told who is coming"),
    ...contactFields("patient.contact", "the person"),
  );
  const family = el("fieldset", { class: "subsection new-only", id: "fs-family" });
  family.append(
    el("legend", {}, "Family contact"),
    field({ name: "family_contact.relationship", label: "Relationship to the patient", kind: "text", attrs: { maxlength: "200", autocomplete: "off" }, hint: "For example: daughter" }),
    field({ name: "family_contact.may_be_told_plan", label: "The patient agrees this person may be told the plan", kind: "checkbox" }),
    ...contactFields("family_contact.contact", "the family contact"),
  );
  const careHome = field({ name: "from_care_home", label: "The patient lives in a care home", kind: "checkbox" });
  careHome.classList.add("new-only");

  const referral = section(
    "The referral",
    "fs-referral",
    "",
    route,
    needs,
    field({
      name: "reason",
      label: "Reason for referral",
      additionLabel: "What has changed",
      kind: "textarea",
      required: true,
      attrs: { maxlength: "4000", rows: "4" },
      wide: true,
    }),
    field({ name: "known_risks", label: "Known risks", kind: "textarea", attrs: { maxlength: "4000", rows: "2" }, wide: true, hint: "Falls, lives alone, safeguarding, infection" }),
    field({
      name: "access_notes",
      label: "Access notes",
      kind: "textarea",
      attrs: { maxlength: "4000", rows: "2" },
      wide: true,
      hint: "Key safe, language or interpreter, pets, parking",
    }),
    consent,
    contact,
    family,
    careHome,
  );

  const observations = observationsGroup();
  const clinical = section(
    "Clinical (optional)",
    "fs-clinical",
    "new-only",
    field({ name: "clinical_frailty_scale", label: "Clinical Frailty Scale (usual state)", kind: "select", options: FRAILTY, choose: "Not given" }),
    observations,
  );

  const actions = el(
    "div",
    { class: "actions" },
    el(
      "button",
      { type: "submit", id: "submit-referral", class: "primary", "data-testid": "submit", "aria-keyshortcuts": "Control+Enter" },
      el("span", { class: "when-new" }, "Send referral"),
      el("span", { class: "when-addition" }, "Add to the referral"),
      " ",
      el("kbd", {}, "Ctrl+Enter"),
    ),
  );
  form.replaceChildren(referrer, patient, referral, clinical, actions);
}

function observationsGroup(): HTMLElement {
  const set = el("fieldset", { class: "subsection observations", id: "fs-observations" });
  set.append(
    el("legend", {}, "Observations (NEWS2)"),
    el("p", { class: "hint", id: "h-observations" }, "All or none: complete every observation, or leave them all blank."),
    field({ name: "observations.respiration_rate", label: "Respiration rate (/min)", kind: "text", quiet: true, attrs: { maxlength: "3", inputmode: "numeric", autocomplete: "off" } }),
    field({ name: "observations.spo2_percent", label: "SpO2 (%)", kind: "text", quiet: true, attrs: { maxlength: "3", inputmode: "numeric", autocomplete: "off" } }),
    field({ name: "observations.spo2_scale", label: "SpO2 scale", kind: "select", quiet: true, noEmpty: true, options: [["1", "Scale 1"], ["2", "Scale 2 (target 88-92%)"]] }),
    field({ name: "observations.on_supplemental_oxygen", label: "On supplemental oxygen", kind: "checkbox" }),
    field({ name: "observations.systolic_bp", label: "Systolic BP (mmHg)", kind: "text", quiet: true, attrs: { maxlength: "3", inputmode: "numeric", autocomplete: "off" } }),
    field({ name: "observations.pulse", label: "Pulse (/min)", kind: "text", quiet: true, attrs: { maxlength: "3", inputmode: "numeric", autocomplete: "off" } }),
    field({ name: "observations.consciousness", label: "Consciousness (ACVPU)", kind: "select", quiet: true, options: CONSCIOUSNESS, choose: "Choose…" }),
    field({ name: "observations.temperature_celsius", label: "Temperature (°C)", kind: "text", quiet: true, attrs: { maxlength: "4", inputmode: "decimal", autocomplete: "off" } }),
  );
  return set;
}
