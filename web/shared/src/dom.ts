/** Small DOM helpers. Text from the API always goes in with textContent, never innerHTML. */

export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: new () => T): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing #${id}`);
  if (type !== undefined && !(element instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return element as T;
}

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") element.className = value;
    else element.setAttribute(name, value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Say something to screen-reader users through a live region. */
export function announce(region: HTMLElement, message: string): void {
  region.textContent = "";
  // A fresh text node after clearing makes repeated messages be read again.
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { flush(): void; cancel(): void } {
  let timer: number | undefined;
  let pending: A | null = null;
  const run = (...args: A): void => {
    pending = args;
    if (timer !== undefined) window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      timer = undefined;
      const next = pending;
      pending = null;
      if (next !== null) fn(...next);
    }, ms);
  };
  run.flush = (): void => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
    const next = pending;
    pending = null;
    if (next !== null) fn(...next);
  };
  run.cancel = (): void => {
    if (timer !== undefined) window.clearTimeout(timer);
    timer = undefined;
    pending = null;
  };
  return run;
}

/** A version-4 UUID; crypto.randomUUID where the browser has it (secure contexts), else built
 * from crypto.getRandomValues. */
export function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** Where a control sits, in words that survive a redraw: its form (by test id, label or position),
 * its name and, for a checkbox or radio, its value. Generated element ids change on every render. */
function controlKey(root: HTMLElement, control: Control): string | null {
  if (control.name === "") return null;
  const form = control.closest("form");
  const forms = Array.from(root.querySelectorAll("form"));
  const formKey = form === null ? "-" : (form.dataset["testid"] ?? form.getAttribute("aria-labelledby") ?? String(forms.indexOf(form)));
  const choice = control instanceof HTMLInputElement && (control.type === "checkbox" || control.type === "radio") ? `|${control.value}` : "";
  return `${formKey}|${control.name}${choice}`;
}

function isChoice(control: Control): control is HTMLInputElement {
  return control instanceof HTMLInputElement && (control.type === "checkbox" || control.type === "radio");
}

function changedByHand(control: Control): boolean {
  if (isChoice(control)) return control.checked !== control.defaultChecked;
  if (control instanceof HTMLSelectElement) return Array.from(control.options).some((option) => option.selected !== option.defaultSelected);
  return control.value !== control.defaultValue;
}

/** Redraw `root` without taking away what the person was doing in it: what they typed or ticked,
 * the sections they opened, and where the cursor was. A live update (someone else's change arriving)
 * must never wipe a half-filled form on a phone. Call plain `redraw()` instead after the person's own
 * action, when the form they sent should start empty. */
export function redrawKeeping(root: HTMLElement, redraw: () => void): void {
  const typed = new Map<string, string | boolean>();
  for (const control of Array.from(root.querySelectorAll<Control>("input, textarea, select"))) {
    const key = controlKey(root, control);
    if (key === null || !changedByHand(control)) continue;
    typed.set(key, isChoice(control) ? control.checked : control.value);
  }
  const opened = new Set(
    Array.from(root.querySelectorAll("details[open] > summary")).map((summary) => summary.textContent ?? ""),
  );
  const active = document.activeElement;
  const focused = active !== null && root.contains(active) && "name" in active ? controlKey(root, active as Control) : null;
  redraw();
  for (const summary of Array.from(root.querySelectorAll<HTMLElement>("details > summary"))) {
    if (opened.has(summary.textContent ?? "")) summary.parentElement?.setAttribute("open", "");
  }
  for (const control of Array.from(root.querySelectorAll<Control>("input, textarea, select"))) {
    const key = controlKey(root, control);
    if (key === null) continue;
    const value = typed.get(key);
    if (value === undefined) continue;
    if (isChoice(control)) control.checked = value === true;
    else control.value = String(value);
    control.dispatchEvent(new Event("input", { bubbles: true }));
    if (key === focused) control.focus();
  }
}
