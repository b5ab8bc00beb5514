/**
 * The outbox on the phone: every action is queued first (in localStorage, so it survives a reload, a
 * crash or a flat battery) and sent in the order it was taken when there is a connection. Each has
 * the Idempotency-Key made when it was taken, so sending it twice (a retry after a lost answer) has
 * one effect on the server. Nothing is dropped silently: an action the server will not take (the
 * visit was given to someone else, or it was refused) stays, marked, until the person dismisses it.
 */

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ActionState = "pending" | "conflict" | "refused";

export interface QueuedAction {
  /** The Idempotency-Key (a UUID made on the phone when the action was taken). */
  readonly key: string;
  readonly kind: string;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly visitId: string | null;
  readonly episodeId: string;
  /** What the person did, in words, for the list of problems ("Completed", "Arrived"). */
  readonly label: string;
  readonly takenAt: string;
  /** Whose action it is (the token's staff_id): another person's actions are never sent with my sign-in. */
  readonly staffId: string | null;
  readonly state: ActionState;
  readonly message: string | null;
  readonly attempts: number;
}

export type SendOutcome =
  | { readonly kind: "sent"; readonly result: unknown }
  | { readonly kind: "offline" }
  | { readonly kind: "auth" }
  | { readonly kind: "conflict"; readonly message: string }
  | { readonly kind: "refused"; readonly message: string };

export type Send = (action: QueuedAction) => Promise<SendOutcome>;

export interface FlushReport {
  readonly sent: readonly { action: QueuedAction; result: unknown }[];
  readonly problems: readonly QueuedAction[];
  /** Why it stopped early, if it did: no connection, or signed out. */
  readonly stopped: "offline" | "auth" | null;
}

export const QUEUE_KEY = "carerelay.app.queue";

function isAction(value: unknown): value is QueuedAction {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["key"] === "string" && typeof v["path"] === "string" && typeof v["kind"] === "string" && typeof v["state"] === "string";
}

export class ActionQueue {
  private flushing: Promise<FlushReport> | null = null;

  constructor(
    private readonly store: KeyValueStore,
    private readonly storageKey: string = QUEUE_KEY,
  ) {}

  all(): QueuedAction[] {
    const raw = this.store.getItem(this.storageKey);
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isAction) : [];
    } catch {
      return [];
    }
  }

  pending(staffId?: string | null): QueuedAction[] {
    return this.all().filter((a) => a.state === "pending" && (staffId === undefined || a.staffId === staffId));
  }

  problems(): QueuedAction[] {
    return this.all().filter((a) => a.state !== "pending");
  }

  private save(actions: readonly QueuedAction[]): void {
    if (actions.length === 0) this.store.removeItem(this.storageKey);
    else this.store.setItem(this.storageKey, JSON.stringify(actions));
  }

  private update(key: string, change: (action: QueuedAction) => QueuedAction | null): void {
    const next: QueuedAction[] = [];
    for (const action of this.all()) {
      if (action.key !== key) next.push(action);
      else {
        const changed = change(action);
        if (changed !== null) next.push(changed);
      }
    }
    this.save(next);
  }

  add(action: Omit<QueuedAction, "state" | "message" | "attempts">): QueuedAction {
    const queued: QueuedAction = { ...action, state: "pending", message: null, attempts: 0 };
    this.save([...this.all(), queued]);
    return queued;
  }

  /** The person has read a problem: forget it. */
  dismiss(key: string): void {
    this.update(key, (action) => (action.state === "pending" ? action : null));
  }

  /** Send what is waiting, oldest first; one flush at a time (a second call joins the first). */
  flush(send: Send, staffId: string | null): Promise<FlushReport> {
    if (this.flushing === null) {
      this.flushing = this.run(send, staffId).finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async run(send: Send, staffId: string | null): Promise<FlushReport> {
    const sent: { action: QueuedAction; result: unknown }[] = [];
    const problems: QueuedAction[] = [];
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
          const marked: QueuedAction = { ...action, state: outcome.kind, message: outcome.message, attempts: action.attempts + 1 };
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
export class MemoryStore implements KeyValueStore {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}
