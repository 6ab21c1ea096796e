"""Every ending is captured and reconciled: busy, no answer, machine, hang-up on hold,
network failure, wrap-up timeout, forged webhooks, and a restart mid-call."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from tests.conftest import make_settings
from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.app import create_app
from omnivox.telephony.reconcile import reconcile_open_calls
from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript

ANSWERS = PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2)


@pytest.mark.parametrize(
    ("behaviour", "state", "reason"),
    [
        (PartyBehaviour.BUSY, "busy", "busy"),
        (PartyBehaviour.NO_ANSWER, "no_answer", "no_answer"),
        (PartyBehaviour.FAIL, "failed", "provider_error"),
    ],
)
async def test_unanswered_endings(
    sqlite_env: Env, behaviour: PartyBehaviour, state: str, reason: str
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, PartyScript(behaviour=behaviour, ring_seconds=2))
        await f.advance(30)
        call = await f.row(call_id)
        assert (call.state, call.end_reason) == (state, reason)
        assert alex.offers == []  # the agent's phone never rang


async def test_answering_machine_on_a_click_to_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, PartyScript(behaviour=PartyBehaviour.MACHINE, ring_seconds=2))
        await f.advance(5)
        call = await f.row(call_id)
        # A machine answered; the agent is connected to it and can leave a message or hang up.
        assert call.state == "connected"
        hung = await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        assert hung.json()["state"] == "wrap_up" and hung.json()["end_reason"] == "agent_hangup"
        await f.advance(1)
        assert f.customer_leg(call).status == "completed"


async def test_customer_hangs_up_while_on_hold(env: Env) -> None:
    async with floor(env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.post(alex, f"/api/v1/calls/{call_id}/hold")).status_code == 200
        call = await f.row(call_id)
        f.carrier.hang_up_party(call.provider_sid or "")
        await f.advance(1)
        call = await f.row(call_id)
        assert (call.state, call.end_reason) == ("wrap_up", "customer_hangup")
        resume = await f.post(alex, f"/api/v1/calls/{call_id}/resume")
        assert resume.status_code == 409 and "wrap up" in resume.json()["detail"]


async def test_network_failure_mid_call(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        f.carrier.fail_network((await f.row(call_id)).provider_sid or "")
        await f.advance(1)
        call = await f.row(call_id)
        assert (call.state, call.end_reason) == ("wrap_up", "network_failure")


async def test_wrap_up_timeout_gives_a_flagged_system_disposition(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        await f.post(alex, f"/api/v1/calls/{call_id}/hangup")
        assert await f.runtime.service.expire_wrap_ups() == 0
        await f.advance(sqlite_env.settings.wrap_up_seconds + 1)
        assert await f.runtime.service.expire_wrap_ups() == 1
        call = await f.row(call_id)
        assert call.state == "completed" and call.disposition_source == "system"
        assert call.flagged_for_supervisor and call.disposition_code == "wrap_up_timeout"
        metrics = (await sqlite_env.client.get("/metrics")).text
        assert 'omnivox_calls_ended_total{end_reason="agent_hangup"} 1.0' in metrics


async def test_forged_webhook_is_refused_and_changes_nothing(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        call = await f.row(call_id)
        before = len(await f.history(call_id))
        form = {
            "CallSid": call.provider_sid or "",
            "CallStatus": "completed",
            "AccountSid": sqlite_env.settings.sandbox.account_sid,
            "SequenceNumber": "99",
        }
        url = f"/hooks/telephony/twilio/status?call={call_id}"
        unsigned = await sqlite_env.client.post(url, data=form)
        forged = await sqlite_env.client.post(
            url, data=form, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
        )
        assert unsigned.status_code == forged.status_code == 403
        assert (await f.row(call_id)).state == "connected"
        assert len(await f.history(call_id)) == before
        metrics = (await sqlite_env.client.get("/metrics")).text
        assert 'omnivox_webhooks_total{kind="status",outcome="bad-signature"} 2.0' in metrics


async def test_lost_webhooks_are_reconciled_with_the_provider(sqlite_env: Env) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        call = await f.row(call_id)
        sandbox_call = f.customer_leg(call)
        sandbox_call.status_callback = None  # the carrier's callbacks get lost from here on
        f.carrier.hang_up_party(sandbox_call.sid)
        await f.advance(1)
        assert (await f.row(call_id)).state == "connected"  # Omnivox has not heard
        assert await reconcile_open_calls(f.runtime.service) == 1
        call = await f.row(call_id)
        assert (call.state, call.end_reason) == ("wrap_up", "customer_hangup")
        history = await f.history(call_id)
        assert history[-1].payload["provider"] == {"reconciliation": "provider record"}


async def test_restart_mid_call_reconciles_on_start_up(
    sqlite_url: str, tmp_path: object, sqlite_env: Env
) -> None:
    async with floor(sqlite_env) as (f, org):
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, ANSWERS)
        await f.advance(4)
        assert (await f.row(call_id)).state == "connected"
    # The node dies with the call open. A new node (with a fresh sandbox that has no record
    # of the call) starts on the same database: start-up reconciliation closes it.
    app = create_app(make_settings(sqlite_url, tmp_path), clock=sqlite_env.clock)
    await sqlite_env.clock.advance(timedelta(minutes=5).total_seconds())
    async with app.router.lifespan_context(app):
        call = await f.row(call_id)
        assert call.state == "wrap_up" and call.end_reason == "network_failure"
        history = await f.history(call_id)
        assert history[-1].payload["event"]["error_code"] == "not-found-at-provider"
        # It ends at the last event Omnivox knew of, not 5 minutes later at the restart,
        # so its duration leaves the downtime out; and it says its end is estimated.
        last_known = max(h.at for h in history[:-1] if h.applied)
        assert call.ended_at == last_known
        assert call.answered_at is not None and call.ended_at - call.answered_at < timedelta(
            minutes=1
        )
        assert call.end_estimated
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        async with client:
            shown = await client.get(f"/api/v1/calls/{call_id}", headers=alex.headers)
        assert shown.json()["end_estimated"] is True
