import assert from "node:assert/strict";
import { test } from "node:test";
import { ActionQueue, MemoryStore } from "../queue.js";
function action(key, kind = "complete", staffId = "me") {
    return { key, kind, path: `/api/scheduling/visits/v1/${kind}`, body: {}, visitId: "v1", episodeId: "e1", label: kind, takenAt: "2030-01-01T10:00:00Z", staffId };
}
test("actions survive a reload (a new queue on the same storage)", () => {
    const store = new MemoryStore();
    new ActionQueue(store).add(action("k1"));
    assert.deepEqual(new ActionQueue(store).pending().map((a) => a.key), ["k1"]);
});
test("offline: nothing is lost, and the same key is sent again later", async () => {
    const queue = new ActionQueue(new MemoryStore());
    queue.add(action("k1", "arrived"));
    queue.add(action("k2", "complete"));
    const tried = [];
    const offline = async (a) => {
        tried.push(a.key);
        return { kind: "offline" };
    };
    const report = await queue.flush(offline, "me");
    assert.equal(report.stopped, "offline");
    assert.deepEqual(tried, ["k1"]); // stops at the first failure, keeping the order
    assert.deepEqual(queue.pending().map((a) => [a.key, a.attempts]), [["k1", 1], ["k2", 0]]);
    const sent = [];
    await queue.flush(async (a) => {
        sent.push(a.key);
        return { kind: "sent", result: {} };
    }, "me");
    assert.deepEqual(sent, ["k1", "k2"]);
    assert.equal(queue.all().length, 0);
});
test("two flushes at once send each action once", async () => {
    const queue = new ActionQueue(new MemoryStore());
    queue.add(action("k1"));
    let calls = 0;
    const slow = async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { kind: "sent", result: {} };
    };
    await Promise.all([queue.flush(slow, "me"), queue.flush(slow, "me")]);
    assert.equal(calls, 1);
});
test("a conflict is kept and shown, not dropped; later actions still go", async () => {
    const queue = new ActionQueue(new MemoryStore());
    queue.add(action("k1", "en-route"));
    queue.add(action("k2", "note"));
    const report = await queue.flush(async (a) => (a.key === "k1" ? { kind: "conflict", message: "given to someone else" } : { kind: "sent", result: {} }), "me");
    assert.deepEqual(report.sent.map((s) => s.action.key), ["k2"]);
    assert.deepEqual(queue.problems().map((a) => [a.key, a.state, a.message]), [["k1", "conflict", "given to someone else"]]);
    await queue.flush(async () => ({ kind: "sent", result: {} }), "me");
    assert.equal(queue.problems().length, 1); // never re-sent as if nothing happened
    queue.dismiss("k1");
    assert.equal(queue.all().length, 0);
});
test("another person's actions are never sent with my sign-in", async () => {
    const queue = new ActionQueue(new MemoryStore());
    queue.add(action("theirs", "complete", "someone-else"));
    queue.add(action("mine", "complete", "me"));
    const sent = [];
    await queue.flush(async (a) => {
        sent.push(a.key);
        return { kind: "sent", result: {} };
    }, "me");
    assert.deepEqual(sent, ["mine"]);
    assert.deepEqual(queue.pending().map((a) => a.key), ["theirs"]);
});
test("signed out: stops and keeps everything", async () => {
    const queue = new ActionQueue(new MemoryStore());
    queue.add(action("k1"));
    const report = await queue.flush(async () => ({ kind: "auth" }), "me");
    assert.equal(report.stopped, "auth");
    assert.equal(queue.pending().length, 1);
});
