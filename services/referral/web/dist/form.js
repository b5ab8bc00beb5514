/**
 * "Take a referral" (#/new): the keyboard-first form, its draft (saved on every change, restored on
 * load), live NHS number checking, the open-referral check, and an idempotent, retryable send.
 */
import { addToReferral, describeFailure, isRetryable, openEpisodes, searchPractices, submitReferral, } from "./api.js";
import { append, byId, debounce, el, setText, uuid } from "./dom.js";
import { DRAFT_KEY, hasContent, newDraft } from "./draft.js";
import { buildReferralForm, errorId, fieldId } from "./form-view.js";
import { dateOfBirth, shortTime, statusLabel } from "./labels.js";
import { checkNhsNumber, formatNhsNumber } from "./nhs-number.js";
import { PRACTICE_PATTERN, POSTCODE_PATTERN, buildAddition, buildReferral, localToday, normalisePostcode, parseDateOfBirth, resolveErrorField, } from "./rules.js";
function isControl(element) {
    return element instanceof HTMLInputElement || element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement;
}
const TIME_WITH_SECONDS = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
export class ReferralForm {
    deps;
    draft;
    form;
    view;
    draftStatus;
    sendStatus;
    summary;
    summaryList;
    confirmation;
    additionBanner;
    discardDialog;
    knownFields;
    sending = false;
    lastSavedAt = 0;
    notSent = false;
    openCheck = null;
    openRows = null;
    openCheckFailed = null;
    practiceNames = new Map();
    practiceController = null;
    saveSoon = debounce(() => this.saveNow(), 300);
    searchSoon = debounce((query) => void this.searchPractice(query), 250);
    constructor(deps) {
        this.deps = deps;
        this.form = byId("referral-form", HTMLFormElement);
        this.view = byId("view-new");
        this.draftStatus = byId("draft-status");
        this.sendStatus = byId("send-status");
        this.summary = byId("error-summary");
        this.summaryList = byId("error-summary-list");
        this.confirmation = byId("confirmation");
        this.additionBanner = byId("addition-banner");
        this.discardDialog = byId("discard-dialog", HTMLDialogElement);
        buildReferralForm(this.form);
        this.knownFields = new Set(Array.from(this.form.querySelectorAll("[data-field]"), (element) => element.dataset["field"] ?? ""));
        this.draft = this.deps.store.load() ?? newDraft(uuid);
        this.wire();
        this.restore(true);
    }
    /** Save now (before a sign-in redirect or when the page is hidden). */
    flush() {
        this.saveSoon.cancel();
        this.draft = { ...this.draft, values: this.readValues() };
        this.saveNow();
    }
    focusFirst() {
        const first = this.draft.mode === "addition" ? this.control("reason") : this.control("referrer.role");
        first?.focus();
    }
    /** The note shown after a sign-in round trip caused by an expired session. */
    showResumeNotice() {
        if (!hasContent(this.draft))
            return;
        this.sendStatus.replaceChildren(el("p", { class: "notice info" }, "You were signed in again. Your draft is kept; check it and press Send (Ctrl+Enter) when ready."));
    }
    // ------------------------------------------------------------------ wiring
    wire() {
        this.form.addEventListener("submit", (event) => {
            event.preventDefault();
            void this.submit();
        });
        const onEdit = (event) => {
            const target = event.target;
            if (!(target instanceof Element) || !isControl(target) || target.name === "")
                return;
            this.draft = { ...this.draft, values: this.readValues() };
            // Debounced, but never more than 2 s behind during continuous typing.
            if (Date.now() - this.lastSavedAt > 2000) {
                this.saveSoon.cancel();
                this.saveNow();
            }
            else {
                this.saveSoon();
            }
            this.confirmation.hidden = true;
            if (target.name !== "patient.nhs_number")
                this.clearFieldError(target.name);
        };
        this.form.addEventListener("input", onEdit);
        this.form.addEventListener("change", onEdit);
        const nhs = this.control("patient.nhs_number");
        nhs?.addEventListener("input", () => this.validateNhs(false));
        nhs?.addEventListener("blur", () => this.validateNhs(true));
        const postcode = this.control("patient.postcode");
        postcode?.addEventListener("blur", () => {
            const normalised = normalisePostcode(postcode.value);
            if (POSTCODE_PATTERN.test(normalised) && normalised !== postcode.value) {
                postcode.value = normalised;
                this.draft = { ...this.draft, values: this.readValues() };
                this.saveSoon();
            }
        });
        const dob = this.control("patient.date_of_birth");
        dob?.addEventListener("input", () => this.showDateOfBirth(false));
        dob?.addEventListener("blur", () => this.showDateOfBirth(true));
        const practice = this.control("patient.gp_practice_code");
        practice?.addEventListener("input", () => {
            this.showPracticeName();
            const query = practice.value.trim();
            if (query.length >= 2)
                this.searchSoon(query);
        });
        practice?.addEventListener("blur", () => {
            const upper = practice.value.trim().toUpperCase();
            if (PRACTICE_PATTERN.test(upper) && upper !== practice.value) {
                practice.value = upper;
                this.draft = { ...this.draft, values: this.readValues() };
                this.saveSoon();
            }
            this.showPracticeName();
        });
        byId("discard-draft").addEventListener("click", () => this.askDiscard());
        byId("discard-confirm").addEventListener("click", () => {
            this.discardDialog.close("discard");
        });
        byId("discard-cancel").addEventListener("click", () => this.discardDialog.close("keep"));
        this.discardDialog.addEventListener("close", () => {
            if (this.discardDialog.returnValue === "discard")
                this.discard();
            else
                byId("discard-draft").focus();
        });
        byId("leave-addition").addEventListener("click", () => this.leaveAddition());
        const save = () => this.flush();
        window.addEventListener("pagehide", save);
        document.addEventListener("visibilitychange", () => {
            if (document.visibilityState === "hidden")
                save();
        });
        window.addEventListener("online", () => {
            if (this.notSent && !this.sending)
                void this.submit();
        });
        window.addEventListener("storage", (event) => {
            if ((event.key === DRAFT_KEY || event.key === null) && !this.sending) {
                this.draft = this.deps.store.load() ?? newDraft(uuid);
                this.restore(false);
                setText(this.draftStatus, "This draft was changed in another tab; showing the latest.");
            }
        });
    }
    control(name) {
        const element = document.getElementById(fieldId(name));
        return element !== null && isControl(element) ? element : null;
    }
    // ------------------------------------------------------------------ values and draft
    readValues() {
        const values = {};
        for (const element of Array.from(this.form.elements)) {
            if (!isControl(element) || element.name === "")
                continue;
            const name = element.name;
            if (element instanceof HTMLInputElement && element.type === "checkbox") {
                if (name === "presenting_needs") {
                    const list = Array.isArray(values[name]) ? values[name] : [];
                    if (element.checked)
                        list.push(element.value);
                    values[name] = list;
                }
                else {
                    values[name] = element.checked;
                }
            }
            else if (element instanceof HTMLInputElement && element.type === "radio") {
                if (element.checked)
                    values[name] = element.value;
                else if (!(name in values))
                    values[name] = "";
            }
            else {
                values[name] = element.value;
            }
        }
        return values;
    }
    writeValues(values) {
        for (const element of Array.from(this.form.elements)) {
            if (!isControl(element) || element.name === "")
                continue;
            const value = values[element.name];
            if (element instanceof HTMLInputElement && element.type === "checkbox") {
                element.checked = Array.isArray(value) ? value.includes(element.value) : value === true;
            }
            else if (element instanceof HTMLInputElement && element.type === "radio") {
                element.checked = value === element.value;
            }
            else if (element instanceof HTMLSelectElement) {
                const text = typeof value === "string" ? value : "";
                element.value = text;
                if (element.selectedIndex === -1)
                    element.selectedIndex = 0;
            }
            else {
                element.value = typeof value === "string" ? value : "";
            }
        }
    }
    saveNow() {
        if (!hasContent(this.draft) && this.draft.mode === "new" && this.draft.attempts === 0) {
            this.deps.store.clear();
            setText(this.draftStatus, "");
            return;
        }
        const at = new Date();
        this.lastSavedAt = at.getTime();
        this.draft = { ...this.draft, updated_at: at.toISOString() };
        if (this.deps.store.save(this.draft)) {
            this.draftStatus.classList.remove("warning");
            setText(this.draftStatus, `Draft saved on this computer at ${TIME_WITH_SECONDS.format(at)}`);
        }
        else {
            const message = "This browser would not save the draft. Keep this page open until the referral is sent.";
            if (!this.draftStatus.classList.contains("warning"))
                this.deps.announce(message);
            this.draftStatus.classList.add("warning");
            setText(this.draftStatus, message);
        }
    }
    /** Put the draft into the form (on load, or when another tab changed it). */
    restore(onLoad) {
        this.writeValues(this.draft.values);
        this.clearErrors();
        this.applyMode();
        this.validateNhs(false);
        this.showDateOfBirth(false);
        this.showPracticeName();
        const practice = this.control("patient.gp_practice_code")?.value.trim() ?? "";
        if (practice.length >= 2)
            this.searchSoon(practice);
        if (onLoad && hasContent(this.draft)) {
            const saved = Date.parse(this.draft.updated_at);
            setText(this.draftStatus, `Draft restored (last saved ${Number.isNaN(saved) ? "earlier" : shortTime(this.draft.updated_at)}). It stays on this computer until it is sent or discarded.`);
        }
    }
    askDiscard() {
        if (!hasContent(this.draft) && this.draft.mode === "new") {
            this.deps.announce("There is nothing to discard.");
            return;
        }
        this.discardDialog.returnValue = "";
        this.discardDialog.showModal();
        byId("discard-cancel").focus();
    }
    discard() {
        this.deps.store.clear();
        this.draft = newDraft(uuid);
        this.resetForm();
        setText(this.draftStatus, "Draft discarded.");
        this.deps.announce("Draft discarded.");
        this.focusFirst();
    }
    resetForm() {
        this.writeValues({});
        this.clearErrors();
        this.openRows = null;
        this.openCheck?.controller.abort();
        this.openCheck = null;
        this.openCheckFailed = null;
        this.notSent = false;
        this.sendStatus.replaceChildren();
        this.applyMode();
        this.validateNhs(false);
        this.showDateOfBirth(false);
        this.showPracticeName();
    }
    // ------------------------------------------------------------------ mode: new referral or addition
    applyMode() {
        const addition = this.draft.mode === "addition";
        this.view.classList.toggle("mode-addition", addition);
        for (const element of Array.from(this.form.querySelectorAll(".new-only"))) {
            element.hidden = addition;
            if (element instanceof HTMLFieldSetElement)
                element.disabled = addition;
        }
        const target = this.draft.addition_to;
        if (addition && target !== null) {
            const text = byId("addition-text");
            text.replaceChildren("Adding information to the open referral", target.patient_name !== null ? ` for ${target.patient_name}` : "", ` (received ${shortTime(target.received_at)}, ${statusLabel(target.status).toLowerCase()}). Only what you enter below is sent. `, el("a", { href: `#/referral/${encodeURIComponent(target.referral_id)}` }, "View that referral"));
            this.additionBanner.hidden = false;
        }
        else {
            this.additionBanner.hidden = true;
        }
        this.renderOpenNotice();
    }
    enterAddition(row) {
        this.draft = {
            ...this.draft,
            mode: "addition",
            addition_to: {
                referral_id: row.referral_id,
                received_at: row.received_at,
                status: row.status,
                patient_name: row.patient.name,
            },
            key: uuid(),
            attempts: 0,
        };
        this.notSent = false;
        this.sendStatus.replaceChildren();
        this.clearErrors();
        this.saveNow();
        this.applyMode();
        this.deps.announce("Adding information to the open referral. Enter what has changed.");
        this.control("reason")?.focus();
    }
    leaveAddition() {
        this.draft = { ...this.draft, mode: "new", addition_to: null, key: uuid(), attempts: 0 };
        this.notSent = false;
        this.sendStatus.replaceChildren();
        this.clearErrors();
        this.saveNow();
        this.applyMode();
        this.deps.announce("Taking a new referral.");
        this.control("patient.nhs_number")?.focus();
    }
    // ------------------------------------------------------------------ NHS number and open referrals
    validateNhs(final) {
        const input = this.control("patient.nhs_number");
        if (input === null)
            return;
        const valid = byId("nhs-valid");
        const check = checkNhsNumber(input.value);
        if (check.valid) {
            this.clearFieldError("patient.nhs_number");
            setText(valid, `✓ Valid NHS number ${formatNhsNumber(check.digits)}`);
            if (this.draft.mode === "new")
                void this.checkOpenEpisodes(check.digits);
            return;
        }
        setText(valid, "");
        this.renderOpenNotice();
        if (check.digits === "" || (!check.complete && !final))
            this.clearFieldError("patient.nhs_number");
        else
            this.setFieldError("patient.nhs_number", check.reason);
    }
    checkOpenEpisodes(digits) {
        if (this.openCheck !== null && this.openCheck.digits === digits)
            return this.openCheck.promise;
        if (this.openRows !== null && this.openRows.digits === digits) {
            this.renderOpenNotice();
            return Promise.resolve();
        }
        this.openCheck?.controller.abort();
        const controller = new AbortController();
        const promise = (async () => {
            const result = await openEpisodes(digits, controller.signal);
            if (controller.signal.aborted)
                return;
            if (this.openCheck?.controller === controller)
                this.openCheck = null;
            if (result.ok) {
                this.openRows = { digits, rows: result.data };
                this.openCheckFailed = null;
            }
            else if (result.failure.kind !== "aborted" && result.failure.kind !== "auth") {
                this.openCheckFailed = digits;
            }
            this.renderOpenNotice();
        })();
        this.openCheck = { digits, promise, controller };
        return promise;
    }
    currentNhsDigits() {
        const input = this.control("patient.nhs_number");
        const check = checkNhsNumber(input?.value ?? "");
        return check.valid ? check.digits : null;
    }
    renderOpenNotice() {
        const notice = byId("open-episodes");
        const digits = this.currentNhsDigits();
        // Re-render only on a real change: replacing the buttons under a pointer would eat the click
        // (the NHS field's blur re-checks the number just as the button is pressed).
        const rowsKey = this.openRows !== null && this.openRows.digits === digits ? this.openRows.rows.map((r) => `${r.referral_id}:${r.status}`).join(",") : "";
        const key = [this.draft.mode, digits, rowsKey, this.openCheckFailed === digits, this.draft.duplicate_acknowledged_for === digits].join("|");
        if (notice.dataset["key"] === key)
            return;
        notice.dataset["key"] = key;
        notice.classList.remove("warning", "info");
        if (this.draft.mode !== "new" || digits === null) {
            notice.replaceChildren();
            return;
        }
        if (this.openCheckFailed === digits) {
            notice.classList.add("info");
            notice.replaceChildren(el("p", {}, "Could not check for open referrals for this person just now; it will be checked again when you send."));
            return;
        }
        const rows = this.openRows !== null && this.openRows.digits === digits ? this.openRows.rows : [];
        if (rows.length === 0) {
            notice.replaceChildren();
            return;
        }
        notice.classList.add("warning");
        const items = rows.map((row) => {
            const add = el("button", { type: "button", class: "primary", "data-testid": "add-to-existing", "data-referral-id": row.referral_id }, "Add to that referral instead");
            add.addEventListener("click", () => this.enterAddition(row));
            return el("div", { class: "open-episode", "data-referral-id": row.referral_id }, el("p", { class: "notice-title" }, `This person already has an open referral (received ${shortTime(row.received_at)}, ${statusLabel(row.status).toLowerCase()})`), el("div", { class: "notice-actions" }, add, " ", el("a", { href: `#/referral/${encodeURIComponent(row.referral_id)}` }, "View it")));
        });
        const ack = el("input", { type: "checkbox", id: "duplicate-ack", "data-testid": "duplicate-ack" });
        ack.checked = this.draft.duplicate_acknowledged_for === digits;
        ack.addEventListener("change", () => {
            this.draft = { ...this.draft, duplicate_acknowledged_for: ack.checked ? digits : null };
            this.saveSoon();
        });
        notice.replaceChildren(...items, el("div", { class: "choice" }, ack, el("label", { for: "duplicate-ack" }, "Send a new referral anyway (a different problem)")));
    }
    /** Echo the date of birth back in words with the age, so a misheard date is caught on the call. */
    showDateOfBirth(tidy) {
        const input = this.control("patient.date_of_birth");
        const note = byId("dob-note");
        if (input === null)
            return;
        const iso = parseDateOfBirth(input.value);
        if (iso === null || iso > localToday()) {
            setText(note, "");
            return;
        }
        const [y, m, d] = iso.split("-").map(Number);
        const today = new Date();
        let age = today.getFullYear() - y;
        if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d))
            age -= 1;
        setText(note, `${dateOfBirth(iso)} (aged ${age})`);
        const tidied = `${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
        if (tidy && input.value !== tidied) {
            input.value = tidied;
            this.draft = { ...this.draft, values: this.readValues() };
            this.saveSoon();
        }
    }
    // ------------------------------------------------------------------ GP practice
    async searchPractice(query) {
        this.practiceController?.abort();
        const controller = new AbortController();
        this.practiceController = controller;
        const result = await searchPractices(query, controller.signal);
        if (controller.signal.aborted || !result.ok)
            return;
        const list = byId("practice-list");
        list.replaceChildren(...result.data.slice(0, 30).map((practice) => {
            this.practiceNames.set(practice.code.toUpperCase(), practice.name);
            return el("option", { value: practice.code }, practice.name === "" ? practice.code : `${practice.name} (${practice.code})`);
        }));
        this.showPracticeName();
    }
    showPracticeName() {
        const code = this.control("patient.gp_practice_code")?.value.trim().toUpperCase() ?? "";
        const name = this.practiceNames.get(code);
        setText(byId("practice-name"), name !== undefined && name !== "" ? `✓ ${name} (${code})` : "");
    }
    // ------------------------------------------------------------------ errors
    wrapper(name) {
        return this.form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    }
    focusTarget(name) {
        const wrapper = this.wrapper(name);
        if (wrapper === null || wrapper.closest("[hidden]") !== null)
            return null;
        if (wrapper instanceof HTMLFieldSetElement) {
            return wrapper.querySelector("input:checked") ?? wrapper.querySelector("input");
        }
        return this.control(name);
    }
    describedTargets(name) {
        const wrapper = this.wrapper(name);
        if (wrapper === null)
            return [];
        return wrapper instanceof HTMLFieldSetElement ? [wrapper] : [this.control(name)].filter((c) => c !== null);
    }
    setFieldError(name, reason) {
        const wrapper = this.wrapper(name);
        const error = document.getElementById(errorId(name));
        if (wrapper === null || error === null)
            return;
        error.textContent = reason;
        wrapper.classList.add("has-error");
        for (const target of this.describedTargets(name)) {
            const base = target.dataset["describedby"] ?? "";
            target.setAttribute("aria-describedby", `${base} ${errorId(name)}`.trim());
        }
        const inputs = wrapper instanceof HTMLFieldSetElement ? Array.from(wrapper.querySelectorAll("input")) : [this.control(name)];
        for (const input of inputs)
            input?.setAttribute("aria-invalid", "true");
    }
    clearFieldError(name) {
        const wrapper = this.wrapper(name);
        const error = document.getElementById(errorId(name));
        if (wrapper === null || error === null || !wrapper.classList.contains("has-error"))
            return;
        error.textContent = "";
        wrapper.classList.remove("has-error");
        for (const target of this.describedTargets(name)) {
            const base = target.dataset["describedby"] ?? "";
            if (base === "")
                target.removeAttribute("aria-describedby");
            else
                target.setAttribute("aria-describedby", base);
        }
        const inputs = wrapper instanceof HTMLFieldSetElement ? Array.from(wrapper.querySelectorAll("input")) : [this.control(name)];
        for (const input of inputs)
            input?.removeAttribute("aria-invalid");
    }
    clearErrors() {
        for (const name of this.knownFields)
            this.clearFieldError(name);
        this.summary.hidden = true;
        this.summaryList.replaceChildren();
    }
    labelOf(name) {
        const wrapper = this.wrapper(name);
        const label = wrapper === null ? null : wrapper instanceof HTMLFieldSetElement ? wrapper.querySelector("legend") : wrapper.querySelector("label");
        if (label === null)
            return name;
        const copy = label.cloneNode(true);
        if (!(copy instanceof HTMLElement))
            return name;
        const inactive = this.draft.mode === "addition" ? ".when-new" : ".when-addition";
        for (const extra of Array.from(copy.querySelectorAll(`.req, .opt, ${inactive}`)))
            extra.remove();
        const text = (copy.textContent ?? "").trim();
        return text === "" ? name : text;
    }
    showSummary(items) {
        this.summaryList.replaceChildren(...items.map((item) => {
            if (item.target === null)
                return el("li", {}, item.text);
            const target = item.target;
            const link = el("a", { href: `#${target.id}` }, item.text);
            link.addEventListener("click", (event) => {
                event.preventDefault();
                target.focus();
                target.scrollIntoView({ block: "center" });
            });
            return el("li", {}, link);
        }));
        this.summary.hidden = false;
        this.summary.focus();
    }
    /** Client or API errors: each next to its field when there is one, all in the summary. */
    showFieldErrors(errors, fallback) {
        const items = [];
        for (const error of errors) {
            const name = resolveErrorField(error.field, error.reason, this.knownFields);
            const target = name === null ? null : this.focusTarget(name);
            if (name !== null && target !== null) {
                this.setFieldError(name, error.reason);
                items.push({ text: `${this.labelOf(name)}: ${error.reason}`, target });
            }
            else {
                items.push({ text: `${error.field === "(body)" ? "" : `${error.field}: `}${error.reason}`, target: null });
            }
        }
        if (items.length === 0)
            items.push({ text: fallback, target: null });
        this.showSummary(items);
    }
    // ------------------------------------------------------------------ sending
    async submit() {
        if (this.sending)
            return;
        this.confirmation.hidden = true;
        this.saveSoon.cancel();
        this.draft = { ...this.draft, values: this.readValues() };
        this.saveNow();
        this.clearErrors();
        if (this.draft.mode === "addition" && this.draft.addition_to !== null) {
            const built = buildAddition(this.draft.values);
            if (!built.ok)
                return this.showFieldErrors(built.errors, "Check the form");
            const target = this.draft.addition_to.referral_id;
            const key = this.draft.key;
            await this.send(() => addToReferral(target, built.payload, key));
            return;
        }
        const built = buildReferral(this.draft.values, this.draft.family_contact_id);
        if (!built.ok)
            return this.showFieldErrors(built.errors, "Check the form");
        const digits = built.payload.patient.nhs_number;
        if (this.openRows?.digits !== digits) {
            this.openCheckFailed = null;
            await Promise.race([this.checkOpenEpisodes(digits), new Promise((resolve) => window.setTimeout(resolve, 8000))]);
        }
        const open = this.openRows?.digits === digits ? this.openRows.rows : [];
        if (open.length > 0 && this.draft.duplicate_acknowledged_for !== digits) {
            this.showSummary([
                {
                    text: "This person already has an open referral: add to it, or tick “Send a new referral anyway”",
                    target: document.querySelector('[data-testid="add-to-existing"]'),
                },
            ]);
            return;
        }
        const key = this.draft.key;
        await this.send(() => submitReferral(built.payload, key));
    }
    async send(call) {
        this.sending = true;
        const button = byId("submit-referral");
        button.setAttribute("aria-disabled", "true");
        this.sendStatus.replaceChildren(el("p", { class: "notice info" }, "Sending…"));
        this.draft = { ...this.draft, attempts: this.draft.attempts + 1 };
        this.saveNow();
        let result;
        try {
            result = await call();
        }
        finally {
            this.sending = false;
            button.removeAttribute("aria-disabled");
        }
        if (result.ok) {
            this.sent(result.data, result.status);
            return;
        }
        this.failed(result.failure);
    }
    failed(failure) {
        if (failure.kind === "auth") {
            this.notSent = false;
            this.sendStatus.replaceChildren(el("p", { class: "notice warning" }, "Your sign-in has ended. Your referral is saved; after signing in, press Send again."));
            return;
        }
        if (failure.kind === "http" && failure.status === 422) {
            this.notSent = false;
            this.sendStatus.replaceChildren(el("p", { class: "notice warning" }, "Not sent: the hub needs some changes. Your referral is saved."));
            this.showFieldErrors(failure.errors, failure.detail);
            return;
        }
        if (isRetryable(failure) || failure.kind === "unexpected") {
            this.notSent = true;
            const retry = el("button", { type: "button", class: "primary", "data-testid": "retry" }, "Retry");
            retry.addEventListener("click", () => void this.submit());
            this.sendStatus.replaceChildren(el("div", { class: "notice error not-sent", role: "alert" }, el("p", {}, el("strong", {}, "Not sent — your referral is saved; "), retry), el("p", { class: "small" }, `${describeFailure(failure)} Retrying is safe: it cannot make a second referral.`)));
            retry.focus();
            return;
        }
        this.notSent = false;
        this.sendStatus.replaceChildren(el("p", { class: "notice warning" }, "Not sent. Your referral is saved."));
        this.showSummary([{ text: describeFailure(failure), target: null }]);
    }
    sent(row, status) {
        const wasAddition = this.draft.mode === "addition";
        const values = this.draft.values;
        const typedName = `${String(values["patient.given_name"] ?? "")} ${String(values["patient.family_name"] ?? "")}`.trim();
        const name = row.patient.name ?? (wasAddition ? this.draft.addition_to?.patient_name : null) ?? (typedName === "" ? null : typedName);
        this.deps.store.clear();
        this.draft = newDraft(uuid);
        this.resetForm();
        setText(this.draftStatus, "");
        const heading = el("h2", { tabindex: "-1" }, wasAddition ? "Added to the referral" : status === 200 ? "Referral already received" : "Referral sent");
        const who = [name, row.patient.nhs_number !== null ? `NHS ${formatNhsNumber(row.patient.nhs_number)}` : null].filter((p) => p !== null).join(", ");
        const another = el("button", { type: "button", class: "secondary" }, "Take another referral ", el("kbd", {}, "Alt+N"));
        another.addEventListener("click", () => {
            this.confirmation.hidden = true;
            this.focusFirst();
        });
        this.confirmation.replaceChildren();
        append(this.confirmation, heading, el("p", {}, who === "" ? "" : `${who}. `, "Status: ", el("strong", { "data-testid": "confirmation-status" }, statusLabel(row.status)), row.received_at !== null ? ` (received ${shortTime(row.received_at)}).` : "."), !wasAddition && status === 200 ? el("p", {}, "This referral had already reached the hub, so nothing was duplicated.") : null, el("p", { class: "notice-actions" }, el("a", { href: `#/referral/${encodeURIComponent(row.referral_id)}`, "data-testid": "confirmation-link" }, "Open the referral"), " ", another));
        this.confirmation.hidden = false;
        heading.focus();
        this.deps.announce(`${heading.textContent ?? "Sent"}. Status ${statusLabel(row.status)}.`);
        this.deps.onSent(row);
    }
}
