/**
 * Errors shown next to their fields: `<id>-error` holds the words, the field is marked aria-invalid.
 * A 422's errors name the body field; `fields` maps each name to the id of its control here.
 */

import { byId, setText } from "../../shared/dist/dom.js";
import type { ApiFailure } from "./api.js";

export function fieldError(id: string, message: string): void {
  setText(byId(`${id}-error`), message);
  const field = byId(id);
  if (message === "") field.removeAttribute("aria-invalid");
  else field.setAttribute("aria-invalid", "true");
}

/** The error by its field, with the focus on it. */
export function invalid(id: string, message: string): void {
  fieldError(id, message);
  byId(id).focus();
}

/** A 422's errors next to their fields (the focus on the first); false if none of them named a field here. */
export function showFieldErrors(failure: ApiFailure, fields: Readonly<Record<string, string>>): boolean {
  if (failure.kind !== "http" || failure.status !== 422) return false;
  let shown = false;
  for (const error of failure.errors) {
    const name = error.field.split(".").pop() ?? error.field;
    const id = fields[name];
    if (id === undefined) continue;
    fieldError(id, error.reason);
    if (!shown) byId(id).focus();
    shown = true;
  }
  return shown;
}
