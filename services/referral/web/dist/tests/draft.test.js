import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DraftStore, hasContent, newDraft } from "../draft.js";
class MemoryStorage {
    items = new Map();
    full = false;
    get length() {
        return this.items.size;
    }
    clear() {
        this.items.clear();
    }
    getItem(key) {
        return this.items.get(key) ?? null;
    }
    key(index) {
        return [...this.items.keys()][index] ?? null;
    }
    removeItem(key) {
        this.items.delete(key);
    }
    setItem(key, value) {
        if (this.full)
            throw new Error("QuotaExceededError");
        this.items.set(key, value);
    }
}
let n = 0;
const ids = () => `id-${(n += 1)}`;
describe("draft", () => {
    it("keeps its Idempotency-Key and values through a save and load (a reload)", () => {
        const storage = new MemoryStorage();
        const store = new DraftStore(storage);
        const draft = { ...newDraft(ids), values: { "patient.given_name": "Ethel", presenting_needs: ["fall"], from_care_home: true } };
        assert.equal(store.save(draft), true);
        const loaded = new DraftStore(storage).load();
        assert.deepEqual(loaded, draft);
        assert.equal(loaded?.key, draft.key);
    });
    it("knows an untouched draft from one with something typed", () => {
        assert.equal(hasContent({ ...newDraft(ids), values: { "observations.spo2_scale": "1", "patient.given_name": "  " } }), false);
        assert.equal(hasContent({ ...newDraft(ids), values: { presenting_needs: ["fall"] } }), true);
    });
    it("says so when the browser refuses to store it, and keeps an unreadable draft aside", () => {
        const storage = new MemoryStorage();
        const store = new DraftStore(storage);
        storage.full = true;
        assert.equal(store.save(newDraft(ids)), false);
        storage.full = false;
        storage.setItem("carerelay.hub.draft.v1", "{not json");
        assert.equal(store.load(), null);
        assert.equal(storage.getItem("carerelay.hub.draft.v1.unreadable"), "{not json");
    });
});
