/**
 * Live updates pushed by the notifications service: GET /api/notifications/stream read with
 * fetch() + ReadableStream as Server-Sent Events (EventSource cannot send an Authorization header).
 * Reconnects with backoff (1 s doubling to 15 s) and Last-Event-ID, so nothing is missed.
 */
import { session } from "./auth.js";
import { decodeLiveEvent } from "./model.js";
import { SseParser } from "./sse.js";
export const STREAM_PATH = "/api/notifications/stream";
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 15_000;
/** With no bytes at all (not even a keep-alive comment) for this long, assume the line is dead. */
const SILENCE_MS = 60_000;
/** A connection that lasted this long was healthy: start the backoff again from 1 s. */
const HEALTHY_MS = 10_000;
export function nextBackoff(current) {
    return Math.min(current * 2, MAX_BACKOFF_MS);
}
export class LiveStream {
    handlers;
    lastEventId = null;
    controller = null;
    running = false;
    connectedBefore = false;
    backoff = FIRST_BACKOFF_MS;
    wake = null;
    constructor(handlers) {
        this.handlers = handlers;
    }
    start() {
        if (this.running)
            return;
        this.running = true;
        void this.loop();
    }
    stop() {
        this.running = false;
        this.controller?.abort();
        this.wake?.();
        this.handlers.onState("stopped");
    }
    /** Skip the rest of the backoff wait (e.g. the browser came back online). */
    retryNow() {
        this.backoff = FIRST_BACKOFF_MS;
        this.wake?.();
    }
    async loop() {
        while (this.running) {
            this.handlers.onState(this.connectedBefore ? "reconnecting" : "connecting");
            const startedAt = Date.now();
            const outcome = await this.connectOnce();
            if (!this.running)
                return;
            if (outcome === "auth") {
                this.running = false;
                this.handlers.onState("stopped");
                this.handlers.onUnauthorised();
                return;
            }
            this.handlers.onState("reconnecting");
            if (Date.now() - startedAt > HEALTHY_MS)
                this.backoff = FIRST_BACKOFF_MS;
            const wait = this.backoff;
            this.backoff = nextBackoff(this.backoff);
            await new Promise((resolve) => {
                const timer = window.setTimeout(resolve, wait);
                this.wake = () => {
                    window.clearTimeout(timer);
                    resolve();
                };
            });
            this.wake = null;
        }
    }
    async connectOnce() {
        const current = session();
        if (current === null)
            return "auth";
        const controller = new AbortController();
        this.controller = controller;
        const headers = {
            Accept: "text/event-stream",
            Authorization: `Bearer ${current.token}`,
            "Cache-Control": "no-cache",
        };
        if (this.lastEventId !== null)
            headers["Last-Event-ID"] = this.lastEventId;
        let silence = window.setTimeout(() => controller.abort(), SILENCE_MS);
        const heard = () => {
            window.clearTimeout(silence);
            silence = window.setTimeout(() => controller.abort(), SILENCE_MS);
        };
        try {
            const response = await fetch(STREAM_PATH, { headers, signal: controller.signal, cache: "no-store", credentials: "same-origin" });
            if (response.status === 401)
                return "auth";
            if (!response.ok || response.body === null)
                return "ended";
            heard();
            this.handlers.onState("live");
            if (this.connectedBefore)
                this.handlers.onReconnected();
            this.connectedBefore = true;
            const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
            const parser = new SseParser();
            for (;;) {
                const { done, value } = await reader.read();
                if (done)
                    return "ended";
                heard();
                for (const message of parser.feed(value)) {
                    const event = decodeLiveEvent(message.id, message.event, message.data);
                    if (event === null)
                        continue;
                    try {
                        this.handlers.onEvent(event);
                    }
                    catch (error) {
                        console.error("live event handler failed", error);
                    }
                }
                if (parser.lastEventId !== null)
                    this.lastEventId = parser.lastEventId;
            }
        }
        catch {
            return "ended";
        }
        finally {
            window.clearTimeout(silence);
            if (this.controller === controller)
                this.controller = null;
        }
    }
}
