/** Small DOM helpers. Text from the API always goes in with textContent, never innerHTML. */
export function byId(id, type) {
    const element = document.getElementById(id);
    if (element === null)
        throw new Error(`missing #${id}`);
    if (type !== undefined && !(element instanceof type))
        throw new Error(`#${id} is not a ${type.name}`);
    return element;
}
export function el(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (name === "class")
            element.className = value;
        else
            element.setAttribute(name, value);
    }
    append(element, ...children);
    return element;
}
export function append(parent, ...children) {
    for (const child of children) {
        if (child === null || child === undefined || child === false)
            continue;
        parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
}
export function setText(element, text) {
    if (element.textContent !== text)
        element.textContent = text;
}
/** Say something to screen-reader users through a live region. */
export function announce(region, message) {
    region.textContent = "";
    // A fresh text node after clearing makes repeated messages be read again.
    window.setTimeout(() => {
        region.textContent = message;
    }, 50);
}
export function debounce(fn, ms) {
    let timer;
    let pending = null;
    const run = (...args) => {
        pending = args;
        if (timer !== undefined)
            window.clearTimeout(timer);
        timer = window.setTimeout(() => {
            timer = undefined;
            const next = pending;
            pending = null;
            if (next !== null)
                fn(...next);
        }, ms);
    };
    run.flush = () => {
        if (timer !== undefined)
            window.clearTimeout(timer);
        timer = undefined;
        const next = pending;
        pending = null;
        if (next !== null)
            fn(...next);
    };
    run.cancel = () => {
        if (timer !== undefined)
            window.clearTimeout(timer);
        timer = undefined;
        pending = null;
    };
    return run;
}
/** A version-4 UUID; crypto.randomUUID where the browser has it (secure contexts), else built
 * from crypto.getRandomValues. */
export function uuid() {
    if (typeof crypto.randomUUID === "function")
        return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
