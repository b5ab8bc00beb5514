/**
 * The referral being taken, kept in localStorage on every change so that neither a reload, a
 * crash, a dropped connection nor a sign-in round trip loses it. Each draft carries its own
 * Idempotency-Key, reused on every retry, so a retried send can never make a second referral.
 */
import { isRecord, num, str } from "./model.js";
export const DRAFT_KEY = "carerelay.hub.draft.v1";
export function newDraft(makeId, now = new Date()) {
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
export function hasContent(draft) {
    return Object.entries(draft.values).some(([name, value]) => {
        if (name === "observations.spo2_scale")
            return false; // has a default
        if (typeof value === "string")
            return value.trim() !== "";
        if (Array.isArray(value))
            return value.length > 0;
        return value;
    });
}
function decodeValues(value) {
    const values = {};
    if (!isRecord(value))
        return values;
    for (const [name, item] of Object.entries(value)) {
        if (typeof item === "string" || typeof item === "boolean")
            values[name] = item;
        else if (Array.isArray(item))
            values[name] = item.filter((v) => typeof v === "string");
    }
    return values;
}
function decodeTarget(value) {
    if (!isRecord(value))
        return null;
    const id = str(value["referral_id"]);
    if (id === null)
        return null;
    return {
        referral_id: id,
        received_at: str(value["received_at"]),
        status: str(value["status"]) ?? "",
        patient_name: str(value["patient_name"]),
    };
}
export function decodeDraft(raw) {
    let parsed;
    try {
        parsed = JSON.parse(raw);
    }
    catch {
        return null;
    }
    if (!isRecord(parsed) || parsed["version"] !== 1)
        return null;
    const key = str(parsed["key"]);
    const contact = str(parsed["family_contact_id"]);
    if (key === null || contact === null)
        return null;
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
    storage;
    key;
    constructor(storage, key = DRAFT_KEY) {
        this.storage = storage;
        this.key = key;
    }
    load() {
        let raw;
        try {
            raw = this.storage.getItem(this.key);
        }
        catch {
            return null;
        }
        if (raw === null)
            return null;
        const draft = decodeDraft(raw);
        if (draft === null) {
            // Keep what could not be read rather than throw it away.
            try {
                this.storage.setItem(`${this.key}.unreadable`, raw);
            }
            catch {
                /* nothing more to do */
            }
        }
        return draft;
    }
    /** Returns false when the browser refused to store it (quota, private mode). */
    save(draft) {
        try {
            this.storage.setItem(this.key, JSON.stringify(draft));
            return true;
        }
        catch {
            return false;
        }
    }
    clear() {
        try {
            this.storage.removeItem(this.key);
        }
        catch {
            /* nothing to do */
        }
    }
}
