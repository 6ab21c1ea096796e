"""Issue 14, AMD measured rather than assumed: campaign calls on the sandbox carrier.

AMD can be switched off per campaign (no detection asked of the carrier, every answer is a
person). Agents mark AMD's mistakes on their calls and supervisors review machine-classified
calls; the campaign's figures show the measured false-positive and false-negative rates and
the delay before a person hears an agent, all from these reviews and the call records.
Under the UK rule, people AMD hung up on count as abandoned calls in the abandon rate.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.integration.dialer.dialer_harness import (
    NOON,
    add_contacts,
    campaign,
    campaign_calls,
    engine_of,
    run,
)
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.dialer.models import AmdReview
from omnivox.telephony.models import Call
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

MACHINE = PartyScript(
    behaviour=PartyBehaviour.MACHINE, ring_seconds=3, greeting_seconds=6.0, amd_seconds=1.5
)
PERSON = PartyScript(ring_seconds=3, amd_seconds=2.5, hang_up_after=6)
MACHINE_NUMBER, PERSON_NUMBER = "+14155550041", "+14155550042"


async def _start(
    f: Floor, org: str, agents: list[Agent], phones: list[tuple[str, PartyScript]], **fields: Any
) -> tuple[str, dict[str, str]]:
    cid, boss = await campaign(f, org, agents, **fields)
    got = await f.env.client.get(f"/api/v1/campaigns/{cid}", headers=boss.headers)
    list_id = str(got.json()["list_ids"][0])
    await add_contacts(f, org, list_id, [(phone, "UTC", script) for phone, script in phones])
    await engine_of(f).start()
    started = await f.env.client.post(f"/api/v1/campaigns/{cid}/start", headers=boss.headers)
    assert started.status_code == 200, started.text
    return cid, boss.headers


async def _live(env: Env, cid: str, headers: dict[str, str]) -> dict[str, Any]:
    resp = await env.client.get(f"/api/v1/campaigns/{cid}/live", headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _review(f: Floor, who: Agent | dict[str, str], call_id: str, verdict: str) -> Any:
    headers = who if isinstance(who, dict) else who.headers
    return await f.env.client.post(
        f"/api/v1/calls/{call_id}/amd-review", headers=headers, json={"verdict": verdict}
    )


async def _two_calls(f: Floor, org: str, **fields: Any) -> tuple[str, dict[str, str], Call, Call]:
    """One agent, progressive: a machine AMD catches after it reached the agent (taken
    back), then a person AMD passes to the agent."""
    alex = await f.agent(org, "alex")
    cid, headers = await _start(
        f,
        org,
        [alex],
        [(MACHINE_NUMBER, MACHINE), (PERSON_NUMBER, PERSON)],
        amd_action="hangup",
        **fields,
    )
    await run(f, 40)
    calls = {c.to_number: c for c in await campaign_calls(f, cid)}
    machine, person = calls[MACHINE_NUMBER], calls[PERSON_NUMBER]
    assert (machine.end_reason, machine.answered_by) == ("machine", "machine_start")
    assert machine.agent_id == alex.user_id  # it had reached the agent
    assert person.answered_by == "human" and person.agent_id == alex.user_id
    return cid, headers, machine, person


async def test_uk_abandon_rate_counts_amd_false_positives_estimated_then_reviewed(
    env: Env,
) -> None:
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        try:
            cid, headers, machine, person = await _two_calls(
                f, org, abandon_window_hours=24, abandon_rate_cap="0.03"
            )
            alex = f.agents["alex"]
            # Nothing reviewed: the one machine verdict counts as 5 % of a person (the
            # default estimate), abandoned, on top of the one live answer.
            stats = await _live(env, cid, headers)
            assert stats["counts_amd_false_positives"] is True
            assert (stats["abandoned"], stats["live_answers"]) == (0, 1)
            assert stats["amd_machine_verdicts"] == 1 and stats["amd_reviewed_people"] == 0
            assert stats["amd_false_positives"] == pytest.approx(0.05)
            assert stats["abandon_rate"] == pytest.approx(0.05 / 1.05)
            assert stats["at_cap"] is True  # 4.8 % > 3 %
            assert stats["amd"]["false_positive"] == {"rate": None, "count": 0, "sample": 0}
            assert stats["amd"]["false_negative"] == {"rate": 0.0, "count": 0, "sample": 1}

            # The agent heard a person before the dialler took the call back.
            marked = await _review(f, alex, machine.id, "person_after_machine")
            assert marked.status_code == 200, marked.text
            assert marked.json()["verdict"] == "person_after_machine"
            assert marked.json()["answered_by"] == "machine_start"
            again = await _review(f, alex, machine.id, "person_after_machine")
            assert again.status_code == 200  # replaces: counted once
            stats = await _live(env, cid, headers)
            assert stats["amd_false_positives"] == pytest.approx(1.0)
            assert stats["abandon_rate"] == pytest.approx(0.5)  # 1 of 2, as the law counts
            assert stats["amd"]["false_positive"] == {"rate": 1.0, "count": 1, "sample": 1}

            # A supervisor listens and finds a machine after all: the review is replaced.
            hx = {**headers, "HX-Request": "true"}
            page = await env.client.get(f"/campaigns/{cid}/amd-review", headers=headers)
            assert page.status_code == 200 and MACHINE_NUMBER in page.text
            assert PERSON_NUMBER not in page.text  # only machine verdicts are listed
            assert "a person" in page.text
            done = await env.client.post(
                f"/campaigns/{cid}/amd-review/{machine.id}",
                data={"verdict": "machine_confirmed"},
                headers=hx,
            )
            assert done.status_code == 200 and "Marked: a machine." in done.text
            stats = await _live(env, cid, headers)
            assert stats["amd_false_positives"] == 0.0 and stats["abandon_rate"] == 0.0
            assert stats["amd"]["false_positive"] == {"rate": 0.0, "count": 0, "sample": 1}
            async with env.sessions() as s:
                assert await s.scalar(select(func.count()).select_from(AmdReview)) == 1

            # The person AMD passed was a machine, says the agent: a false negative.
            missed = await _review(f, alex, person.id, "machine_passed")
            assert missed.status_code == 200, missed.text
            wrong = await _review(f, alex, person.id, "person_after_machine")
            assert wrong.status_code == 409
            assert "AMD classified this call as a person (human)" in wrong.json()["detail"]
            stats = await _live(env, cid, headers)
            assert stats["amd"]["false_negative"] == {"rate": 1.0, "count": 1, "sample": 1}

            # The delay, from the call history: the person reached the agent within the
            # 2 seconds, before AMD's verdict; both verdicts came after the answer.
            delay = stats["amd"]["delay"]
            assert delay["to_agent_with_amd_n"] == 1 and delay["to_agent_without_amd_n"] == 0
            assert 0.0 <= delay["to_agent_with_amd_s"] <= 2.0
            assert delay["added_s"] is None  # no call without AMD to compare with
            assert delay["verdict_n"] == 2 and delay["verdict_after_answer_s"] > 0.0

            figures = await env.client.get(f"/campaigns/{cid}/figures", headers=headers)
            text = " ".join(figures.text.split())
            assert "AMD false positives, measured" in text
            assert "0.0 %: 0 people among 1 reviewed machine verdicts (1 in all)" in text
            assert "100.0 %: 1 machines marked by agents among 1 calls AMD passed to them" in text
            assert "no calls without AMD to compare" in text
            assert "0.00 in the window: 0 reviewed as people" in text
            assert f'href="/campaigns/{cid}/amd-review"' in figures.text  # a supervisor's
        finally:
            await engine_of(f).stop()


async def test_reviews_are_the_agents_or_a_supervisors_within_the_tenant(
    sqlite_env: Env,
) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        try:
            # The US rule (the organisation's 30 days): AMD false positives are not counted.
            cid, headers, machine, _person = await _two_calls(f, org)
            alex = f.agents["alex"]
            bob = await f.agent(org, "bob")
            rita_id = await env.user(org, "rita@acme.example.com", Role.REPORTING)
            assert rita_id
            rita = await env.token("rita@acme.example.com")
            other = await env.org("globex")
            await env.user(other, "sam@globex.example.com", Role.SUPERVISOR)
            sam = await env.token("sam@globex.example.com")

            not_his = await _review(f, bob, machine.id, "person_after_machine")
            assert not_his.status_code == 403 and "not your call" in not_his.json()["detail"]
            reporting = await _review(f, rita, machine.id, "person_after_machine")
            assert reporting.status_code == 403
            elsewhere = await _review(f, sam, machine.id, "person_after_machine")
            assert elsewhere.status_code == 404
            unknown = await _review(f, alex, machine.id, "probably_a_fax")
            assert unknown.status_code == 422 and "verdict" in unknown.text
            nothing = await _review(f, alex, "no-such-call", "machine_passed")
            assert nothing.status_code == 404
            machine_said = await _review(f, alex, machine.id, "machine_passed")
            assert machine_said.status_code == 409
            assert "AMD classified this call as a machine" in machine_said.json()["detail"]
            async with env.sessions() as s:
                assert await s.scalar(select(func.count()).select_from(AmdReview)) == 0

            # The review page and list are the supervisors', of their own organisation.
            assert (
                await env.client.get(f"/campaigns/{cid}/amd-review", headers=sam)
            ).status_code == 404
            listed = await env.client.get(f"/api/v1/campaigns/{cid}/amd/machine-calls", headers=sam)
            assert listed.status_code == 404
            agent_page = await env.client.get(f"/campaigns/{cid}/amd-review", headers=alex.headers)
            assert agent_page.status_code == 403
            listed = await env.client.get(
                f"/api/v1/campaigns/{cid}/amd/machine-calls", headers=headers
            )
            assert listed.status_code == 200
            [row] = listed.json()
            assert row["call_id"] == machine.id and row["review"] is None
            assert row["answered_by"] == "machine_start"

            ok = await _review(f, alex, machine.id, "person_after_machine")
            assert ok.status_code == 200, ok.text
            stats = await _live(env, cid, headers)
            assert stats["counts_amd_false_positives"] is False
            assert stats["amd_false_positives"] == 0.0 and stats["abandon_rate"] == 0.0
            assert stats["amd"]["false_positive"] == {"rate": 1.0, "count": 1, "sample": 1}
            # Reporting reads the figures but reviews nothing: no link to the review page.
            shown = await env.client.get(f"/campaigns/{cid}/figures", headers=rita)
            assert shown.status_code == 200 and "AMD false positives, measured" in shown.text
            assert "/amd-review" not in shown.text
        finally:
            await engine_of(f).stop()


async def test_amd_off_asks_the_carrier_for_no_detection(sqlite_env: Env) -> None:
    env = sqlite_env
    env.clock.set(NOON)
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        cid, headers = await _start(f, org, [alex], [(MACHINE_NUMBER, MACHINE)], amd_enabled=False)
        try:
            await run(f, 10)
            [call] = await campaign_calls(f, cid)
            assert f.customer_leg(call).amd is None  # no MachineDetection in the request
            # Every answer is a person: the machine reached the agent and stays with them.
            assert call.answered_by is None and call.agent_id == alex.user_id
            assert call.state == "connected"
            refused = await _review(f, alex, call.id, "machine_passed")
            assert refused.status_code == 409
            assert "AMD gave no verdict on this call" in refused.json()["detail"]
            stats = await _live(env, cid, headers)
            assert stats["amd_enabled"] is False and stats["amd_rate"] == 0.0
            assert stats["live_answers"] == 1
            delay = stats["amd"]["delay"]
            assert delay["to_agent_without_amd_n"] == 1 and delay["to_agent_with_amd_n"] == 0
            assert delay["verdict_n"] == 0
            figures = await env.client.get(f"/campaigns/{cid}/figures", headers=headers)
            text = " ".join(figures.text.split())
            assert "detection is off for this campaign" in text
            assert "no reviews yet (0 machine verdicts to review)" in text
        finally:
            await engine_of(f).stop()
