/**
 * Today's plan (#/plan), the team manager's screen: each person's visits on a timeline, the
 * unallocated visits with the planner's reason, the visits at risk of missing their deadline, and
 * the levers: drag a visit onto someone's row (or "Move to…" from the keyboard) to pin it to them,
 * unpin it, mark someone absent. Each lever re-plans the rest of the day on the server; the outcome
 * is said in words (aria-live) and the plan reloads. Live visit events reload it too (debounced).
 *
 * Positions on the timeline are CSS custom properties set through the CSSOM
 * (`style.setProperty("--at", …)`), which the CSP allows; the markup has no style attributes.
 */

import { byId, debounce, el, setText } from "../../shared/dist/dom.js";
import type { LiveEvent } from "../../shared/dist/live.js";
import { type ApiFailure, describeFailure, getDayPlan, pinVisit, recordAbsence, unpinVisit } from "./api.js";
import {
  type DayPlan,
  type PlanRun,
  type PlanStaff,
  type PlanVisit,
  type TimeRange,
  assignLanes,
  atRiskReason,
  cannotMake,
  chosenRequest,
  clock,
  clockOf,
  dayLabel,
  disciplineLabel,
  dropRequest,
  groupStaff,
  hourTicks,
  place,
  purposeLabel,
  runSummary,
  timelineRange,
  visitFlags,
  visitSpan,
  visitTitle,
  visitsById,
  withNames,
  withVisit,
} from "./plan-model.js";
import { ProposalsPanel } from "./proposals.js";
import { now } from "./time.js";

const DRAG_TYPE = "application/x-carerelay-visit";
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const HOUR = 3_600_000;
const MOVABLE = new Set(["planned", "assigned"]);

export interface PlanDeps {
  /** Coordinators and hub clinicians may pin, unpin and mark absent (the API checks too). */
  readonly canManage: boolean;
}

interface Drag {
  readonly visitId: string;
  /** The row it was dragged from; null from a list. */
  readonly from: string | null;
}

type Tone = "ok" | "warning" | "pending";

function setVar(element: HTMLElement, name: string, value: number): void {
  element.style.setProperty(name, String(Math.round(value * 100_000) / 100_000));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export class PlanView {
  private plan: DayPlan | null = null;
  private visits = new Map<string, PlanVisit>();
  private staffById = new Map<string, PlanStaff>();
  private range: TimeRange | null = null;
  private loaded = false;
  private stale = false;
  private active = false;
  private day = "";
  private shownDay: string | null = null;
  private controller: AbortController | null = null;
  /** The visit whose details (and move form) are open, and the row it was opened from. */
  private selected: Drag | null = null;
  /** The visit shown while hovered or focused, when none is selected. */
  private preview: string | null = null;
  private drag: Drag | null = null;
  private overRow: HTMLElement | null = null;
  private renderPending = false;
  /** A pointer pressed on a visit (a drag may be starting): a live refresh waits until it is let go. */
  private holding = false;
  private moving = false;
  private focusAfterRender: string | null = null;
  private absentee: PlanStaff | null = null;
  private lastMinute = -1;
  private readonly loadSoon = debounce(() => void this.load(), 1000);

  private readonly meta = byId("plan-meta");
  private readonly statusLine = byId("plan-status");
  private readonly outcome = byId("plan-outcome");
  private readonly counts = byId("plan-counts");
  private readonly timeline = byId("plan-timeline");
  private readonly empty = byId("plan-empty");
  private readonly dayInput = byId("plan-day", HTMLInputElement);
  private readonly detailTitle = byId("plan-detail-title");
  private readonly detailEmpty = byId("plan-detail-empty");
  private readonly detailBody = byId("plan-detail-body");
  private readonly moveForm = byId("plan-move-form", HTMLFormElement);
  private readonly firstLabel = byId("plan-move-first-label");
  private readonly first = byId("plan-move-first", HTMLSelectElement);
  private readonly secondField = byId("plan-move-second-field");
  private readonly second = byId("plan-move-second", HTMLSelectElement);
  private readonly moveSubmit = byId("plan-move-submit", HTMLButtonElement);
  private readonly unpin = byId("plan-unpin", HTMLButtonElement);
  private readonly unallocated = byId("plan-unallocated");
  private readonly atRisk = byId("plan-at-risk");
  private readonly runs = byId("plan-runs");
  private readonly announcer = byId("plan-announcer");
  private readonly absenceDialog = byId("absence-dialog", HTMLDialogElement);
  private readonly absenceReason = byId("absence-reason", HTMLInputElement);
  private readonly absenceError = byId("absence-error");

  private readonly proposals: ProposalsPanel;

  constructor(private readonly deps: PlanDeps) {
    this.proposals = new ProposalsPanel(deps.canManage);
    byId("plan-refresh").addEventListener("click", () => void this.load());
    byId("plan-day-form").addEventListener("submit", (event) => event.preventDefault());
    this.dayInput.addEventListener("change", () => {
      const day = DAY_PATTERN.test(this.dayInput.value) ? this.dayInput.value : "";
      history.replaceState(null, "", day === "" ? "#/plan" : `#/plan?day=${day}`);
      this.day = day;
      this.selected = null;
      void this.load();
    });
    for (const container of [this.timeline, this.unallocated, this.atRisk]) this.listen(container);
    this.timeline.addEventListener("dragover", (event) => this.onDragOver(event));
    this.timeline.addEventListener("drop", (event) => this.onDrop(event));
    for (const type of ["pointerup", "pointercancel"]) window.addEventListener(type, () => this.letGo());
    this.timeline.addEventListener("dragleave", (event) => {
      if (event.relatedTarget === null || !(event.relatedTarget instanceof Node) || !this.timeline.contains(event.relatedTarget)) {
        this.markOver(null, null);
      }
    });
    this.timeline.addEventListener("click", (event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      const absent = target.closest<HTMLElement>("button.mark-absent");
      const staffId = absent?.dataset["staffId"];
      if (staffId !== undefined) this.openAbsence(staffId);
    });
    this.moveForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submitMove();
    });
    this.moveForm.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.closeDetail();
      }
    });
    byId("plan-detail-close").addEventListener("click", () => this.closeDetail());
    this.unpin.addEventListener("click", () => void this.submitUnpin());
    byId("absence-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submitAbsence();
    });
    byId("absence-cancel").addEventListener("click", () => this.absenceDialog.close());
    this.absenceDialog.addEventListener("close", () => {
      const who = this.absentee;
      this.absentee = null;
      if (who !== null) this.timeline.querySelector<HTMLElement>(`button.mark-absent[data-staff-id="${CSS.escape(who.staff_id)}"]`)?.focus();
    });
  }

  // ------------------------------------------------------------------ lifecycle

  show(query: URLSearchParams): void {
    const day = query.get("day") ?? "";
    const wanted = DAY_PATTERN.test(day) ? day : "";
    const changed = wanted !== this.day;
    this.day = wanted;
    this.dayInput.value = wanted !== "" ? wanted : (this.plan?.day ?? "");
    this.active = true;
    if (changed || !this.loaded || this.stale) void this.load();
    else this.render();
    void this.proposals.load();
  }

  hide(): void {
    this.active = false;
  }

  /** A visit (or care plan) changed somewhere: fetch the plan again, once things settle. */
  onLiveEvent(event: LiveEvent): void {
    if (!this.loaded) return;
    if (!event.type.startsWith("visit.") && !event.type.startsWith("care-plan.")) return;
    if (this.active) this.loadSoon();
    else this.stale = true;
    if (this.active && event.type.startsWith("care-plan.")) void this.proposals.load();
  }

  /** After the live stream reconnects, events may have been missed. */
  onReconnected(): void {
    if (!this.loaded) return;
    if (this.active) this.loadSoon();
    else this.stale = true;
  }

  /** Called every second by the app: moves the "now" line each minute. */
  tick(): void {
    if (!this.active || this.range === null) return;
    const minute = Math.floor(now() / 60_000);
    if (minute === this.lastMinute) return;
    this.lastMinute = minute;
    this.placeNowLines();
  }

  // ------------------------------------------------------------------ data

  private async load(): Promise<void> {
    this.loadSoon.cancel();
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    if (!this.loaded) setText(this.statusLine, "Loading the plan…");
    const result = await getDayPlan(this.day === "" ? null : this.day, controller.signal);
    if (controller.signal.aborted) return;
    this.controller = null;
    if (!result.ok) {
      if (result.failure.kind === "aborted" || result.failure.kind === "auth") return;
      this.statusLine.classList.add("warning");
      setText(
        this.statusLine,
        `Could not load the plan: ${describeFailure(result.failure)}${this.loaded ? " Showing what was last loaded." : ""}`,
      );
      return;
    }
    this.statusLine.classList.remove("warning");
    setText(this.statusLine, "");
    this.plan = result.data;
    this.loaded = true;
    this.stale = false;
    if (this.day === "") this.dayInput.value = result.data.day;
    this.render();
  }

  private setPlan(plan: DayPlan): void {
    this.plan = plan;
    this.visits = visitsById(plan);
    this.staffById = new Map(plan.staff.map((member) => [member.staff_id, member]));
  }

  // ------------------------------------------------------------------ rendering

  private render(): void {
    if (this.plan === null) return;
    if (this.drag !== null || this.holding) {
      this.renderPending = true; // never pull the row from under a drag, or one about to start
      return;
    }
    this.renderPending = false;
    const plan = this.plan;
    this.setPlan(plan);
    const focused = this.focusedVisit();
    this.range = timelineRange(plan);
    this.renderTimeline(plan, this.range);
    this.renderList(this.unallocated, plan.unallocated, "unallocated");
    this.renderList(this.atRisk, plan.at_risk, "at-risk");
    byId("plan-unallocated-empty").hidden = plan.unallocated.length > 0;
    byId("plan-at-risk-empty").hidden = plan.at_risk.length > 0;
    setText(byId("plan-unallocated-count"), `(${plan.unallocated.length})`);
    setText(byId("plan-at-risk-count"), `(${plan.at_risk.length})`);
    this.runs.replaceChildren(...plan.runs.map((run) => el("li", {}, runSummary(run))));
    if (plan.runs.length === 0) this.runs.append(el("li", { class: "empty" }, "No re-plans yet."));
    const placed = plan.staff.reduce((sum, member) => sum + member.visits.filter((v) => v.planned_start !== null).length, 0);
    setText(
      this.counts,
      [
        plural(plan.staff.length, "person", "people") + " on shift",
        plural(placed, "visit") + " on rounds",
        `${plan.unallocated.length} unallocated`,
        `${plan.at_risk.length} at risk`,
      ].join(" · "),
    );
    const latest = plan.runs[0];
    setText(
      this.meta,
      `${dayLabel(plan.day)} · updated ${clock(now())}${latest !== undefined ? ` · last re-plan ${clockOf(latest.started_at)}` : ""}`,
    );
    document.title = `Plan ${dayLabel(plan.day)} · CareRelay hub`;
    this.empty.hidden = plan.staff.length > 0;
    this.renderDetail(false);
    this.restoreFocus(focused);
    if (this.shownDay !== plan.day) {
      this.shownDay = plan.day;
      this.scrollToNow();
    }
  }

  private renderTimeline(plan: DayPlan, range: TimeRange): void {
    const hours = (range.end - range.start) / HOUR;
    const inner = el("div", { class: "timeline-inner" });
    setVar(inner, "--hours", hours);
    const head = el("div", { class: "timeline-head", "aria-hidden": "true" }, el("div", { class: "row-name" }, "Staff · shift"));
    const ticks = el("div", { class: "lane hours" });
    for (const tick of hourTicks(range)) {
      const mark = el("span", { class: "hour" }, tick.label);
      setVar(mark, "--at", tick.at);
      ticks.append(mark);
    }
    head.append(ticks);
    inner.append(head);
    const at = now();
    for (const group of groupStaff(plan.staff)) {
      const team = group.team === "" ? "No team" : group.team.charAt(0).toUpperCase() + group.team.slice(1);
      inner.append(el("h3", { class: "team-head" }, `${team} · ${plural(group.staff.length, "person", "people")} on shift`));
      for (const member of group.staff) inner.append(this.renderRow(member, range, at));
    }
    this.timeline.replaceChildren(inner);
    this.timeline.classList.toggle("can-drag", this.deps.canManage);
    this.placeNowLines();
  }

  private renderRow(member: PlanStaff, range: TimeRange, at: number): HTMLElement {
    const nameId = `plan-staff-${member.staff_id}`;
    const shiftEnd = Date.parse(member.shift.end);
    const shiftText = `${clockOf(member.shift.start)}–${clockOf(member.shift.end)}`;
    const name = el(
      "div",
      { class: "row-name" },
      el("span", { class: "staff-name", id: nameId }, member.display_name),
      el("span", { class: "staff-meta" }, `${disciplineLabel(member.discipline)} · ${shiftText}`),
    );
    if (member.skills.length > 0) name.append(el("span", { class: "staff-skills" }, member.skills.join(", ")));
    if (this.deps.canManage && shiftEnd > at) {
      name.append(
        el(
          "button",
          { type: "button", class: "secondary small mark-absent", "data-staff-id": member.staff_id, "aria-describedby": nameId },
          "Mark absent…",
        ),
      );
    }
    const lane = el("div", { class: "lane", "data-staff-id": member.staff_id });
    const shift = place({ start: Date.parse(member.shift.start), end: shiftEnd }, range);
    if (shift !== null) {
      const band = el("div", { class: "shift-band", "aria-hidden": "true" });
      setVar(band, "--at", shift.left);
      setVar(band, "--len", shift.width);
      lane.append(band);
    }
    lane.append(el("div", { class: "now-line", "aria-hidden": "true" }));
    const timed = member.visits.flatMap((visit) => {
      const span = visitSpan(visit);
      return span === null ? [] : [{ item: visit, span }];
    });
    const { lanes, placed } = assignLanes(timed);
    const list = el("ol", { class: "lane-visits", "aria-label": `${member.display_name}'s visits` });
    for (const { item: visit, lane: laneIndex } of placed) {
      const span = visitSpan(visit);
      const position = span !== null ? place(span, range) : null;
      const block = this.visitButton(visit, `row:${member.staff_id}`, member.staff_id, "visit-block");
      if (position !== null) {
        setVar(block, "--at", position.left);
        setVar(block, "--len", position.width);
        block.classList.toggle("starts-before", position.startsBefore);
        block.classList.toggle("ends-after", position.endsAfter);
      } else {
        block.classList.add("outside");
      }
      setVar(block, "--lane", laneIndex);
      list.append(el("li", {}, block, this.whyNote(visit, `row:${member.staff_id}`)));
    }
    lane.append(list);
    const untimed = member.visits.filter((visit) => visit.planned_start === null);
    if (untimed.length > 0) {
      const pending = el("ul", { class: "row-untimed", "aria-label": `Pinned to ${member.display_name}, not yet placed` });
      for (const visit of untimed) {
        const where = `row:${member.staff_id}`;
        pending.append(el("li", {}, this.visitButton(visit, where, member.staff_id, "visit-chip"), this.whyNote(visit, where)));
      }
      name.append(el("span", { class: "hint" }, "Not yet placed:"), pending);
    }
    const row = el("div", {
      class: "plan-row",
      role: "group",
      "aria-labelledby": nameId,
      "data-staff-id": member.staff_id,
      "data-testid": "plan-row",
    });
    setVar(row, "--lanes", lanes);
    row.append(name, lane);
    return row;
  }

  private visitButton(visit: PlanVisit, where: string, from: string | null, kind: string): HTMLButtonElement {
    const span = visitSpan(visit);
    const flags = visitFlags(visit);
    const time = span !== null ? `${clock(span.start)}–${clock(span.end)}` : "Not timed";
    const movable = this.deps.canManage && MOVABLE.has(visit.status);
    const button = el(
      "button",
      {
        type: "button",
        class: [kind, ...flags.map((flag) => `flag-${flag.code}`)].join(" "),
        draggable: movable ? "true" : "false",
        "data-visit-id": visit.visit_id,
        "data-where": where,
        "data-from": from ?? "",
        "data-testid": kind,
        "aria-describedby": this.whyId(visit, where),
        title: this.tooltip(visit, time),
      },
      el("span", { class: "vb-time" }, time),
      el("span", { class: "vb-who" }, visitTitle(visit)),
      el("span", { class: "vb-what" }, `${purposeLabel(visit.purpose)} · ${visit.duration_minutes} min`),
    );
    if (flags.length > 0) {
      button.append(
        el(
          "span",
          { class: "vb-flags" },
          ...flags.map((flag) => el("span", { class: `flag flag-${flag.code}` }, el("span", { "aria-hidden": "true" }, flag.icon), ` ${flag.label}`)),
        ),
      );
    }
    return button;
  }

  private whyId(visit: PlanVisit, where: string): string {
    return `why-${where.replace(/[^a-z0-9-]/gi, "-")}-${visit.visit_id}`;
  }

  /** The planner's why (or the reason it is unallocated), read out as the visit's description. */
  private whyNote(visit: PlanVisit, where: string): HTMLElement {
    return el("span", { id: this.whyId(visit, where), hidden: "" }, this.whyText(visit));
  }

  private whyText(visit: PlanVisit): string {
    const parts: string[] = [];
    const risk = atRiskReason(visit, now());
    if (risk !== null) parts.push(`At risk: ${risk}.`);
    if (visit.status === "planned") parts.push(`Not allocated: ${visit.unassigned_reason ?? "not planned yet"}.`);
    if (visit.why.length > 0) parts.push(`Why: ${visit.why.join("; ")}.`);
    if (this.deps.canManage && MOVABLE.has(visit.status)) parts.push("Enter to see details and move it.");
    return parts.join(" ");
  }

  private tooltip(visit: PlanVisit, time: string): string {
    const lines = [`${time} ${visitTitle(visit)}`, `${purposeLabel(visit.purpose)} (${disciplineLabel(visit.discipline).toLowerCase()})`];
    if (visit.why.length > 0) lines.push(`Why: ${visit.why.join("; ")}`);
    if (visit.status === "planned") lines.push(`Not allocated: ${visit.unassigned_reason ?? "not planned yet"}`);
    const risk = atRiskReason(visit, now());
    if (risk !== null) lines.push(`At risk: ${risk}`);
    return lines.join("\n");
  }

  private renderList(list: HTMLElement, visits: readonly PlanVisit[], where: string): void {
    list.replaceChildren(
      ...visits.map((visit) => {
        const button = this.visitButton(visit, where, null, "visit-item");
        const who = [visit.staff_id, visit.second_staff_id]
          .filter((id): id is string => id !== null)
          .map((id) => this.staffById.get(id)?.display_name ?? "someone outside this view");
        const window = `Start ${clockOf(visit.earliest_start)}–${clockOf(visit.latest_start)}`;
        const deadline = visit.deadline !== null ? ` · deadline ${clockOf(visit.deadline)}` : "";
        button.append(el("span", { class: "vb-window" }, `${window}${deadline}`));
        if (who.length > 0) button.append(el("span", { class: "vb-staff" }, `With ${who.join(" and ")}`));
        const reason =
          where === "at-risk" ? atRiskReason(visit, now()) : `Reason: ${visit.unassigned_reason ?? "not planned yet"}`;
        return el(
          "li",
          { "data-visit-id": visit.visit_id },
          button,
          reason !== null ? el("p", { class: "vb-reason", "data-testid": `${where}-reason` }, reason) : null,
          this.whyNote(visit, where),
        );
      }),
    );
  }

  private placeNowLines(): void {
    const range = this.range;
    if (range === null) return;
    const position = place({ start: now(), end: now() + 1 }, range);
    this.timeline.classList.toggle("now-visible", position !== null);
    for (const line of this.timeline.querySelectorAll<HTMLElement>(".now-line")) setVar(line, "--at", position?.left ?? 0);
  }

  /** On a day's first showing, scroll the timeline so that an hour ago is at its left edge. */
  private scrollToNow(): void {
    const range = this.range;
    const lane = this.timeline.querySelector<HTMLElement>(".plan-row .lane");
    if (range === null || lane === null) return;
    const position = place({ start: now() - HOUR, end: now() }, range);
    this.timeline.scrollLeft = position === null ? 0 : Math.max(0, position.left * lane.clientWidth);
  }

  private focusedVisit(): { visitId: string; where: string } | null {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.viewContains(active)) return null;
    const visitId = active.dataset["visitId"];
    return visitId !== undefined && active.dataset["where"] !== undefined ? { visitId, where: active.dataset["where"] } : null;
  }

  private viewContains(node: Node): boolean {
    return this.timeline.contains(node) || this.unallocated.contains(node) || this.atRisk.contains(node);
  }

  /** Give focus back to the same visit after a re-render (on its new row, if it moved). */
  private restoreFocus(focused: { visitId: string; where: string } | null): void {
    const wanted = this.focusAfterRender ?? focused?.visitId ?? null;
    const where = this.focusAfterRender !== null ? null : (focused?.where ?? null);
    this.focusAfterRender = null;
    if (wanted === null) return;
    if (document.activeElement !== document.body && document.activeElement !== null && document.activeElement.isConnected) {
      if (!(document.activeElement instanceof HTMLElement) || document.activeElement.dataset["visitId"] === undefined) return;
    }
    const escaped = CSS.escape(wanted);
    const target =
      (where !== null ? this.find(`[data-visit-id="${escaped}"][data-where="${CSS.escape(where)}"]`) : null) ??
      this.find(`.plan-row button[data-visit-id="${escaped}"]`) ??
      this.find(`button[data-visit-id="${escaped}"]`);
    target?.focus({ preventScroll: false });
  }

  private find(selector: string): HTMLElement | null {
    for (const container of [this.timeline, this.unallocated, this.atRisk]) {
      const found = container.querySelector<HTMLElement>(selector);
      if (found !== null) return found;
    }
    return null;
  }

  // ------------------------------------------------------------------ details and "Move to…"

  private listen(container: HTMLElement): void {
    const visitTarget = (event: Event): HTMLButtonElement | null => {
      const target = event.target;
      if (!(target instanceof Element)) return null;
      const button = target.closest<HTMLButtonElement>("button[data-visit-id]");
      return button !== null && container.contains(button) ? button : null;
    };
    container.addEventListener("click", (event) => {
      const button = visitTarget(event);
      if (button === null) return;
      this.select(button.dataset["visitId"] ?? "", button.dataset["from"] || null, true);
    });
    const onPreview = (event: Event): void => {
      const button = visitTarget(event);
      if (button === null || this.selected !== null) return;
      const visitId = button.dataset["visitId"] ?? null;
      if (visitId === this.preview) return;
      this.preview = visitId;
      this.renderDetail(false);
    };
    container.addEventListener("focusin", onPreview);
    container.addEventListener("mouseover", onPreview);
    container.addEventListener("dragstart", (event) => {
      const button = visitTarget(event);
      const visitId = button?.dataset["visitId"];
      if (button === null || visitId === undefined || button.getAttribute("draggable") !== "true" || event.dataTransfer === null) {
        event.preventDefault();
        return;
      }
      this.drag = { visitId, from: button.dataset["from"] || null };
      event.dataTransfer.setData(DRAG_TYPE, visitId);
      event.dataTransfer.setData("text/plain", visitId);
      event.dataTransfer.effectAllowed = "move";
      this.timeline.classList.add("dragging");
      button.classList.add("being-dragged");
    });
    container.addEventListener("dragend", () => this.endDrag());
    container.addEventListener("pointerdown", (event) => {
      if (visitTarget(event) !== null) this.holding = true;
    });
  }

  /** The pointer let go (or the drag it began ended): a refresh that waited is drawn now. */
  private letGo(): void {
    if (!this.holding) return;
    this.holding = false;
    if (this.renderPending && this.drag === null) this.render();
  }

  private select(visitId: string, from: string | null, focusForm: boolean): void {
    if (!this.visits.has(visitId)) return;
    this.selected = { visitId, from };
    this.preview = null;
    this.renderDetail(true);
    if (!focusForm) return;
    if (!this.moveForm.hidden) this.first.focus();
    else this.detailTitle.focus();
  }

  private closeDetail(): void {
    const selected = this.selected;
    this.selected = null;
    this.renderDetail(false);
    if (selected !== null) {
      const escaped = CSS.escape(selected.visitId);
      (this.find(`button[data-visit-id="${escaped}"][data-from="${CSS.escape(selected.from ?? "")}"]`) ?? this.find(`button[data-visit-id="${escaped}"]`))?.focus();
    }
  }

  /** The selected (or previewed) visit: what, when, who, why; the move form when selected. */
  private renderDetail(refill: boolean): void {
    const selected = this.selected !== null ? (this.visits.get(this.selected.visitId) ?? null) : null;
    if (this.selected !== null && selected === null) {
      this.selected = null;
      this.say("The visit you had selected is no longer in this plan.");
    }
    const visit = selected ?? (this.preview !== null ? (this.visits.get(this.preview) ?? null) : null);
    this.detailEmpty.hidden = visit !== null;
    this.detailBody.replaceChildren();
    if (visit === null) {
      setText(this.detailTitle, "Visit");
      this.moveForm.hidden = true;
      return;
    }
    setText(this.detailTitle, visitTitle(visit));
    const span = visitSpan(visit);
    const names = (ids: ReadonlyArray<string | null>): string =>
      ids
        .filter((id): id is string => id !== null)
        .map((id) => this.staffById.get(id)?.display_name ?? "someone outside this view")
        .join(" and ") || "No one yet";
    const entries: Array<[string, string]> = [
      ["What", `${purposeLabel(visit.purpose)} · ${disciplineLabel(visit.discipline)} · ${visit.duration_minutes} min`],
      ["When", span !== null ? `${clock(span.start)}–${clock(span.end)}` : "Not placed"],
      ["Who", names([visit.staff_id, visit.second_staff_id])],
      ["May start", `${clockOf(visit.earliest_start)}–${clockOf(visit.latest_start)}`],
    ];
    if (visit.preferred_start !== null) entries.push(["Preferred", clockOf(visit.preferred_start)]);
    if (visit.deadline !== null) entries.push(["Deadline", clockOf(visit.deadline)]);
    if (visit.required_skills.length > 0) entries.push(["Skills", visit.required_skills.join(", ")]);
    entries.push(["Status", visit.status]);
    const list = el("dl", { class: "summary-list" });
    for (const [term, value] of entries) list.append(el("dt", {}, term), el("dd", {}, value));
    const flags = visitFlags(visit);
    if (flags.length > 0) {
      this.detailBody.append(
        el(
          "p",
          { class: "vb-flags" },
          ...flags.map((flag) => el("span", { class: `flag flag-${flag.code}` }, el("span", { "aria-hidden": "true" }, flag.icon), ` ${flag.label}`)),
        ),
      );
    }
    this.detailBody.append(list);
    const risk = atRiskReason(visit, now());
    if (risk !== null) this.detailBody.append(el("p", { class: "notice warning", "data-testid": "detail-risk" }, `At risk: ${risk}`));
    if (visit.status === "planned") {
      this.detailBody.append(el("p", { class: "notice" }, `Not allocated: ${visit.unassigned_reason ?? "not planned yet"}`));
    }
    this.detailBody.append(el("h3", {}, "Why this person"));
    this.detailBody.append(
      visit.why.length > 0
        ? el("ul", { class: "why-list", "data-testid": "detail-why" }, ...visit.why.map((reason) => el("li", {}, reason)))
        : el("p", { class: "hint", "data-testid": "detail-why" }, visit.pinned ? "Pinned by a coordinator." : "The planner gave no reasons."),
    );
    const movable = selected !== null && this.deps.canManage && MOVABLE.has(visit.status);
    if (!movable && selected !== null && this.deps.canManage) {
      this.detailBody.append(el("p", { class: "hint" }, `This visit is ${visit.status} and can no longer be moved.`));
    }
    this.moveForm.hidden = !movable;
    this.unpin.hidden = !(movable && visit.pinned);
    if (movable && (refill || this.first.options.length === 0)) this.fillMoveForm(visit);
  }

  private fillMoveForm(visit: PlanVisit): void {
    const double = visit.double_handed;
    this.secondField.hidden = !double;
    setText(this.firstLabel, double ? "Move to… (first person)" : "Move to…");
    const current = [visit.staff_id, visit.second_staff_id];
    this.fillPeople(this.first, visit, double ? current[0] ?? null : null);
    if (double) this.fillPeople(this.second, visit, current[1] ?? null);
    else this.second.replaceChildren();
  }

  private fillPeople(select: HTMLSelectElement, visit: PlanVisit, chosen: string | null): void {
    const plan = this.plan;
    if (plan === null) return;
    const at = now();
    const current = new Set([visit.staff_id, visit.second_staff_id].filter((id): id is string => id !== null));
    const able: HTMLOptionElement[] = [];
    const unable: HTMLOptionElement[] = [];
    for (const member of plan.staff) {
      const problem = cannotMake(member, visit, at);
      const text = `${member.display_name} (${disciplineLabel(member.discipline).toLowerCase()}, ${clockOf(member.shift.start)}–${clockOf(member.shift.end)})${current.has(member.staff_id) ? " — makes it now" : ""}`;
      const option = el("option", { value: member.staff_id }, text);
      if (problem !== null) {
        option.disabled = true;
        option.title = problem;
        unable.push(option);
      } else {
        able.push(option);
      }
    }
    const groups: HTMLElement[] = [el("option", { value: "" }, "Choose a person…"), el("optgroup", { label: "Can make this visit" }, ...able)];
    if (unable.length > 0) groups.push(el("optgroup", { label: "Cannot make this visit (discipline, skill or shift)" }, ...unable));
    select.replaceChildren(...groups);
    select.value = chosen !== null && able.some((option) => option.value === chosen) ? chosen : "";
  }

  private async submitMove(): Promise<void> {
    const selected = this.selected;
    const visit = selected !== null ? this.visits.get(selected.visitId) : undefined;
    if (visit === undefined) return;
    const pick = (select: HTMLSelectElement): PlanStaff | null => this.staffById.get(select.value) ?? null;
    const chosen = visit.double_handed ? [pick(this.first), pick(this.second)] : [pick(this.first)];
    const request = chosenRequest(visit, chosen, now());
    if (!request.ok) {
      this.tell(`Not moved: ${request.reason}.`, "warning");
      this.first.focus();
      return;
    }
    await this.move(visit, request.staffIds, true);
  }

  private async submitUnpin(): Promise<void> {
    const visit = this.selected !== null ? this.visits.get(this.selected.visitId) : undefined;
    if (visit === undefined || this.moving) return;
    this.moving = true;
    this.tell(`Unpinning ${visitTitle(visit)}…`, "pending");
    const result = await unpinVisit(visit.visit_id);
    this.moving = false;
    if (!result.ok) {
      if (result.failure.kind !== "auth") this.tell(`Not unpinned: ${this.failureText(result.failure).replace(/\.?$/, ".")}`, "warning");
      return;
    }
    this.tell(`Unpinned: the planner may move ${visitTitle(visit)} again.${this.runText(result.data.run)}`, "ok");
    this.focusAfterRender = visit.visit_id;
    await this.load();
  }

  // ------------------------------------------------------------------ drag and drop

  private rowOf(event: Event): HTMLElement | null {
    const target = event.target;
    if (!(target instanceof Element)) return null;
    return target.closest<HTMLElement>(".plan-row");
  }

  private onDragOver(event: DragEvent): void {
    if (this.drag === null) return;
    const row = this.rowOf(event);
    if (row === null) {
      this.markOver(null, null);
      return;
    }
    event.preventDefault();
    if (event.dataTransfer !== null) event.dataTransfer.dropEffect = "move";
    if (row === this.overRow) return;
    const visit = this.visits.get(this.drag.visitId);
    const member = this.staffById.get(row.dataset["staffId"] ?? "");
    if (visit === undefined || member === undefined) return;
    if (this.drag.from === member.staff_id) {
      this.markOver(row, { ok: false, label: "Already here" });
      return;
    }
    const request = dropRequest(visit, this.drag.from, member, now());
    this.markOver(row, request.ok ? { ok: true, label: `Drop to pin to ${member.display_name}` } : { ok: false, label: `Can't: ${request.reason}` });
  }

  private markOver(row: HTMLElement | null, hint: { ok: boolean; label: string } | null): void {
    if (this.overRow !== null && this.overRow !== row) {
      this.overRow.classList.remove("drop-ok", "drop-no");
      delete this.overRow.dataset["dropLabel"];
    }
    this.overRow = row;
    if (row === null || hint === null) return;
    row.classList.toggle("drop-ok", hint.ok);
    row.classList.toggle("drop-no", !hint.ok);
    row.dataset["dropLabel"] = hint.label;
  }

  private onDrop(event: DragEvent): void {
    const drag = this.drag;
    const row = this.rowOf(event);
    if (drag === null || row === null) return;
    event.preventDefault();
    this.endDrag();
    const visit = this.visits.get(drag.visitId);
    const member = this.staffById.get(row.dataset["staffId"] ?? "");
    if (visit === undefined || member === undefined || drag.from === member.staff_id) return; // dropped where it was
    const request = dropRequest(visit, drag.from, member, now());
    if (!request.ok) {
      this.tell(`Not moved: ${request.reason}.`, "warning");
      return;
    }
    void this.move(visit, request.staffIds, false);
  }

  private endDrag(): void {
    this.holding = false; // a drag swallows the pointer's release
    if (this.drag === null) {
      if (this.renderPending) this.render();
      return;
    }
    this.drag = null;
    this.markOver(null, null);
    this.timeline.classList.remove("dragging");
    for (const element of document.querySelectorAll(".being-dragged")) element.classList.remove("being-dragged");
    if (this.renderPending) this.render();
  }

  // ------------------------------------------------------------------ the levers

  private async move(visit: PlanVisit, staffIds: readonly string[], fromForm: boolean): Promise<void> {
    if (this.moving) {
      this.tell("Still re-planning the last change; try again in a moment.", "warning");
      return;
    }
    const names = staffIds.map((id) => this.staffById.get(id)?.display_name ?? id).join(" and ");
    this.moving = true;
    this.moveSubmit.disabled = true;
    this.tell(`Moving ${visitTitle(visit)} to ${names} and re-planning…`, "pending");
    const result = await pinVisit(visit.visit_id, staffIds);
    this.moving = false;
    this.moveSubmit.disabled = false;
    if (!result.ok) {
      if (result.failure.kind === "auth") return;
      this.tell(`Not moved: ${this.failureText(result.failure).replace(/\.?$/, ".")}`, "warning");
      if (fromForm) this.first.focus();
      this.loadSoon();
      return;
    }
    const moved = result.data.visit;
    const placed = moved.planned_start !== null && moved.status === "assigned";
    const message = placed
      ? `Moved: ${visitTitle(moved)} is now with ${names} at ${clockOf(moved.planned_start)}, pinned.`
      : `Pinned to ${names}, but the planner could not fit it in yet: ${moved.unassigned_reason ?? "no time left in their shift"}.`;
    this.tell(`${message}${this.runText(result.data.run)}`, placed ? "ok" : "warning");
    if (this.plan !== null) this.plan = withVisit(this.plan, moved);
    if (this.selected !== null && this.selected.visitId === moved.visit_id) {
      this.selected = { visitId: moved.visit_id, from: moved.staff_id };
    }
    this.focusAfterRender = fromForm ? moved.visit_id : null;
    this.render();
    if (fromForm) this.renderDetail(true);
    await this.load();
  }

  private openAbsence(staffId: string): void {
    const member = this.staffById.get(staffId);
    if (member === undefined) return;
    this.absentee = member;
    setText(byId("absence-title"), `Mark ${member.display_name} absent`);
    setText(
      byId("absence-text"),
      `From now until the end of their shift at ${clockOf(member.shift.end)}. Their visits in that time go back to the planner (pins included) and the day is re-planned without them.`,
    );
    setText(this.absenceError, "");
    this.absenceReason.value = "Called in sick";
    this.absenceDialog.showModal();
    this.absenceReason.select();
  }

  private async submitAbsence(): Promise<void> {
    const member = this.absentee;
    if (member === null || this.moving) return;
    const reason = this.absenceReason.value.trim();
    if (reason === "") {
      setText(this.absenceError, "Say why (for example, called in sick).");
      this.absenceReason.focus();
      return;
    }
    const startsAt = Math.max(now(), Date.parse(member.shift.start));
    const endsAt = Date.parse(member.shift.end);
    if (endsAt <= startsAt) {
      setText(this.absenceError, `${member.display_name}'s shift has already ended.`);
      return;
    }
    this.moving = true;
    setText(this.absenceError, "");
    const result = await recordAbsence({
      staff_id: member.staff_id,
      starts_at: new Date(startsAt).toISOString(),
      ends_at: new Date(endsAt).toISOString(),
      reason,
    });
    this.moving = false;
    if (!result.ok) {
      if (result.failure.kind === "auth") return;
      setText(this.absenceError, this.failureText(result.failure));
      return;
    }
    this.absenceDialog.close();
    this.tell(`${member.display_name} is marked absent until ${clock(endsAt)}.${this.runText(result.data.run)}`, "ok");
    await this.load();
  }

  // ------------------------------------------------------------------ words

  private failureText(failure: ApiFailure): string {
    const staff = this.plan?.staff ?? [];
    if (failure.kind === "http" && failure.errors.length > 0) {
      return withNames(failure.errors.map((error) => error.reason).join("; "), staff);
    }
    return withNames(describeFailure(failure), staff);
  }

  private runText(run: PlanRun | null): string {
    if (run === null) return "";
    return ` The rest of the day was re-planned: ${plural(run.changes, "change")}${run.unassigned > 0 ? `, ${run.unassigned} could not be placed` : ""}.`;
  }

  private tell(message: string, tone: Tone): void {
    this.outcome.classList.remove("ok", "warning", "pending");
    this.outcome.classList.add(tone);
    this.outcome.textContent = message;
  }

  private say(message: string): void {
    if (this.active) this.announcer.textContent = message;
  }
}
