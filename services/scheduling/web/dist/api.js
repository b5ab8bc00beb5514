/** The scheduling API for the app: the day, and sending one queued action. */
import { session } from "./auth.js";
import { decodeDay, isRecord, str } from "./model.js";
const TIMEOUT_MS = 15_000;
async function call(path, init) {
    const current = session();
    if (current === null)
        return "auth";
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
        const headers = new Headers(init.headers);
        headers.set("Authorization", `Bearer ${current.token}`);
        headers.set("Accept", "application/json");
        const response = await fetch(path, { ...init, headers, signal: controller.signal, cache: "no-store", credentials: "same-origin" });
        return response.status === 401 ? "auth" : response;
    }
    catch {
        return "offline";
    }
    finally {
        window.clearTimeout(timer);
    }
}
async function json(response) {
    try {
        return await response.json();
    }
    catch {
        return null;
    }
}
export async function fetchDay() {
    const response = await call("/api/scheduling/my/day", { method: "GET" });
    if (response === "offline" || response === "auth")
        return { kind: response };
    if (response.status >= 500)
        return { kind: "offline" };
    const day = response.ok ? decodeDay(await json(response)) : null;
    return day === null ? { kind: "error", message: `The day could not be loaded (HTTP ${response.status}).` } : { kind: "ok", day };
}
function errors(body) {
    if (!isRecord(body) || !Array.isArray(body["errors"]))
        return "the server refused it";
    return body["errors"]
        .map((e) => (isRecord(e) ? `${str(e["field"]) ?? ""}: ${str(e["reason"]) ?? ""}` : ""))
        .filter((text) => text !== "")
        .join("; ");
}
/** Send one queued action with its Idempotency-Key; say what became of it. */
export async function sendAction(action) {
    const response = await call(action.path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": action.key },
        body: JSON.stringify(action.body),
    });
    if (response === "offline" || response === "auth")
        return { kind: response };
    const body = await json(response);
    if (response.ok)
        return { kind: "sent", result: body };
    if (response.status === 409) {
        return { kind: "conflict", message: (isRecord(body) ? str(body["detail"]) : null) ?? "This visit has changed: nothing was recorded." };
    }
    if (response.status === 404)
        return { kind: "conflict", message: "This visit is no longer on your list: nothing was recorded." };
    if (response.status === 422)
        return { kind: "refused", message: `Not recorded: ${errors(body)}.` };
    if (response.status === 403)
        return { kind: "refused", message: "Not recorded: your role may not do this." };
    return { kind: "offline" }; // 5xx, 429, a proxy's error page: try again later
}
