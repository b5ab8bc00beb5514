/**
 * The outbox on the phone: every action is queued first (in localStorage, so it survives a reload, a
 * crash or a flat battery) and sent in the order it was taken when there is a connection. Each has
 * the Idempotency-Key made when it was taken, so sending it twice (a retry after a lost answer) has
 * one effect on the server. Nothing is dropped silently: an action the server will not take (the
 * visit was given to someone else, or it was refused) stays, marked, until the person dismisses it.
 */
export const QUEUE_KEY = "carerelay.app.queue";
function isAction(value) {
    if (typeof value !== "object" || value === null)
        return false;
    const v = value;
    return typeof v["key"] === "string" && typeof v["path"] === "string" && typeof v["kind"] === "string" && typeof v["state"] === "string";
}
export class ActionQueue {
    store;
    storageKey;
    flushing = null;
    constructor(store, storageKey = QUEUE_KEY) {
        this.store = store;
        this.storageKey = storageKey;
    }
    all() {
        const raw = this.store.getItem(this.storageKey);
        if (raw === null)
            return [];
        try {
            const parsed = JSON.parse(raw);
            return Array.isArray(parsed) ? parsed.filter(isAction) : [];
        }
        catch {
            return [];
        }
    }
    pending(staffId) {
        return this.all().filter((a) => a.state === "pending" && (staffId === undefined || a.staffId === staffId));
    }
    problems() {
        return this.all().filter((a) => a.state !== "pending");
    }
    save(actions) {
        if (actions.length === 0)
            this.store.removeItem(this.storageKey);
        else
            this.store.setItem(this.storageKey, JSON.stringify(actions));
    }
    update(key, change) {
        const next = [];
        for (const action of this.all()) {
            if (action.key !== key)
                next.push(action);
            else {
                const changed = change(action);
                if (changed !== null)
                    next.push(changed);
            }
        }
        this.save(next);
    }
    add(action) {
        const queued = { ...action, state: "pending", message: null, attempts: 0 };
        this.save([...this.all(), queued]);
        return queued;
    }
    /** The person has read a problem: forget it. */
    dismiss(key) {
        this.update(key, (action) => (action.state === "pending" ? action : null));
    }
    /** Send what is waiting, oldest first; one flush at a time (a second call joins the first). */
    flush(send, staffId) {
        if (this.flushing === null) {
            this.flushing = this.run(send, staffId).finally(() => {
                this.flushing = null;
            });
        }
        return this.flushing;
    }
    async run(send, staffId) {
        const sent = [];
        const problems = [];
        for (const action of this.pending(staffId)) {
            const outcome = await send(action);
            switch (outcome.kind) {
                case "sent":
                    this.update(action.key, () => null);
                    sent.push({ action, result: outcome.result });
                    break;
                case "offline":
                case "auth":
                    this.update(action.key, (a) => ({ ...a, attempts: a.attempts + 1 }));
                    return { sent, problems, stopped: outcome.kind };
                case "conflict":
                case "refused": {
                    const marked = { ...action, state: outcome.kind, message: outcome.message, attempts: action.attempts + 1 };
                    this.update(action.key, () => marked);
                    problems.push(marked);
                    break;
                }
            }
        }
        return { sent, problems, stopped: null };
    }
}
/** An in-memory store (tests, and when localStorage is unavailable). */
export class MemoryStore {
    items = new Map();
    getItem(key) {
        return this.items.get(key) ?? null;
    }
    setItem(key, value) {
        this.items.set(key, value);
    }
    removeItem(key) {
        this.items.delete(key);
    }
}
