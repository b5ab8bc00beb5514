/**
 * Sign-in for a front end: OpenID Connect authorisation code flow with PKCE (S256) against the
 * issuer proxied at /auth/, one client (`carerelay-web`) for every front end. Each front end makes
 * one `SignIn` with its own path: the redirect URI is `<origin>/<path>/` and its keys in
 * sessionStorage are `carerelay.<path>.*`, so the hub and the app in two tabs never share a token.
 * The access token lives in sessionStorage (this tab only); what a front end keeps for itself in
 * localStorage (the hub's draft referral, the app's day and the actions waiting to be sent) is never
 * touched here.
 */

import { isRecord, num, str, strings } from "./json.js";

const CLIENT_ID = "carerelay-web";
/** Refuse a token this close to expiry, so a request never starts with a dying token. */
const EXPIRY_MARGIN_MS = 30_000;
/** More sign-in round trips than this within the window means something is wrong: stop and say so. */
const LOOP_LIMIT = 3;
const LOOP_WINDOW_MS = 2 * 60_000;

export interface Session {
  readonly token: string;
  readonly expiresAt: number;
  readonly name: string | null;
  readonly roles: readonly string[];
  /** The token's staff_id: whose visits these are (field staff; null for the hub's people). */
  readonly staffId: string | null;
}

export class SignInError extends Error {}

export type Completion =
  | { readonly kind: "none" }
  | { readonly kind: "signed-in"; readonly returnHash: string }
  | { readonly kind: "error"; readonly message: string; readonly returnHash: string };

export interface FrontEnd {
  /** Where the front end is served, without slashes: "hub" for /hub/, "app" for /app/. */
  readonly path: string;
  /** What to say when sign-in keeps failing, and what of the person's work is kept. */
  readonly keepsFailing: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function s256(verifier: string): Promise<string> {
  if (crypto.subtle === undefined) {
    throw new SignInError("This page must be opened over HTTPS (or on localhost) to sign in.");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The JWT's payload, decoded for display only (the API verifies the signature, not us). */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (part === undefined) return null;
  try {
    const padded = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function readJson(storage: Storage, key: string): Record<string, unknown> | null {
  const raw = storage.getItem(key);
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function stripQuery(hash: string): void {
  history.replaceState(null, "", `${location.pathname}${hash}`);
}

/** One front end's sign-in: its token, its PKCE round trip and its guard against sign-in loops. */
export class SignIn {
  private readonly tokenKey: string;
  private readonly pkceKey: string;
  private readonly logKey: string;

  constructor(private readonly frontEnd: FrontEnd) {
    this.tokenKey = `carerelay.${frontEnd.path}.token`;
    this.pkceKey = `carerelay.${frontEnd.path}.pkce`;
    this.logKey = `carerelay.${frontEnd.path}.signin-log`;
  }

  redirectUri(): string {
    return `${location.origin}/${this.frontEnd.path}/`;
  }

  session(): Session | null {
    const stored = readJson(sessionStorage, this.tokenKey);
    const token = stored === null ? null : str(stored["access_token"]);
    const expiresAt = stored === null ? null : num(stored["expires_at"]);
    if (token === null || expiresAt === null) return null;
    if (Date.now() > expiresAt - EXPIRY_MARGIN_MS) {
      sessionStorage.removeItem(this.tokenKey);
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

  clearToken(): void {
    sessionStorage.removeItem(this.tokenKey);
  }

  /** Sign out: forget the token (what the front end keeps for itself is its own to keep or forget). */
  signOut(): void {
    this.clearToken();
    sessionStorage.removeItem(this.pkceKey);
  }

  private recentSignIns(): number[] {
    const raw = sessionStorage.getItem(this.logKey);
    let times: number[] = [];
    try {
      const parsed: unknown = raw === null ? [] : JSON.parse(raw);
      if (Array.isArray(parsed)) times = parsed.filter((t): t is number => typeof t === "number");
    } catch {
      times = [];
    }
    const since = Date.now() - LOOP_WINDOW_MS;
    return times.filter((t) => t > since);
  }

  /**
   * Go to the issuer. `returnHash` is where to come back to (the redirect URI itself cannot carry a
   * fragment). Throws SignInError rather than loop when sign-in keeps failing; `force` skips that
   * guard (the person pressed "Sign in").
   */
  async start(returnHash: string, force = false): Promise<void> {
    const times = force ? [] : this.recentSignIns();
    if (times.length >= LOOP_LIMIT) throw new SignInError(this.frontEnd.keepsFailing);
    const verifier = randomString(48);
    const state = randomString(24);
    const challenge = await s256(verifier);
    sessionStorage.setItem(this.pkceKey, JSON.stringify({ verifier, state, return_hash: returnHash }));
    sessionStorage.setItem(this.logKey, JSON.stringify([...times, Date.now()]));
    const params = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: this.redirectUri(),
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    location.assign(`/auth/authorize?${params.toString()}`);
  }

  /** If this page load is the issuer's redirect back (?code&state or ?error), finish signing in. */
  async complete(): Promise<Completion> {
    const query = new URLSearchParams(location.search);
    const code = query.get("code");
    const error = query.get("error");
    if (code === null && error === null) return { kind: "none" };
    const pkce = readJson(sessionStorage, this.pkceKey);
    sessionStorage.removeItem(this.pkceKey);
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
    let response: Response;
    try {
      response = await fetch("/auth/token", {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: code ?? "",
          redirect_uri: this.redirectUri(),
          client_id: CLIENT_ID,
          code_verifier: verifier,
        }),
        cache: "no-store",
        credentials: "same-origin",
      });
    } catch {
      return { kind: "error", message: "Sign-in failed: the sign-in service could not be reached.", returnHash };
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    const token = isRecord(body) ? str(body["access_token"]) : null;
    const expiresIn = isRecord(body) ? num(body["expires_in"]) : null;
    if (!response.ok || token === null) {
      const reason = isRecord(body) ? (str(body["error_description"]) ?? str(body["error"])) : null;
      return { kind: "error", message: `Sign-in failed${reason !== null ? `: ${reason}` : ` (HTTP ${response.status})`}.`, returnHash };
    }
    const expiresAt = Date.now() + (expiresIn ?? 3600) * 1000;
    sessionStorage.setItem(this.tokenKey, JSON.stringify({ access_token: token, expires_at: expiresAt }));
    return { kind: "signed-in", returnHash };
  }
}
