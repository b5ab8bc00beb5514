/**
 * Live updates pushed by the notifications service: GET /api/notifications/stream read with
 * fetch() + ReadableStream as Server-Sent Events (EventSource cannot send an Authorization header).
 * Reconnects with backoff (1 s doubling to 15 s) and Last-Event-ID, so nothing is missed.
 */

import type { SignIn } from "./auth.js";
import { isRecord, str } from "./json.js";
import { SseParser } from "./sse.js";

/** A live event: `data: {type, episode_id, at?, referral_id?, visit_id?, staff_id?}` (ids and types only). */
export interface LiveEvent {
  readonly id: string | null;
  readonly type: string;
  readonly episode_id: string | null;
  readonly referral_id: string | null;
  readonly visit_id: string | null;
  readonly staff_id: string | null;
  readonly at: string | null;
}

export function decodeLiveEvent(id: string | null, eventType: string, data: string): LiveEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  return {
    id,
    type: str(parsed["type"]) ?? eventType,
    episode_id: str(parsed["episode_id"]),
    referral_id: str(parsed["referral_id"]),
    visit_id: str(parsed["visit_id"]),
    staff_id: str(parsed["staff_id"]),
    at: str(parsed["at"]),
  };
}

export type LiveState = "connecting" | "live" | "reconnecting" | "stopped";

export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  onState(state: LiveState): void;
  /** The stream said 401 (or there is no token): sign in again. */
  onUnauthorised(): void;
  /** Connected again after a break: events may have been missed if the server could not replay. */
  onReconnected(): void;
}

export const STREAM_PATH = "/api/notifications/stream";
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 15_000;
/** With no bytes at all (not even a keep-alive comment) for this long, assume the line is dead. */
const SILENCE_MS = 60_000;
/** A connection that lasted this long was healthy: start the backoff again from 1 s. */
const HEALTHY_MS = 10_000;

export function nextBackoff(current: number): number {
  return Math.min(current * 2, MAX_BACKOFF_MS);
}

type Outcome = "auth" | "ended";

export class LiveStream {
  private lastEventId: string | null = null;
  private controller: AbortController | null = null;
  private running = false;
  private connectedBefore = false;
  private backoff = FIRST_BACKOFF_MS;
  private wake: (() => void) | null = null;

  constructor(
    private readonly signIn: Pick<SignIn, "session">,
    private readonly handlers: LiveHandlers,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.controller?.abort();
    this.wake?.();
    this.handlers.onState("stopped");
  }

  /** Skip the rest of the backoff wait (e.g. the browser came back online). */
  retryNow(): void {
    this.backoff = FIRST_BACKOFF_MS;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.handlers.onState(this.connectedBefore ? "reconnecting" : "connecting");
      const startedAt = Date.now();
      const outcome = await this.connectOnce();
      if (!this.running) return;
      if (outcome === "auth") {
        this.running = false;
        this.handlers.onState("stopped");
        this.handlers.onUnauthorised();
        return;
      }
      this.handlers.onState("reconnecting");
      if (Date.now() - startedAt > HEALTHY_MS) this.backoff = FIRST_BACKOFF_MS;
      const wait = this.backoff;
      this.backoff = nextBackoff(this.backoff);
      await new Promise<void>((resolve) => {
        const timer = window.setTimeout(resolve, wait);
        this.wake = () => {
          window.clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async connectOnce(): Promise<Outcome> {
    const current = this.signIn.session();
    if (current === null) return "auth";
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = {
      Accept: "text/event-stream",
      Authorization: `Bearer ${current.token}`,
      "Cache-Control": "no-cache",
    };
    if (this.lastEventId !== null) headers["Last-Event-ID"] = this.lastEventId;
    let silence = window.setTimeout(() => controller.abort(), SILENCE_MS);
    const heard = (): void => {
      window.clearTimeout(silence);
      silence = window.setTimeout(() => controller.abort(), SILENCE_MS);
    };
    try {
      const response = await fetch(STREAM_PATH, { headers, signal: controller.signal, cache: "no-store", credentials: "same-origin" });
      if (response.status === 401) return "auth";
      if (!response.ok || response.body === null) return "ended";
      heard();
      this.handlers.onState("live");
      if (this.connectedBefore) this.handlers.onReconnected();
      this.connectedBefore = true;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        heard();
        for (const message of parser.feed(value)) {
          const event = decodeLiveEvent(message.id, message.event, message.data);
          if (event === null) continue;
          try {
            this.handlers.onEvent(event);
          } catch (error: unknown) {
            console.error("live event handler failed", error);
          }
        }
        if (parser.lastEventId !== null) this.lastEventId = parser.lastEventId;
      }
    } catch {
      return "ended";
    } finally {
      window.clearTimeout(silence);
      if (this.controller === controller) this.controller = null;
    }
  }
}
