"""Voicemail end to end: a sandbox caller is answered with the voicemail instructions, the
carrier records and reports the recording, the webhook's event is stored once, and the
message is listed, assigned and marked done through the API (agents: their own only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.accounts.models import AuditEntry
from omnivox.core.events import AudienceKind, DomainEvent
from omnivox.core.security.permissions import Role
from omnivox.routing.models import Queue
from omnivox.telephony.fsm_types import Owner, OwnerKind
from omnivox.telephony.ingress import Ingress
from omnivox.telephony.instructions import Instruction, Say
from omnivox.telephony.plugins import CallPlugins
from omnivox.telephony.ports import (
    RecordingStatus,
    RecordingStatusChanged,
    VoiceRequest,
    WebhookKind,
)
from omnivox.telephony.runtime import TelephonyRuntime
from omnivox.telephony.service import TelephonyService
from omnivox.voicemail import (
    ACTION_MARK,
    after_message,
    store_voicemail,
    voicemail_instructions,
)
from omnivox.voicemail.models import Voicemail

NUMBER = "+15005550006"
CALLER = "+14155550199"


@dataclass
class VoicemailStandIn:
    """Answers every inbound call with voicemail for one queue, as the lead's inbound
    routing will when a queue is closed or overflows to voicemail."""

    svc: TelephonyService
    org_id: str
    queue_id: str
    calls: list[str] = field(default_factory=list)

    async def answer(self, request: VoiceRequest) -> Sequence[Instruction] | None:
        call = await self.svc.accept_inbound_call(
            self.org_id, Owner(OwnerKind.QUEUE, self.queue_id), request
        )
        self.calls.append(call.id)
        greeting = Say(text="Please leave a message after the tone.")
        return voicemail_instructions(self.svc.urls, call.id, greeting)

    async def step(self, call: Any, query: Mapping[str, str]) -> Sequence[Instruction] | None:
        return after_message() if query.get("voicemail") == ACTION_MARK else None

    async def on_recording(self, call: Any, event: RecordingStatusChanged) -> bool:
        return False  # this test stores the parsed event itself, twice, below

    async def hold_music_url(self, org_id: str) -> str | None:
        return None


async def _queue(env: Env, org: str) -> str:
    async with env.sessions() as s:
        queue = Queue(organization_id=org, name="Support")
        s.add(queue)
        await s.commit()
        return queue.id


async def _count(env: Env) -> int:
    async with env.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(Voicemail)) or 0)


async def test_a_sandbox_voicemail_is_stored_listed_assigned_and_done(env: Env) -> None:
    async with floor(env) as (f, org):
        runtime: TelephonyRuntime = env.app.state.telephony  # type: ignore[attr-defined]
        svc = runtime.service
        queue_id = await _queue(env, org)
        stand_in = VoicemailStandIn(svc, org, queue_id)
        # The stand-in answers this number instead of inbound routing.
        runtime.ingress = Ingress(svc, CallPlugins(inbound=stand_in))  # type: ignore[arg-type]
        runtime.provision_number(NUMBER)

        sent: list[tuple[str, dict[str, str]]] = []
        real_webhook = f.carrier.webhook

        async def spy(subject: Any, url: str, params: Any) -> Any:
            sent.append((url, dict(params)))
            return await real_webhook(subject, url, params)

        f.carrier.webhook = spy  # type: ignore[method-assign]
        events: list[DomainEvent] = []

        async def keep(event: DomainEvent) -> None:
            events.append(event)

        bus = env.app.state.omnivox.bus  # type: ignore[attr-defined]
        bus.subscribe(DomainEvent, keep, remote=True)

        caller = await f.carrier.place_inbound_call(CALLER, NUMBER)
        await f.advance(20)
        assert caller.is_final  # greeted, recorded, hung up
        [call_id] = stand_in.calls
        recording_posts = [p for u, p in sent if u == svc.urls.recording(call_id)]
        assert [p["RecordingStatus"] for p in recording_posts] == ["completed"]
        action = [u for u, _ in sent if "voicemail=recorded" in u]
        assert action, "the carrier went to the Record action URL when the message ended"

        # What the recording webhook handler will do once wired: parse and store.
        event = svc.provider.parse_webhook(WebhookKind.RECORDING, recording_posts[0])
        assert isinstance(event, RecordingStatusChanged)
        now = env.clock.now()
        async with env.sessions() as s:
            vm = await store_voicemail(
                s,
                org_id=org,
                call_id=call_id,
                queue_id=queue_id,
                caller=CALLER,
                called=NUMBER,
                recording=event,
                now=now,
                bus=bus,
            )
            again = await store_voicemail(
                s,
                org_id=org,
                call_id=call_id,
                queue_id=queue_id,
                caller=CALLER,
                called=NUMBER,
                recording=event,
                now=now,
                bus=bus,
            )
        assert vm is not None and again is not None and again.id == vm.id
        assert await _count(env) == 1
        assert vm.duration_seconds == f.carrier.timing.record_seconds == 5
        assert (vm.box, vm.queue_id, vm.status) == ("Support", queue_id, "new")
        received = [e for e in events if e.name == "voicemail.received"]
        assert len(received) == 1
        assert received[0].audience.kind is AudienceKind.ORGANIZATION
        assert received[0].audience.permission == "calls:read"
        assert received[0].data["voicemail"]["id"] == vm.id

        await _work_it(env, org, vm.id, queue_id, events)


async def _work_it(
    env: Env, org: str, vm_id: str, queue_id: str, events: list[DomainEvent]
) -> None:
    c = env.client
    await env.user(org, "sam@acme.example.com", Role.SUPERVISOR)
    sup = await env.token("sam@acme.example.com")
    alex_id = await env.user(org, "alex@acme.example.com", Role.AGENT)
    alex = await env.token("alex@acme.example.com")
    await env.user(org, "bea@acme.example.com", Role.AGENT)
    bea = await env.token("bea@acme.example.com")

    listed = (await c.get("/api/v1/voicemails", headers=sup)).json()
    assert [v["id"] for v in listed] == [vm_id]
    assert listed[0]["caller_number"] == CALLER and listed[0]["has_audio"] is False
    assert (await c.get("/api/v1/voicemails", headers=alex)).json() == []
    assert (await c.get(f"/api/v1/voicemails/{vm_id}", headers=alex)).status_code == 404

    assigned = await c.post(
        f"/api/v1/voicemails/{vm_id}/assign", headers=sup, json={"user_id": alex_id}
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "assigned" and assigned.json()["assigned_to"] == alex_id
    to_alex = [e for e in events if e.name == "voicemail.changed" and e.audience.user_id == alex_id]
    assert len(to_alex) == 1
    agents_cannot_assign = await c.post(
        f"/api/v1/voicemails/{vm_id}/assign", headers=alex, json={"user_id": alex_id}
    )
    assert agents_cannot_assign.status_code == 403

    assert [v["id"] for v in (await c.get("/api/v1/voicemails", headers=alex)).json()] == [vm_id]
    assert (await c.get("/api/v1/voicemails", headers=bea)).json() == []
    assert (
        await c.post(f"/api/v1/voicemails/{vm_id}/done", headers=bea, json={})
    ).status_code == 404

    audio = await c.get(f"/api/v1/voicemails/{vm_id}/audio", headers=alex)
    assert audio.status_code == 409 and audio.json()["code"] == "voicemail-no-audio"
    assert "sandbox recording (no audio)" in audio.json()["detail"]

    done = await c.post(
        f"/api/v1/voicemails/{vm_id}/done", headers=alex, json={"notes": "Called back, sorted"}
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["done_by"]) == ("done", alex_id)
    assert done.json()["notes"] == "Called back, sorted"
    twice = await c.post(f"/api/v1/voicemails/{vm_id}/done", headers=alex, json={})
    assert twice.status_code == 409 and twice.json()["code"] == "voicemail-done"

    by_status = await c.get("/api/v1/voicemails", headers=sup, params={"status": "new"})
    assert by_status.json() == []
    done_ones = await c.get("/api/v1/voicemails", headers=sup, params={"status": "done"})
    assert [v["id"] for v in done_ones.json()] == [vm_id]
    by_queue = await c.get("/api/v1/voicemails", headers=sup, params={"queue_id": queue_id})
    assert len(by_queue.json()) == 1
    other_queue = await c.get("/api/v1/voicemails", headers=sup, params={"queue_id": "0" * 32})
    assert other_queue.json() == []

    async with env.sessions() as s:
        actions = set(await s.scalars(select(AuditEntry.action)))
    assert {"voicemail.assign", "voicemail.done"} <= actions


async def test_assignment_is_to_call_handlers_of_the_organisation(sqlite_env: Env) -> None:
    env = sqlite_env
    org, other = await env.org("acme"), await env.org("other")
    await env.user(org, "sam@acme.example.com", Role.SUPERVISOR)
    sup = await env.token("sam@acme.example.com")
    viewer = await env.user(org, "rita@acme.example.com", Role.REPORTING)
    stranger = await env.user(other, "zed@other.example.com", Role.AGENT)
    vm = await _store(env, org, "RE" + "1" * 32)
    for user_id in (viewer, stranger, "0" * 32):
        resp = await env.client.post(
            f"/api/v1/voicemails/{vm}/assign", headers=sup, json={"user_id": user_id}
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["field"] == "user_id"
    back = await env.client.post(f"/api/v1/voicemails/{vm}/assign", headers=sup, json={})
    assert back.status_code == 200 and back.json()["status"] == "new"


async def test_recordings_without_a_message_are_not_kept(sqlite_env: Env) -> None:
    org = await sqlite_env.org("acme")
    absent = RecordingStatusChanged(recording_sid="RE" + "2" * 32, status=RecordingStatus.ABSENT)
    async with sqlite_env.sessions() as s:
        kept = await store_voicemail(
            s,
            org_id=org,
            call_id=None,
            queue_id=None,
            caller=CALLER,
            called=NUMBER,
            recording=absent,
            now=sqlite_env.clock.now(),
        )
    assert kept is None and await _count(sqlite_env) == 0


async def test_the_voicemail_page_lists_and_works_them(sqlite_env: Env) -> None:
    env = sqlite_env
    org = await env.org("acme")
    await env.user(org, "sam@acme.example.com", Role.SUPERVISOR)
    sup = await env.token("sam@acme.example.com")
    alex_id = await env.user(org, "alex@acme.example.com", Role.AGENT)
    alex = await env.token("alex@acme.example.com")
    vm = await _store(env, org, "RE" + "3" * 32)

    page = await env.client.get("/voicemail", headers=sup)
    assert page.status_code == 200
    assert "sandbox recording (no audio) · 7 s" in page.text and CALLER in page.text
    assert f'hx-post="/voicemail/{vm}/assign"' in page.text
    row = await env.client.post(
        f"/voicemail/{vm}/assign", headers={**sup, "HX-Request": "true"}, data={"user_id": alex_id}
    )
    assert row.status_code == 200 and 'data-status="assigned"' in row.text
    mine = await env.client.get("/voicemail", headers=alex)
    assert f'id="vm-{vm}"' in mine.text and "/assign" not in mine.text
    finished = await env.client.post(f"/voicemail/{vm}/done", headers=alex, data={"notes": "ok"})
    assert finished.status_code == 200 and 'data-status="done"' in finished.text


async def _store(env: Env, org: str, sid: str) -> str:
    rec = RecordingStatusChanged(
        recording_sid=sid,
        status=RecordingStatus.COMPLETED,
        url=f"http://sandbox.invalid/2010-04-01/Accounts/AC1/Recordings/{sid}",
        duration_seconds=7,
    )
    async with env.sessions() as s:
        vm = await store_voicemail(
            s,
            org_id=org,
            call_id=None,
            queue_id=None,
            caller=CALLER,
            called=NUMBER,
            recording=rec,
            now=env.clock.now(),
        )
    assert vm is not None
    return vm.id
