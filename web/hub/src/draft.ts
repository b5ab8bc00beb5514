/**
 * The referral being taken, kept in localStorage on every change so that neither a reload, a
 * crash, a dropped connection nor a sign-in round trip loses it. Each draft carries its own
 * Idempotency-Key, reused on every retry, so a retried send can never make a second referral.
 */

import { isRecord, num, str } from "../../shared/dist/json.js";
import type { FormValues, FieldValue } from "./rules.js";

export const DRAFT_KEY = "carerelay.hub.draft.v1";

export interface AdditionTarget {
  readonly referral_id: string;
  readonly received_at: string | null;
  readonly status: string;
  readonly patient_name: string | null;
}

export interface Draft {
  readonly version: 1;
  /** The Idempotency-Key for sending this draft (new referral or addition). */
  readonly key: string;
  /** A stable id for the family contact, so a retry sends the same contact. */
  readonly family_contact_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly mode: "new" | "addition";
  readonly addition_to: AdditionTarget | null;
  readonly values: FormValues;
  /** How many times sending has been tried (for "Not sent" messages and support). */
  readonly attempts: number;
  /** NHS number (digits) whose open referral the handler chose to ignore, sending a new one anyway. */
  readonly duplicate_acknowledged_for: string | null;
}

export function newDraft(makeId: () => string, now: Date = new Date()): Draft {
  const at = now.toISOString();
  return {
    version: 1,
    key: makeId(),
    family_contact_id: makeId(),
    created_at: at,
    updated_at: at,
    mode: "new",
    addition_to: null,
    values: {},
    attempts: 0,
    duplicate_acknowledged_for: null,
  };
}

/** Whether anything has been typed into it. */
export function hasContent(draft: Draft): boolean {
  return Object.entries(draft.values).some(([name, value]) => {
    if (name === "observations.spo2_scale") return false; // has a default
    if (typeof value === "string") return value.trim() !== "";
    if (Array.isArray(value)) return value.length > 0;
    return value;
  });
}

function decodeValues(value: unknown): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  if (!isRecord(value)) return values;
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === "string" || typeof item === "boolean") values[name] = item;
    else if (Array.isArray(item)) values[name] = item.filter((v): v is string => typeof v === "string");
  }
  return values;
}

function decodeTarget(value: unknown): AdditionTarget | null {
  if (!isRecord(value)) return null;
  const id = str(value["referral_id"]);
  if (id === null) return null;
  return {
    referral_id: id,
    received_at: str(value["received_at"]),
    status: str(value["status"]) ?? "",
    patient_name: str(value["patient_name"]),
  };
}

export function decodeDraft(raw: string): Draft | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || parsed["version"] !== 1) return null;
  const key = str(parsed["key"]);
  const contact = str(parsed["family_contact_id"]);
  if (key === null || contact === null) return null;
  const target = decodeTarget(parsed["addition_to"]);
  const mode = parsed["mode"] === "addition" && target !== null ? "addition" : "new";
  return {
    version: 1,
    key,
    family_contact_id: contact,
    created_at: str(parsed["created_at"]) ?? new Date().toISOString(),
    updated_at: str(parsed["updated_at"]) ?? new Date().toISOString(),
    mode,
    addition_to: mode === "addition" ? target : null,
    values: decodeValues(parsed["values"]),
    attempts: num(parsed["attempts"]) ?? 0,
    duplicate_acknowledged_for: str(parsed["duplicate_acknowledged_for"]),
  };
}

export class DraftStore {
  constructor(
    private readonly storage: Storage,
    private readonly key: string = DRAFT_KEY,
  ) {}

  load(): Draft | null {
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      return null;
    }
    if (raw === null) return null;
    const draft = decodeDraft(raw);
    if (draft === null) {
      // Keep what could not be read rather than throw it away.
      try {
        this.storage.setItem(`${this.key}.unreadable`, raw);
      } catch {
        /* nothing more to do */
      }
    }
    return draft;
  }

  /** Returns false when the browser refused to store it (quota, private mode). */
  save(draft: Draft): boolean {
    try {
      this.storage.setItem(this.key, JSON.stringify(draft));
      return true;
    } catch {
      return false;
    }
  }

  clear(): void {
    try {
      this.storage.removeItem(this.key);
    } catch {
      /* nothing to do */
    }
  }
}
