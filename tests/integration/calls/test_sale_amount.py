"""A sale's amount (issue 16, revenue): asked with a sale disposition, refused with any
other, bounded, stored with the call's outcome once, and summed in the revenue report.
Whole calls through the sandbox carrier, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from tests.integration.calls.calls_harness import Agent, Floor, floor
from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.reporting import ReportRequest, rebuild, run_report
from omnivox.telephony import Call
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)


async def _wrapping_up(f: Floor, agent: Agent) -> str:
    call_id = await f.call(agent, ANSWERS)
    await f.advance(4)
    hung = await f.post(agent, f"/api/v1/calls/{call_id}/hangup")
    assert hung.status_code == 200 and hung.json()["state"] == "wrap_up"
    await f.advance(1)
    return call_id


def _problem(resp: Any) -> str:
    assert resp.status_code == 422, resp.text
    [problem] = resp.json()["errors"]
    assert problem["field"] == "amount"
    return str(problem["message"])


async def _revenue(env: Env, org: str, call_id: str) -> dict[str, Any]:
    async with env.sessions() as s:
        call = await s.get(Call, call_id)
        assert call is not None and call.ended_at is not None
        day = call.ended_at.date()
        result = await run_report(
            s,
            org,
            ReportRequest(("revenue", "conversions", "revenue_per_sale"), day, day),
            env.settings,
        )
    [row] = result.rows
    return row


async def test_a_sale_needs_its_amount_and_counts_once(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await _wrapping_up(f, alex)
        path = f"/api/v1/calls/{call_id}/disposition"

        assert "a sale needs its amount (in USD)" in _problem(
            await f.post(alex, path, {"code": "SALE"})
        )
        refused = _problem(await f.post(alex, path, {"code": "interested", "amount": "10"}))
        assert "INTERESTED is not a sale" in refused
        assert "negative" in _problem(await f.post(alex, path, {"code": "SALE", "amount": "-1"}))
        huge = _problem(await f.post(alex, path, {"code": "SALE", "amount": "1000000.01"}))
        assert "1000000 USD" in huge and "OMNIVOX_SALE_AMOUNT_MAX" in huge
        cents = _problem(await f.post(alex, path, {"code": "SALE", "amount": "12.345"}))
        assert "at most 2 decimal places" in cents
        # Nothing refused was stored; the agent is still wrapping up.
        row = await f.row(call_id)
        assert row.state == "wrap_up" and row.disposition_code is None and row.sale_amount is None

        ok = await f.post(alex, path, {"code": "SALE", "amount": "249.9"})
        assert ok.status_code == 200, ok.text
        assert ok.json()["state"] == "completed" and ok.json()["sale_amount"] == "249.9"
        await f.advance(1)
        assert (await f.row(call_id)).sale_amount == Decimal("249.9")

        # A second disposition of the finished call (a "re-disposition") is refused and
        # changes nothing: the sale is counted once.
        again = await f.post(alex, path, {"code": "SALE", "amount": "500"})
        assert again.status_code == 409, again.text
        assert (await f.row(call_id)).sale_amount == Decimal("249.9")
        ada = await f.agent(org, "ada", Role.ORG_ADMIN, line=False)
        listed = await env.client.get("/api/v1/calls", headers=ada.headers)
        assert [c["sale_amount"] for c in listed.json() if c["id"] == call_id] == ["249.9"]

        live = await _revenue(env, org, call_id)
        assert live == {"revenue": 249.9, "conversions": 1, "revenue_per_sale": 249.9}
        async with env.sessions() as s:
            row = await f.row(call_id)
            assert row.ended_at is not None
            day_start = row.ended_at.replace(hour=0, minute=0, second=0, microsecond=0)
            await rebuild(s, org, day_start, day_start + timedelta(days=1))
            await s.commit()
        assert await _revenue(env, org, call_id) == live


async def test_amounts_follow_the_organisations_currency(env: Env) -> None:
    async with floor(env) as (f, org):
        admin = await f.agent(org, "ada", Role.ORG_ADMIN, line=False)
        bad = await env.client.patch(
            "/api/v1/organization", headers=admin.headers, json={"currency": "XYZ"}
        )
        assert bad.status_code == 422 and "ISO 4217" in bad.text
        yen = await env.client.patch(
            "/api/v1/organization", headers=admin.headers, json={"currency": "jpy"}
        )
        assert yen.status_code == 200 and yen.json()["currency"] == "JPY"

        alex = await f.agent(org, "alex")
        desk = await env.client.get("/agent", headers=alex.headers)
        assert 'data-testid="sale-currency">JPY<' in desk.text
        assert 'step="1"' in desk.text

        call_id = await _wrapping_up(f, alex)
        path = f"/api/v1/calls/{call_id}/disposition"
        fraction = _problem(await f.post(alex, path, {"code": "SALE", "amount": "12.5"}))
        assert "JPY amounts have at most 0 decimal places" in fraction
        assert "(in JPY)" in _problem(await f.post(alex, path, {"code": "SALE"}))
        ok = await f.post(alex, path, {"code": "SALE", "amount": 1200})
        assert ok.status_code == 200 and ok.json()["sale_amount"] == "1200"


async def test_a_transferring_agents_sale_stays_in_the_history(env: Env) -> None:
    """The agent who transferred the call away records their part; its amount goes into
    the call's history, not its outcome (revenue comes from whoever finishes the call)."""
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        bea = await f.agent(org, "bea")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        moved = await f.post(
            alex, f"/api/v1/calls/{call_id}/transfer", {"kind": "agent", "target": bea.user_id}
        )
        assert moved.status_code == 200, moved.text
        await f.advance(4)
        assert (await f.row(call_id)).agent_id == bea.user_id
        path = f"/api/v1/calls/{call_id}/disposition"
        assert "a sale needs its amount" in _problem(await f.post(alex, path, {"code": "SALE"}))
        part = await f.post(alex, path, {"code": "SALE", "amount": "30"})
        assert part.status_code == 200, part.text
        assert (await f.row(call_id)).sale_amount is None
        [note] = [h for h in await f.history(call_id) if h.event == "PartDispositioned"]
        assert note.payload["amount"] == "30"
