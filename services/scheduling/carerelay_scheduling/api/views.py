"""What each screen is shown of a visit (JSON): the clinician's phone (my day, the visit after an action),
the coordinator's day plan, the list of visits; and a planning run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.day_plan import PlanRun, at_risk


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _id(value: object) -> str | None:
    return str(value) if value else None


def _news2(row: Any) -> dict[str, Any] | None:
    return {"score": row["news2_score"], "band": row["news2_band"]} if row["news2_score"] is not None else None


def last_visit(row: Any) -> dict[str, Any] | None:
    """The episode's last finished visit: by whom, when, completed or missed, what was done and said."""
    if row is None:
        return None
    return {
        "visit_id": str(row["visit_id"]),
        "purpose": row["purpose"],
        "by": row["display_name"],
        "finished_at": _iso(row["finished_at"]),
        "outcome": "completed" if row["completed_at"] else "missed",
        "missed_reason": row["missed_reason"],
        "tasks_done": list(row["tasks_done"]),
        "notes": list(row["notes"]),
        "concerns": row["concerns"],
        "news2": _news2(row),
    }


def my_visit(row: Any, last: Any) -> dict[str, Any]:
    """A visit on its clinician's phone: the person, the lead, the tasks, who they visit with, the record
    so far and the last visit."""
    person = None
    if row["given_name"] is not None:
        person = {
            "given_name": row["given_name"],
            "family_name": row["family_name"],
            "address": row["address"],
            "postcode": row["postcode"],
            "access_notes": row["access_notes"],
            "reason": row["reason"],
            "known_risks": row["known_risks"],
        }
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "status": row["status"],
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "lead_discipline": row["lead_discipline"],
        "planned_start": _iso(row["planned_start"]),
        "earliest_start": _iso(row["earliest_start"]),
        "latest_start": _iso(row["latest_start"]),
        "duration_minutes": row["duration_minutes"],
        "tasks": list(row["tasks"]),
        "double_handed": row["double_handed"],
        "with": row["partner"],
        "person": person,
        "record": {
            "en_route_at": _iso(row["en_route_at"]),
            "expected_arrival": _iso(row["expected_arrival"]),
            "arrived_at": _iso(row["arrived_at"]),
            "running_late_minutes": row["running_late_minutes"],
            "completed_at": _iso(row["completed_at"]),
            "missed_at": _iso(row["missed_at"]),
            "missed_reason": row["missed_reason"],
            "tasks_done": list(row["tasks_done"] or []),
            "notes": list(row["notes"] or []),
            "concerns": row["concerns"] or "",
            "news2": _news2(row),
        },
        "last_visit": last_visit(last),
    }


def planned_visit(row: Any, now: datetime) -> dict[str, Any]:
    """A visit on the coordinator's day plan, with the planner's why and whether it is at risk."""
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "person": f"{row['given_name']} {row['family_name']}" if row["given_name"] else None,
        "postcode": row["postcode"],
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "status": row["status"],
        "staff_id": _id(row["staff_id"]),
        "second_staff_id": _id(row["second_staff_id"]),
        "planned_start": _iso(row["planned_start"]),
        "earliest_start": row["earliest_start"].isoformat(),
        "latest_start": row["latest_start"].isoformat(),
        "preferred_start": _iso(row["preferred_start"]),
        "duration_minutes": row["duration_minutes"],
        "deadline": _iso(row["deadline"]),
        "double_handed": row["double_handed"],
        "required_skills": list(row["required_skills"]),
        "urgent": row["urgent"],
        "pinned": row["pinned"],
        "why": list(row["why"]),
        "unassigned_reason": row["unassigned_reason"],
        "at_risk": at_risk(row["status"], row["planned_start"], row["latest_start"], row["deadline"], row["urgent"], now),
    }


def listed_visit(row: Any) -> dict[str, Any]:
    """A visit in a list of visits: what, who, when, and why nobody has it yet."""
    return {
        "visit_id": str(row["visit_id"]),
        "episode_id": str(row["episode_id"]),
        "purpose": row["purpose"],
        "discipline": row["discipline"],
        "status": row["status"],
        "staff_id": _id(row["staff_id"]),
        "planned_start": _iso(row["planned_start"]),
        "deadline": _iso(row["deadline"]),
        "unassigned_reason": row["unassigned_reason"],
    }


def plan_run(run: PlanRun) -> dict[str, Any]:
    return {
        "run_id": str(run.run_id),
        "trigger": run.trigger,
        "window": {"start": run.window[0].isoformat(), "end": run.window[1].isoformat()},
        "visits": run.visits,
        "assigned": run.assigned,
        "unassigned": run.unassigned,
        "changes": run.changes,
        "solve_seconds": round(run.solve_seconds, 3),
    }


def recorded_run(row: Any) -> dict[str, Any]:
    """A past planning run, as the coordinator's day lists them."""
    return {
        "trigger": row["trigger"],
        "started_at": row["started_at"].isoformat(),
        "visits": row["visits"],
        "changes": row["changes"],
        "unassigned": row["unassigned"],
        "solve_seconds": round(row["solve_seconds"], 3),
    }
