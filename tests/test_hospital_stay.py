"""A hospital stay in the middle of an episode, on the real services (issue 15): the hub records the
admission (the visit not yet under way is cancelled and whoever held it told, the response clock
stops, the hub and coordinators told) and the discharge (a reassessment by the lead is planned within
a day); the hub's two actions refuse what means nothing and change nothing."""

from __future__ import annotations

from datetime import timedelta

from .support.system import HUB_HANDLER, RunningSystem
from .support.visits import AMARA, a_person, a_visit_for
from .support.waiting import eventually


async def test_an_admission_pauses_the_visits_and_a_discharge_plans_a_reassessment(system: RunningSystem) -> None:
    visit = await a_visit_for(system, AMARA, a_person("Mabel", "Nash", "2 Brook Street, Northgate", "", "Falls at home"))
    base = f"/api/referral/referrals/{visit.referral_id}"
    async with await system.client("referral", HUB_HANDLER) as hub:
        admitted = await hub.post(f"{base}/admission", json={"hospital": "County General", "ward": "Ward 7"})
    assert admitted.status_code == 200, admitted.text

    async def visit_cancelled() -> bool:
        rows = await system.query("scheduling", "SELECT status FROM visits WHERE visit_id = $1", visit.visit_id)
        return bool(rows[0]["status"] == "cancelled")

    await eventually(visit_cancelled, what="the visit cancelled")
    (nurse_told,) = await eventually(lambda: system.told(visit.episode_id, "visit-cancelled", "in-app"), what="the nurse told")
    assert nurse_told["recipient_ref"] == str(AMARA)
    await eventually(lambda: system.told(visit.episode_id, "patient-admitted"), what="the hub told")

    async def clock_stopped() -> bool:
        rows = await system.query("triage", "SELECT stopped FROM response_clocks WHERE episode_id = $1", visit.episode_id)
        return bool(rows and rows[0]["stopped"])

    await eventually(clock_stopped, what="the response clock stopped")

    async with await system.client("referral", HUB_HANDLER) as hub:
        home = await hub.post(f"{base}/discharge", json={})
        again = await hub.post(f"{base}/discharge", json={})
    assert home.status_code == 200, home.text
    assert again.status_code == 409
    reassessment = await eventually(
        lambda: system.query(
            "scheduling",
            "SELECT discipline, deadline, created_at FROM visits WHERE episode_id = $1 AND purpose = 'reassessment'",
            visit.episode_id,
        ),
        what="the reassessment planned",
    )
    assert len(reassessment) == 1
    stays = await system.query("scheduling", "SELECT discharged_at FROM hospital_stays WHERE episode_id = $1", visit.episode_id)
    assert reassessment[0]["deadline"] == stays[0]["discharged_at"] + timedelta(days=1)
    await eventually(lambda: system.told(visit.episode_id, "patient-discharged"), what="the hub told of the discharge")
