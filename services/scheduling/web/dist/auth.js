/**
 * Sign-in: OpenID Connect authorisation code flow with PKCE (S256) against the issuer proxied at
 * /auth/ (the same as the hub's). The access token lives in sessionStorage (this tab only); the day
 * and the actions waiting to be sent live elsewhere (localStorage) and are never touched here.
 */
import { isRecord, num, str, strings } from "./model.js";
const CLIENT_ID = "carerelay-web";
const TOKEN_KEY = "carerelay.app.token";
const PKCE_KEY = "carerelay.app.pkce";
const LOG_KEY = "carerelay.app.signin-log";
/** Refuse a token this close to expiry, so a request never starts with a dying token. */
const EXPIRY_MARGIN_MS = 30_000;
/** More sign-in round trips than this within the window means something is wrong: stop and say so. */
const LOOP_LIMIT = 3;
const LOOP_WINDOW_MS = 2 * 60_000;
export class SignInError extends Error {
}
export function redirectUri() {
    return `${location.origin}/app/`;
}
function base64url(bytes) {
    let binary = "";
    for (const byte of bytes)
        binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function randomString(bytes = 32) {
    return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
export async function s256(verifier) {
    if (crypto.subtle === undefined) {
        throw new SignInError("This page must be opened over HTTPS (or on localhost) to sign in.");
    }
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    return base64url(new Uint8Array(digest));
}
/** The JWT's payload, decoded for display only (the API verifies the signature, not us). */
export function decodeJwtPayload(token) {
    const part = token.split(".")[1];
    if (part === undefined)
        return null;
    try {
        const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
        const binary = atob(padded);
        const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
        const parsed = JSON.parse(new TextDecoder().decode(bytes));
        return isRecord(parsed) ? parsed : null;
    }
    catch {
        return null;
    }
}
function readJson(storage, key) {
    const raw = storage.getItem(key);
    if (raw === null)
        return null;
    try {
        const parsed = JSON.parse(raw);
        return isRecord(parsed) ? parsed : null;
    }
    catch {
        return null;
    }
}
export function session() {
    const stored = readJson(sessionStorage, TOKEN_KEY);
    const token = stored === null ? null : str(stored["access_token"]);
    const expiresAt = stored === null ? null : num(stored["expires_at"]);
    if (token === null || expiresAt === null)
        return null;
    if (Date.now() > expiresAt - EXPIRY_MARGIN_MS) {
        sessionStorage.removeItem(TOKEN_KEY);
        return null;
    }
    const claims = decodeJwtPayload(token);
    return {
        token,
        expiresAt,
        name: claims === null ? null : str(claims["name"]),
        roles: claims === null ? [] : strings(claims["roles"]),
        staffId: claims === null ? null : str(claims["staff_id"]),
    };
}
export function clearToken() {
    sessionStorage.removeItem(TOKEN_KEY);
}
/** Sign out: forget the token (the app forgets the day itself). */
export function signOut() {
    clearToken();
    sessionStorage.removeItem(PKCE_KEY);
}
function recentSignIns() {
    const raw = sessionStorage.getItem(LOG_KEY);
    let times = [];
    try {
        const parsed = raw === null ? [] : JSON.parse(raw);
        if (Array.isArray(parsed))
            times = parsed.filter((t) => typeof t === "number");
    }
    catch {
        times = [];
    }
    const since = Date.now() - LOOP_WINDOW_MS;
    return times.filter((t) => t > since);
}
/**
 * Go to the issuer. `returnHash` is where to come back to (the redirect URI itself cannot carry a
 * fragment). Throws SignInError rather than loop when sign-in keeps failing; `force` skips that guard
 * (the person pressed "Sign in").
 */
export async function startSignIn(returnHash, force = false) {
    const times = force ? [] : recentSignIns();
    if (times.length >= LOOP_LIMIT) {
        throw new SignInError("Signing in keeps failing. What you recorded is kept on this phone.");
    }
    const verifier = randomString(48);
    const state = randomString(24);
    const challenge = await s256(verifier);
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, return_hash: returnHash }));
    sessionStorage.setItem(LOG_KEY, JSON.stringify([...times, Date.now()]));
    const params = new URLSearchParams({
        response_type: "code",
        client_id: CLIENT_ID,
        redirect_uri: redirectUri(),
        state,
        code_challenge: challenge,
        code_challenge_method: "S256",
    });
    location.assign(`/auth/authorize?${params.toString()}`);
}
function stripQuery(hash) {
    history.replaceState(null, "", `${location.pathname}${hash}`);
}
/** If this page load is the issuer's redirect back (?code&state or ?error), finish signing in. */
export async function completeSignIn() {
    const query = new URLSearchParams(location.search);
    const code = query.get("code");
    const error = query.get("error");
    if (code === null && error === null)
        return { kind: "none" };
    const pkce = readJson(sessionStorage, PKCE_KEY);
    sessionStorage.removeItem(PKCE_KEY);
    const returnHash = (pkce !== null ? str(pkce["return_hash"]) : null) ?? location.hash;
    stripQuery(returnHash);
    if (error !== null) {
        const description = query.get("error_description");
        return { kind: "error", message: `Sign-in failed: ${description ?? error}`, returnHash };
    }
    const verifier = pkce === null ? null : str(pkce["verifier"]);
    const state = pkce === null ? null : str(pkce["state"]);
    if (verifier === null || state === null || state !== query.get("state")) {
        return { kind: "error", message: "Sign-in could not be checked (the state did not match). Please sign in again.", returnHash };
    }
    let response;
    try {
        response = await fetch("/auth/token", {
            method: "POST",
            headers: { Accept: "application/json" },
            body: new URLSearchParams({
                grant_type: "authorization_code",
                code: code ?? "",
                redirect_uri: redirectUri(),
                client_id: CLIENT_ID,
                code_verifier: verifier,
            }),
            cache: "no-store",
            credentials: "same-origin",
        });
    }
    catch {
        return { kind: "error", message: "Sign-in failed: the sign-in service could not be reached.", returnHash };
    }
    let body = null;
    try {
        body = await response.json();
    }
    catch {
        body = null;
    }
    const token = isRecord(body) ? str(body["access_token"]) : null;
    const expiresIn = isRecord(body) ? num(body["expires_in"]) : null;
    if (!response.ok || token === null) {
        const reason = isRecord(body) ? (str(body["error_description"]) ?? str(body["error"])) : null;
        return { kind: "error", message: `Sign-in failed${reason !== null ? `: ${reason}` : ` (HTTP ${response.status})`}.`, returnHash };
    }
    const expiresAt = Date.now() + (expiresIn ?? 3600) * 1000;
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ access_token: token, expires_at: expiresAt }));
    return { kind: "signed-in", returnHash };
}
