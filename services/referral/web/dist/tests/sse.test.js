import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeLiveEvent } from "../model.js";
import { SseParser } from "../sse.js";
describe("Server-Sent Events parser", () => {
    it("parses id, event and data; ignores keep-alive comments; keeps the last id", () => {
        const parser = new SseParser();
        const events = parser.feed(': keep-alive\n\nid: 7\nevent: triage.completed\ndata: {"episode_id":"e1","referral_id":"r1","type":"triage.completed","at":"x"}\n\n');
        assert.equal(events.length, 1);
        assert.deepEqual(events[0], {
            id: "7",
            event: "triage.completed",
            data: '{"episode_id":"e1","referral_id":"r1","type":"triage.completed","at":"x"}',
        });
        assert.equal(parser.lastEventId, "7");
    });
    it("copes with events split across chunks and CRLF line ends", () => {
        const parser = new SseParser();
        assert.deepEqual(parser.feed("id: 1\r"), []);
        assert.deepEqual(parser.feed("\ndata: a"), []);
        assert.deepEqual(parser.feed("\r\ndata: b\r\n"), []);
        const events = parser.feed("\r\n");
        assert.deepEqual(events, [{ id: "1", event: "message", data: "a\nb" }]);
    });
    it("decodes a live event's JSON, tolerating a missing referral id", () => {
        const event = decodeLiveEvent("9", "visit.assigned", '{"episode_id":"e2","type":"visit.assigned","at":"2025-01-06T10:00:00Z"}');
        assert.deepEqual(event, { id: "9", type: "visit.assigned", episode_id: "e2", referral_id: null, at: "2025-01-06T10:00:00Z" });
        assert.equal(decodeLiveEvent(null, "message", "not json"), null);
    });
});
