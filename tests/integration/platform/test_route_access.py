"""Walks every route: each declares its access, and rejects the unauthenticated, the wrong
role and the wrong tenant."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import RouteContext
from tests.support import Env

from omnivox.accounts import api_tokens, auth, organizations, teams, users
from omnivox.accounts.schemas import ApiTokenCreate, HolidayCreate, SkillCreate, TeamCreate
from omnivox.core.security.permissions import ROLE_PERMISSIONS, Permission, Role
from omnivox.core.security.principal import Principal
from omnivox.http import declared_access, iter_api_routes
from omnivox.reporting.schedules import ScheduleWrite, create_schedule

PUBLIC_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/login/totp"),
    ("POST", "/login/totp"),
}
# Routes open to the world but authenticated otherwise: the sandbox carrier's Twilio-style
# REST API (the account's basic auth), the telephony webhooks (provider signatures) and the
# audio the provider plays (links signed with the secret key, expiring).
SELF_AUTHENTICATED_PREFIXES = ("/sandbox/2010-04-01/", "/hooks/telephony/", "/media/audio/")
# The sandbox carrier is one simulated network for the installation, not tenant data.
NOT_TENANT_DATA_PREFIXES = ("/sandbox/control/",)
# Platform-scoped routes: they reach every organisation by design (platform admins only).
PLATFORM_SCOPED = {
    "/api/v1/organizations/{organization_id}",
    "/platform/organizations/{organization_id}/toggle",
}
_SCHEDULE = {
    "name": "Mine",
    "metrics": ["calls_offered"],
    "range": "yesterday",
    "frequency": "daily",
    "at": "07:00",
    "timezone": "UTC",
    "emails": ["me@mine.example.com"],
}
# A valid body per route, so the wrong-tenant probe reaches the tenant check, not validation.
JSON_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/users/{user_id}/skills": {"skills": []},
    "/api/v1/teams/{team_id}/members": {"user_ids": []},
    "/api/v1/agents/{user_id}/state": {"state": "available"},
    "/api/v1/calls/{call_id}/transfer": {"kind": "external", "target": "+14155550123"},
    "/api/v1/calls/{call_id}/conference": {"number": "+14155550123"},
    "/api/v1/calls/{call_id}/disposition": {"code": "SALE", "amount": "100"},
    "/api/v1/calls/{call_id}/amd-review": {"verdict": "machine_passed"},
    "/api/v1/calls/{call_id}/callback": {"due_local": "2030-01-01T10:00"},
    "/api/v1/queues/{queue_id}": {"name": "Mine"},
    "/api/v1/queues/{queue_id}/members": {"members": []},
    "/api/v1/lists/{list_id}/contacts": {"phone": "+14155550123"},
    "/api/v1/audio/{file_id}": {"name": "Mine now"},
    "/api/v1/voicemails/{voicemail_id}/assign": {"user_id": None},
    "/api/v1/voicemails/{voicemail_id}/done": {"notes": ""},
    "/api/v1/reports/saved/{report_id}": {"name": "x", "definition": {"metrics": ["calls"]}},
    "/api/v1/dashboards/{dashboard_id}": {"name": "x"},
    "/api/v1/reports/schedules/{schedule_id}": _SCHEDULE,
}
FORM_BODIES: dict[str, dict[str, str]] = {
    "/admin/users/{user_id}": {"name": "x", "role": "agent"},
    "/admin/teams/{team_id}": {"name": "x"},
    "/admin/skills/{skill_id}": {"name": "x"},
    "/admin/dispositions/{disposition_id}": {"label": "x", "category": "contact"},
    "/admin/audio/{file_id}/rename": {"name": "x"},
    "/admin/queues/{queue_id}": {"name": "x"},
    "/admin/queues/{queue_id}/members": {"user_id": "x", "priority": "0"},
    "/voicemail/{voicemail_id}/assign": {"user_id": ""},
    "/campaigns/{campaign_id}/amd-review/{call_id}": {"verdict": "machine_confirmed"},
    "/reports/saved/{report_id}": {"name": "x", "metrics": "calls"},
    "/dashboards/{dashboard_id}/settings": {"name": "x"},
    "/dashboards/{dashboard_id}/widgets": {"kind": "table", "report_id": "x"},
    "/dashboards/{dashboard_id}/arrange": {"position": "1", "action": "up"},
}


def app_routes(app: FastAPI) -> list[tuple[str, str, RouteContext]]:
    routes = list(iter_api_routes(app))
    assert len(routes) > 60, "the route walker found too few routes"
    return routes


def _is_api(path: str) -> bool:
    """JSON routes answer 401; pages redirect to the sign-in page."""
    return path.startswith(("/api/", "/sandbox/"))


async def _send(
    env: Env, method: str, template: str, ids: dict[str, str], headers: dict[str, str] | None = None
) -> Any:
    """Request ``template`` with its path parameters filled and a valid body for it."""
    path, headers = _fill(template, ids), headers or {}
    if _is_api(path):
        body = JSON_BODIES.get(template, {}) if method != "GET" else None
        return await env.client.request(method, path, headers=headers, json=body)
    form = FORM_BODIES.get(template) if method != "GET" else None
    return await env.client.request(method, path, headers=headers, data=form)


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "0" * 32), path)


def test_every_route_declares_access(sqlite_env: Env) -> None:
    app: FastAPI = sqlite_env.app  # type: ignore[assignment]
    missing = [f"{m} {p}" for m, p, r in app_routes(app) if declared_access(r) is None]
    assert not missing, f"routes without exactly one Requires()/public: {missing}"
    public = {
        (m, p)
        for m, p, r in app_routes(app)
        if declared_access(r) == "public" and not p.startswith(SELF_AUTHENTICATED_PREFIXES)
    }
    assert public == PUBLIC_ROUTES


async def test_unauthenticated_is_refused_everywhere(sqlite_env: Env) -> None:
    app: FastAPI = sqlite_env.app  # type: ignore[assignment]
    for method, path, route in app_routes(app):
        if declared_access(route) == "public":
            continue
        resp = await _send(sqlite_env, method, path, {})
        if _is_api(path):
            assert resp.status_code == 401, f"{method} {path} -> {resp.status_code}"
            assert resp.json()["code"] == "not-authenticated"
        else:
            assert resp.status_code == 303, f"{method} {path} -> {resp.status_code}"
            assert resp.headers["location"].startswith("/login?next=")


async def test_wrong_role_is_refused_everywhere(sqlite_env: Env) -> None:
    app: FastAPI = sqlite_env.app  # type: ignore[assignment]
    org = await sqlite_env.org("acme")
    headers: dict[Role, dict[str, str]] = {}
    for role in Role:
        await sqlite_env.user(org, f"{role.value}@acme.example.com", role)
        headers[role] = await sqlite_env.token(f"{role.value}@acme.example.com", whole_role=True)
    checked = 0
    for method, path, route in app_routes(app):
        needed = declared_access(route)
        if needed == "public":
            continue
        assert isinstance(needed, Permission)
        for role in Role:
            if needed in ROLE_PERMISSIONS[role]:
                continue
            resp = await _send(sqlite_env, method, path, {}, headers[role])
            assert resp.status_code == 403, f"{role} {method} {path} -> {resp.status_code}"
            checked += 1
    assert checked > 50


Factory = Callable[[Env, str], Awaitable[str]]


async def _other_user(env: Env, org: str) -> str:
    return await env.user(org, "victim@other.example.com", Role.AGENT)


async def _other_team(env: Env, org: str) -> str:
    async with env.sessions() as s:
        return (await teams.create_team(s, Principal.system(org), TeamCreate(name="Theirs"))).id


async def _other_skill(env: Env, org: str) -> str:
    async with env.sessions() as s:
        return (await teams.create_skill(s, Principal.system(org), SkillCreate(name="Theirs"))).id


async def _other_disposition(env: Env, org: str) -> str:
    from omnivox.accounts.dispositions import list_dispositions

    async with env.sessions() as s:
        return next(d.id for d in await list_dispositions(s, org) if d.category != "system")


async def _other_holiday(env: Env, org: str) -> str:
    import datetime as dt

    async with env.sessions() as s:
        h = await organizations.add_holiday(
            s,
            Principal.system(org),
            HolidayCreate(
                name="Theirs", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 1, 1)
            ),
        )
        return h.id


async def _other_token(env: Env, org: str) -> str:
    async with env.sessions() as s:
        user = await users.find_user_by_email(s, "victim@other.example.com")
        assert user is not None
        token, _ = await api_tokens.create_api_token(
            s, auth.principal_of(user, "system"), ApiTokenCreate(name="theirs"), env.clock.now()
        )
        return token.id


async def _other_call(env: Env, org: str, conference: str = "ovx-theirs") -> str:
    from omnivox.telephony.models import Call

    async with env.sessions() as s:
        call = Call(
            organization_id=org,
            direction="outbound",
            owner_kind="agent",
            owner_id="someone",
            state="connected",
            provider="twilio",
            from_number="+14155550100",
            to_number="+14155550101",
            conference_name=conference,
        )
        s.add(call)
        await s.commit()
        return call.id


async def _other_leg(env: Env, org: str) -> str:
    from omnivox.telephony.models import CallLeg

    call_id = await _other_call(env, org, "ovx-theirs-with-a-third-party")
    async with env.sessions() as s:
        leg = CallLeg(
            call_id=call_id,
            organization_id=org,
            role="third_party",
            target="+14155550102",
            status="joined",
        )
        s.add(leg)
        await s.commit()
        return leg.id


async def _other_break_reason(env: Env, org: str) -> str:
    from omnivox.agents.break_reasons import list_break_reasons

    async with env.sessions() as s:
        return next(r.id for r in await list_break_reasons(s, org) if not r.is_system)


async def _other_campaign_objects(env: Env, org: str) -> dict[str, str]:
    """A campaign with a list, a contact, an import, a DNC entry and a callback, all theirs."""
    import datetime as dt

    from omnivox.campaigns import callbacks, dnc, lists
    from omnivox.campaigns import campaigns as campaign_service
    from omnivox.campaigns.models import ContactImport
    from omnivox.campaigns.schemas import (
        CallbackCreate,
        CampaignCreate,
        ContactCreate,
        DncCreate,
        ListCreate,
    )

    actor, now = Principal.system(org), env.clock.now()
    async with env.sessions() as s:
        the_list = await lists.create_list(s, actor, ListCreate(name="Theirs"))
        campaign = await campaign_service.create_campaign(
            s, actor, CampaignCreate(name="Theirs", list_ids=[the_list.id])
        )
        contact = await lists.add_contact(
            s, actor, the_list.id, ContactCreate(phone="+14155550123", timezone="UTC"), now
        )
        entry = await dnc.add_number(s, actor, DncCreate(phone="+14155550124"), now)
        due = (now + dt.timedelta(days=1)).replace(tzinfo=None)
        callback = await callbacks.schedule_callback(
            s,
            actor,
            CallbackCreate(
                contact_id=contact.id, campaign_id=campaign.id, due_local=due, timezone="UTC"
            ),
            now,
        )
        imported = ContactImport(
            organization_id=org,
            list_id=the_list.id,
            filename="x.csv",
            status="done",
            created_by="system",
            created_at=now,
        )
        s.add(imported)
        await s.commit()
        return {
            "campaign_id": campaign.id,
            "list_id": the_list.id,
            "contact_id": contact.id,
            "dnc_id": entry.id,
            "callback_id": callback.id,
            "import_id": imported.id,
        }


_CAMPAIGN_OBJECTS: dict[str, dict[str, str]] = {}


def _campaign_object(name: str) -> Factory:
    async def factory(env: Env, org: str) -> str:
        if org not in _CAMPAIGN_OBJECTS:
            _CAMPAIGN_OBJECTS.clear()
            _CAMPAIGN_OBJECTS[org] = await _other_campaign_objects(env, org)
        return _CAMPAIGN_OBJECTS[org][name]

    return factory


async def _other_queue(env: Env, org: str) -> str:
    from omnivox.routing.models import Queue

    async with env.sessions() as s:
        queue = Queue(organization_id=org, name="Theirs")
        s.add(queue)
        await s.commit()
        return queue.id


async def _other_number(env: Env, org: str) -> str:
    from omnivox.routing.models import InboundNumber

    async with env.sessions() as s:
        number = InboundNumber(
            organization_id=org, number="+15005550123", target_kind="queue", target_id="x"
        )
        s.add(number)
        await s.commit()
        return number.id


async def _other_audio_file(env: Env, org: str) -> str:
    from omnivox.media.models import AudioFile

    async with env.sessions() as s:
        row = AudioFile(
            organization_id=org,
            name="Theirs",
            kind="greeting",
            format="wav",
            content_type="audio/wav",
            duration_seconds=1.0,
            sample_rate=8000,
            channels=1,
            size_bytes=16044,
            sha256="0" * 64,
            stored_path=f"audio/{org}/theirs.wav",
        )
        s.add(row)
        await s.commit()
        return row.id


async def _other_voicemail(env: Env, org: str) -> str:
    from omnivox.voicemail.models import Voicemail

    async with env.sessions() as s:
        row = Voicemail(
            organization_id=org,
            caller_number="+14155550100",
            called_number="+15005550006",
            recording_sid="RE" + "7" * 32,
            duration_seconds=5,
        )
        s.add(row)
        await s.commit()
        return row.id


async def _other_saved_report(env: Env, org: str) -> str:
    from omnivox.reporting.saved_models import SavedReport

    owner = await env.user(org, f"owner-{org[:8]}@other.example.com", Role.ORG_ADMIN)
    async with env.sessions() as s:
        row = SavedReport(
            organization_id=org,
            owner_id=owner,
            name="Theirs",
            definition={"metrics": ["calls"], "range": "today"},
            shared_roles=[r.value for r in Role],
        )
        s.add(row)
        await s.commit()
        return row.id


async def _other_recording(env: Env, org: str) -> str:
    from omnivox.telephony.models import Recording

    call_id = await _other_call(env, org, "ovx-theirs-recorded")
    async with env.sessions() as s:
        row = Recording(
            call_id=call_id,
            organization_id=org,
            provider_sid="RE" + "8" * 32,
            status="completed",
            url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE8",
        )
        s.add(row)
        await s.commit()
        return row.id


async def _other_dashboard(env: Env, org: str) -> str:
    from omnivox.reporting.saved_models import Dashboard

    owner = await env.user(org, f"boards-{org[:8]}@other.example.com", Role.ORG_ADMIN)
    async with env.sessions() as s:
        row = Dashboard(
            organization_id=org,
            owner_id=owner,
            name="Theirs",
            widgets=[],
            shared_roles=[r.value for r in Role],
        )
        s.add(row)
        await s.commit()
        return row.id


async def _other_schedule(env: Env, org: str) -> str:
    owner = await env.user(org, "scheduler@other.example.com", Role.ORG_ADMIN)
    actor = Principal(owner, org, "scheduler@other.example.com", "s", Role.ORG_ADMIN, "system")
    async with env.sessions() as s:
        data = ScheduleWrite.model_validate(_SCHEDULE)
        created = await create_schedule(s, actor, data, env.settings, env.clock.now())
        return created.id


# Path parameters that choose what to list, not whose object: no wrong tenant to probe.
NOT_OBJECT_PARAMS = {"kind"}

FACTORIES: dict[str, Factory] = {
    "report_id": _other_saved_report,
    "dashboard_id": _other_dashboard,
    "schedule_id": _other_schedule,
    "recording_id": _other_recording,
    "file_id": _other_audio_file,
    "voicemail_id": _other_voicemail,
    "queue_id": _other_queue,
    "number_id": _other_number,
    **{
        name: _campaign_object(name)
        for name in ("campaign_id", "list_id", "contact_id", "dnc_id", "callback_id", "import_id")
    },
    "break_reason_id": _other_break_reason,
    "call_id": _other_call,
    "leg_id": _other_leg,
    "user_id": _other_user,
    "team_id": _other_team,
    "skill_id": _other_skill,
    "disposition_id": _other_disposition,
    "holiday_id": _other_holiday,
    "token_id": _other_token,
}


async def test_other_tenants_objects_answer_404(sqlite_env: Env) -> None:
    app: FastAPI = sqlite_env.app  # type: ignore[assignment]
    mine, theirs = await sqlite_env.org("mine"), await sqlite_env.org("theirs")
    await sqlite_env.user(mine, "boss@mine.example.com", Role.ORG_ADMIN)
    headers = await sqlite_env.token("boss@mine.example.com", whole_role=True)
    ids = {"user_id": await _other_user(sqlite_env, theirs)}
    for name, factory in FACTORIES.items():
        if name not in ids:
            ids[name] = await factory(sqlite_env, theirs)
    probed = 0
    for method, path, _route in app_routes(app):
        params = [p for p in re.findall(r"\{(\w+)\}", path) if p not in NOT_OBJECT_PARAMS]
        if (
            not params
            or path in PLATFORM_SCOPED
            or declared_access(_route) == "public"
            or path.startswith(NOT_TENANT_DATA_PREFIXES)
        ):
            continue
        unknown = [p for p in params if p not in FACTORIES]
        assert not unknown, f"{path}: add a wrong-tenant factory for {unknown}"
        resp = await _send(sqlite_env, method, path, ids, headers)
        assert resp.status_code == 404, f"{method} {path} -> {resp.status_code} {resp.text[:200]}"
        probed += 1
    assert probed >= 20


@pytest.mark.parametrize("path", sorted(PLATFORM_SCOPED))
async def test_platform_routes_refuse_org_admins(sqlite_env: Env, path: str) -> None:
    org = await sqlite_env.org("acme")
    await sqlite_env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    headers = await sqlite_env.token("boss@acme.example.com", whole_role=True)
    method = "GET" if _is_api(path) else "POST"
    resp = await _send(sqlite_env, method, path, {"organization_id": org}, headers)
    assert resp.status_code == 403


# Permissions whose routes act on one agent or one call of the organisation: a supervisor
# bounded by their teams (accounts/reach.py) must be refused them for anyone else's.
TEAM_BOUNDED = {
    Permission.AGENTS_SUPERVISE,
    Permission.CALLS_READ,
    Permission.CALLS_SUPERVISE,
    Permission.CALLS_CONTROL,  # a supervisor controls anyone's call only within reach
}


async def test_a_team_bounded_supervisor_is_refused_other_teams_everywhere(
    sqlite_env: Env,
) -> None:
    """Every route that names an agent (``{user_id}`` under /agents) or a call and needs a
    supervisor's permission refuses a supervisor bounded by their teams for an agent
    outside them, and lists show only their teams' agents and calls."""
    from omnivox.accounts.models import Organization
    from omnivox.telephony.models import Call

    env = sqlite_env
    app: FastAPI = env.app  # type: ignore[assignment]
    org = await env.org("acme")
    sam = await env.user(org, "sam@acme.example.com", Role.SUPERVISOR)
    alex = await env.user(org, "alex@acme.example.com", Role.AGENT)
    bea = await env.user(org, "bea@acme.example.com", Role.AGENT)
    async with env.sessions() as s:
        actor = Principal("", org, "system", "System", Role.ORG_ADMIN, "system")
        team = await teams.create_team(s, actor, TeamCreate(name="North"))
        row = await s.get(Organization, org)
        assert row is not None
        row.supervisor_scope = "teams"
        await s.commit()
    boss = await env.user(org, "boss@acme.example.com", Role.ORG_ADMIN)
    admin = await env.token("boss@acme.example.com", whole_role=True)
    members = await env.client.put(
        f"/api/v1/teams/{team.id}/members", headers=admin, json={"user_ids": [sam, alex]}
    )
    assert members.status_code == 200, members.text
    calls: dict[str, str] = {}
    async with env.sessions() as s:
        for who, agent in (("alex", alex), ("bea", bea)):
            call = Call(
                organization_id=org,
                direction="outbound",
                owner_kind="agent",
                owner_id=agent,
                state="connected",
                provider="twilio",
                from_number="+14155550100",
                to_number="+14155550101",
                agent_id=agent,
                conference_name=f"ovx-{who}",
            )
            s.add(call)
            await s.commit()
            calls[who] = call.id
        from omnivox.telephony.models import CallLeg

        leg = CallLeg(
            call_id=calls["bea"],
            organization_id=org,
            role="third_party",
            target="+14155550102",
            status="joined",
        )
        s.add(leg)
        await s.commit()
        bea_leg = leg.id
    headers = await env.token("sam@acme.example.com", whole_role=True)

    listed = await env.client.get("/api/v1/agents", headers=headers)
    assert {a["user_id"] for a in listed.json()} <= {sam, alex}, listed.json()
    shown = await env.client.get("/api/v1/calls", headers=headers)
    assert [c["id"] for c in shown.json()] == [calls["alex"]]

    probed, seen = 0, []
    for method, path, route in app_routes(app):
        needed = declared_access(route)
        if needed not in TEAM_BOUNDED:
            continue
        params = re.findall(r"\{(\w+)\}", path)
        if not params or not set(params) <= {"user_id", "call_id", "leg_id"}:
            continue
        if not path.startswith("/api/v1/"):
            continue
        if "user_id" in params and not path.startswith("/api/v1/agents/"):
            continue
        outside = {"user_id": bea, "call_id": calls["bea"], "leg_id": bea_leg}
        resp = await _send(env, method, path, outside, headers)
        assert resp.status_code in (403, 404), f"{method} {path} -> {resp.status_code}"
        assert "teams" in resp.json()["detail"], f"{method} {path}: {resp.text[:200]}"
        probed += 1
        seen.append(f"{method} {path}")
    assert probed >= 20, seen
    # Their own team's agent and call are theirs to act on.
    mine = await env.client.get(f"/api/v1/agents/{alex}", headers=headers)
    assert mine.status_code == 200
    theirs = await env.client.get(f"/api/v1/calls/{calls['alex']}", headers=headers)
    assert theirs.status_code == 200
    # An administrator is never bounded.
    everyone = await env.client.get("/api/v1/calls", headers=admin)
    assert {c["id"] for c in everyone.json()} == set(calls.values())
    assert boss
