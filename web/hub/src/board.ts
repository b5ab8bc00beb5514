/**
 * The live board (#/board): every open referral, soonest deadline first, with a response clock
 * ticking every second. Rows are updated in place (focus is never lost) from live events.
 */

import { byId, debounce, el, setText } from "../../shared/dist/dom.js";
import type { LiveEvent } from "../../shared/dist/live.js";
import { type BoardFilters, describeFailure, getReferral, listOpenReferrals } from "./api.js";
import { type ClockLevel, clockView, compareByDeadline } from "./countdown.js";
import {
  KNOWN_LOCALITIES,
  KNOWN_TEAMS,
  ROUTES,
  TIERS,
  isUcrNeed,
  leadLabel,
  needLabel,
  routeLabel,
  shortTime,
  statusLabel,
  tierLabel,
} from "./labels.js";
import { type BoardRow, isClosedStatus, READ_AGAIN_AFTER_MS, rowShows } from "./model.js";
import { formatNhsNumber } from "./nhs-number.js";
import { now } from "./time.js";

/** How long a row that has left the open board stays, greyed, so the change is seen. */
const CLOSING_MS = 60_000;
const FILTER_NAMES = ["tier", "route", "team", "locality"] as const;

interface RowView {
  readonly tr: HTMLTableRowElement;
  readonly link: HTMLAnchorElement;
  readonly nhs: HTMLElement;
  readonly received: HTMLElement;
  readonly route: HTMLElement;
  readonly tier: HTMLElement;
  readonly lead: HTMLElement;
  readonly needs: HTMLElement;
  readonly status: HTMLElement;
  readonly place: HTMLElement;
  readonly clock: HTMLElement;
  level: ClockLevel | null;
}

export interface BoardDeps {
  navigate(hash: string): void;
}

export function filtersFromQuery(query: URLSearchParams): BoardFilters {
  return {
    tier: query.get("tier") ?? "",
    route: query.get("route") ?? "",
    team: query.get("team") ?? "",
    locality: query.get("locality") ?? "",
  };
}

export function filtersToQuery(filters: BoardFilters): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (filters[name] !== "") params.set(name, filters[name]);
  return params.toString();
}

export function matchesFilters(row: BoardRow, filters: BoardFilters): boolean {
  return (
    (filters.tier === "" || row.tier === filters.tier) &&
    (filters.route === "" || row.route === filters.route) &&
    (filters.team === "" || row.team === filters.team) &&
    (filters.locality === "" || row.locality === filters.locality)
  );
}

export class Board {
  private readonly rows = new Map<string, BoardRow>();
  private readonly closing = new Map<string, number>();
  private readonly views = new Map<string, RowView>();
  private readonly inflight = new Map<string, { dirty: boolean; expected: string[] }>();
  private readonly teams = new Set<string>(KNOWN_TEAMS);
  private readonly localities = new Set<string>(KNOWN_LOCALITIES);
  private filters: BoardFilters = { tier: "", route: "", team: "", locality: "" };
  private loaded = false;
  private active = false;
  private loadController: AbortController | null = null;
  private readonly body: HTMLTableSectionElement;
  private readonly statusLine: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly selects: Record<(typeof FILTER_NAMES)[number], HTMLSelectElement>;
  private readonly loadSoon = debounce(() => void this.load(), 1500);

  constructor(private readonly deps: BoardDeps) {
    this.body = byId("board-body", HTMLTableSectionElement);
    this.statusLine = byId("board-status");
    this.meta = byId("board-meta");
    this.announcer = byId("board-announcer");
    this.selects = {
      tier: byId("filter-tier", HTMLSelectElement),
      route: byId("filter-route", HTMLSelectElement),
      team: byId("filter-team", HTMLSelectElement),
      locality: byId("filter-locality", HTMLSelectElement),
    };
    this.fillSelect(this.selects.tier, TIERS, "All tiers");
    this.fillSelect(this.selects.route, ROUTES, "All routes");
    this.refreshPlaceOptions();
    for (const name of FILTER_NAMES) {
      this.selects[name].addEventListener("change", () => this.onFilterChange());
    }
    byId("board-refresh").addEventListener("click", () => void this.load());
    this.body.addEventListener("click", (event) => {
      const target = event.target;
      if (!(target instanceof Element) || target.closest("a, button") !== null) return;
      const tr = target.closest("tr");
      const id = tr?.dataset["referralId"];
      if (id !== undefined) this.deps.navigate(`#/referral/${encodeURIComponent(id)}`);
    });
  }

  show(query: URLSearchParams): void {
    const filters = filtersFromQuery(query);
    const changed = FILTER_NAMES.some((name) => filters[name] !== this.filters[name]);
    this.filters = filters;
    if (filters.team !== "") this.teams.add(filters.team);
    if (filters.locality !== "") this.localities.add(filters.locality);
    this.refreshPlaceOptions();
    for (const name of FILTER_NAMES) this.selects[name].value = filters[name];
    this.active = true;
    if (changed || !this.loaded) void this.load();
    else this.render();
  }

  hide(): void {
    this.active = false;
  }

  /** After the live stream reconnects: events may have been missed, so fetch the board again. */
  onReconnected(): void {
    if (this.loaded) void this.load();
  }

  /** A referral was just taken on this desk: show it without waiting for the live event. */
  upsert(row: BoardRow): void {
    if (!this.loaded) return;
    this.apply(row);
    this.render();
  }

  onLiveEvent(event: LiveEvent): void {
    if (!this.loaded) return;
    let id = event.referral_id;
    if (id === null && event.episode_id !== null) {
      for (const row of this.rows.values()) {
        if (row.episode_id === event.episode_id) {
          id = row.referral_id;
          break;
        }
      }
    }
    if (id !== null) void this.refetch(id, event.type);
    else if (event.type.startsWith("referral.")) this.loadSoon();
  }

  /** Called every second by the app while the board is shown. */
  tick(): void {
    if (!this.active) return;
    const at = now();
    let removed = false;
    for (const [id, until] of this.closing) {
      if (until <= at) {
        this.closing.delete(id);
        this.rows.delete(id);
        removed = true;
      }
    }
    if (removed) this.render();
    else this.updateClocks(at, true);
  }

  // ------------------------------------------------------------------ data

  private async load(): Promise<void> {
    this.loadSoon.cancel();
    this.loadController?.abort();
    const controller = new AbortController();
    this.loadController = controller;
    if (!this.loaded) setText(this.statusLine, "Loading open referrals…");
    const result = await listOpenReferrals(this.filters, controller.signal);
    if (controller.signal.aborted) return;
    this.loadController = null;
    if (!result.ok) {
      if (result.failure.kind === "aborted" || result.failure.kind === "auth") return;
      this.statusLine.classList.add("warning");
      setText(this.statusLine, `Could not load the board: ${describeFailure(result.failure)} Showing what was last loaded.`);
      return;
    }
    this.statusLine.classList.remove("warning");
    setText(this.statusLine, "");
    const fresh = new Set(result.data.map((row) => row.referral_id));
    for (const id of [...this.rows.keys()]) {
      if (!fresh.has(id) && !this.closing.has(id)) this.rows.delete(id);
    }
    for (const row of result.data) this.apply(row);
    this.loaded = true;
    this.render();
  }

  private async refetch(id: string, eventType?: string): Promise<void> {
    const running = this.inflight.get(id);
    if (running !== undefined) {
      running.dirty = true;
      if (eventType !== undefined) running.expected.push(eventType);
      return;
    }
    const state = { dirty: true, expected: eventType !== undefined ? [eventType] : [] };
    this.inflight.set(id, state);
    let tries = 0;
    try {
      while (state.dirty) {
        state.dirty = false;
        const result = await getReferral(id);
        if (result.ok) {
          this.apply(result.data);
          state.expected = state.expected.filter((type) => !rowShows(result.data, type));
          const wait = READ_AGAIN_AFTER_MS[tries];
          if (state.expected.length > 0 && wait !== undefined) {
            tries += 1;
            this.render();
            await new Promise((resolve) => window.setTimeout(resolve, wait));
            state.dirty = true;
          }
        } else if (result.failure.kind === "http" && (result.failure.status === 404 || result.failure.status === 403)) {
          this.rows.delete(id);
          this.closing.delete(id);
        }
      }
    } finally {
      this.inflight.delete(id);
    }
    this.render();
  }

  private apply(row: BoardRow): void {
    const id = row.referral_id;
    if (row.team !== null) this.teams.add(row.team);
    if (row.locality !== null) this.localities.add(row.locality);
    const present = this.rows.has(id);
    if (isClosedStatus(row.status)) {
      if (present) {
        this.rows.set(id, row);
        if (!this.closing.has(id)) {
          this.closing.set(id, now() + CLOSING_MS);
          this.say(`${row.patient.name ?? "A referral"}: ${statusLabel(row.status).toLowerCase()}; leaving the board.`);
        }
      }
      return;
    }
    this.closing.delete(id);
    if (matchesFilters(row, this.filters)) this.rows.set(id, row);
    else this.rows.delete(id);
  }

  // ------------------------------------------------------------------ view

  private onFilterChange(): void {
    this.filters = {
      tier: this.selects.tier.value,
      route: this.selects.route.value,
      team: this.selects.team.value,
      locality: this.selects.locality.value,
    };
    const query = filtersToQuery(this.filters);
    history.replaceState(null, "", `#/board${query === "" ? "" : `?${query}`}`);
    this.rows.clear();
    this.closing.clear();
    void this.load();
  }

  private fillSelect(select: HTMLSelectElement, options: ReadonlyArray<readonly [string, string]>, all: string): void {
    const value = select.value;
    select.replaceChildren(el("option", { value: "" }, all), ...options.map(([code, label]) => el("option", { value: code }, label)));
    select.value = value;
    if (select.selectedIndex === -1) select.selectedIndex = 0;
  }

  private refreshPlaceOptions(): void {
    const sorted = (values: Set<string>): Array<readonly [string, string]> =>
      [...values].sort((a, b) => a.localeCompare(b)).map((v) => [v, v.charAt(0).toUpperCase() + v.slice(1)] as const);
    if (this.selects.team.options.length !== this.teams.size + 1) this.fillSelect(this.selects.team, sorted(this.teams), "All teams");
    if (this.selects.locality.options.length !== this.localities.size + 1) {
      this.fillSelect(this.selects.locality, sorted(this.localities), "All localities");
    }
  }

  private render(): void {
    this.refreshPlaceOptions();
    const focused = document.activeElement;
    const ordered = [...this.rows.values()].sort(compareByDeadline);
    for (const [id, view] of this.views) {
      if (!this.rows.has(id)) {
        view.tr.remove();
        this.views.delete(id);
      }
    }
    let previous: HTMLTableRowElement | null = null;
    for (const row of ordered) {
      let view = this.views.get(row.referral_id);
      if (view === undefined) {
        view = this.createRow(row.referral_id);
        this.views.set(row.referral_id, view);
      }
      this.updateRow(view, row);
      const expected: ChildNode | null = previous === null ? this.body.firstChild : previous.nextSibling;
      if (expected !== view.tr) this.body.insertBefore(view.tr, expected);
      previous = view.tr;
    }
    if (focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected) {
      focused.focus({ preventScroll: true });
    }
    const open = ordered.length - this.closing.size;
    byId("board-empty").hidden = ordered.length > 0 || !this.loaded;
    setText(this.meta, this.loaded ? `${open} open referral${open === 1 ? "" : "s"} · updated ${shortTime(new Date(now()).toISOString())}` : "");
    this.updateClocks(now(), false);
  }

  private createRow(id: string): RowView {
    const cell = (): HTMLTableCellElement => el("td");
    const link = el("a", { href: `#/referral/${encodeURIComponent(id)}`, class: "patient-link" });
    const nhs = el("span", { class: "nhs" });
    const patient = el("th", { scope: "row" }, link, el("br"), nhs);
    const [received, route, tier, lead, needs, place] = [cell(), cell(), cell(), cell(), cell(), cell()];
    const status = el("span", { "data-testid": "row-status" });
    const clock = el("span", { class: "clock", "data-testid": "countdown" });
    const tr = el("tr", { "data-referral-id": id, "data-testid": "board-row", class: "board-row" });
    tr.append(patient, received, route, tier, lead, needs, el("td", {}, status), place, el("td", { class: "clock-cell" }, clock));
    return { tr, link, nhs, received, route, tier, lead, needs, status, place, clock, level: null };
  }

  private updateRow(view: RowView, row: BoardRow): void {
    setText(view.link, row.patient.name ?? "(name not shown)");
    setText(view.nhs, row.patient.nhs_number !== null ? formatNhsNumber(row.patient.nhs_number) : "");
    setText(view.received, shortTime(row.received_at, now()));
    setText(view.route, routeLabel(row.route));
    setText(view.tier, tierLabel(row.tier));
    view.tier.className = row.tier === null ? "tier untriaged" : `tier tier-${row.tier}`;
    setText(view.lead, leadLabel(row.lead_discipline));
    view.needs.replaceChildren(
      ...row.presenting_needs.map((need) => el("span", { class: isUcrNeed(need) ? "need ucr" : "need" }, needLabel(need))),
    );
    const planned = row.status === "first-visit-planned" && row.first_visit_planned_start !== null ? ` ${shortTime(row.first_visit_planned_start, now())}` : "";
    setText(view.status, `${statusLabel(row.status)}${planned}`);
    view.status.dataset["status"] = row.status;
    setText(view.place, [row.team, row.locality].filter((p): p is string => p !== null).join(" / ") || "Unplaced");
    view.tr.classList.toggle("closed", this.closing.has(row.referral_id));
  }

  private updateClocks(at: number, announceChanges: boolean): void {
    for (const [id, view] of this.views) {
      const row = this.rows.get(id);
      if (row === undefined) continue;
      const closedWithoutContact = this.closing.has(id) && row.first_contact_at === null && row.status !== "first-contact-made";
      const clock = closedWithoutContact
        ? { level: "none" as const, text: statusLabel(row.status), description: statusLabel(row.status) }
        : clockView(row, at);
      setText(view.clock, clock.text);
      view.clock.setAttribute("title", clock.description);
      if (view.level !== clock.level) {
        view.clock.className = `clock clock-${clock.level}`;
        view.tr.classList.remove("row-amber", "row-red");
        if (clock.level === "amber" || clock.level === "red") view.tr.classList.add(`row-${clock.level}`);
        view.clock.dataset["level"] = clock.level;
        if (announceChanges && view.level !== null && (clock.level === "amber" || clock.level === "red")) {
          this.say(`${row.patient.name ?? "A referral"} is ${clock.level === "red" ? "breached" : "at risk"}.`);
        }
        view.level = clock.level;
      }
    }
  }

  private say(message: string): void {
    if (!this.active) return;
    this.announcer.textContent = message;
  }
}
