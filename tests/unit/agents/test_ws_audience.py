"""Who may see which event on the WebSocket hub: a table of cases."""

from __future__ import annotations

import pytest

from omnivox.core.events import Audience
from omnivox.core.security.permissions import Permission, Role
from omnivox.core.security.principal import Principal
from omnivox.web.ws import may_receive


def who(role: Role, user: str = "u1", org: str = "o1") -> Principal:
    return Principal(user, org, f"{user}@x.example.com", user, role, "session")


SUP = "agents:supervise"


@pytest.mark.parametrize(
    ("principal", "audience", "allowed"),
    [
        (who(Role.AGENT), Audience.internal(), False),
        (who(Role.PLATFORM_ADMIN), Audience.internal(), False),
        (who(Role.AGENT), Audience.organization("o1"), True),
        (who(Role.AGENT), Audience.organization("o2"), False),
        (who(Role.PLATFORM_ADMIN), Audience.organization("o2"), False),  # tenants stay apart
        (who(Role.AGENT), Audience.organization("o1", SUP), False),
        (who(Role.SUPERVISOR), Audience.organization("o1", SUP), True),
        (who(Role.REPORTING), Audience.organization("o1", "calls:read"), True),
        (who(Role.AGENT), Audience.organization("o1", "calls:read"), False),
        (who(Role.AGENT), Audience.user("o1", "u1"), True),
        (who(Role.AGENT, "u2"), Audience.user("o1", "u1"), False),
        (who(Role.SUPERVISOR, "u2"), Audience.user("o1", "u1"), False),  # no permission named
        (who(Role.SUPERVISOR, "u2"), Audience.user("o1", "u1", SUP), True),
        (who(Role.SUPERVISOR, "u2", "o2"), Audience.user("o1", "u1", SUP), False),
        (who(Role.AGENT, "u1", "o2"), Audience.user("o1", "u1"), False),
        (who(Role.AGENT), Audience.organization(""), False),
    ],
)
def test_may_receive(principal: Principal, audience: Audience, allowed: bool) -> None:
    assert may_receive(principal, audience) is allowed


def test_a_team_bounded_supervisor_hears_only_their_agents() -> None:
    """accounts/reach.py on the event stream: agent and call events about agents outside
    the supervisor's teams are not sent; events about no one agent are."""
    from dataclasses import dataclass
    from datetime import UTC, datetime

    from omnivox.core.events import DomainEvent
    from omnivox.web.ws import in_reach

    @dataclass(frozen=True, kw_only=True)
    class AboutAgent(DomainEvent):
        NAME = "test.about_agent"
        user_id: str

    @dataclass(frozen=True)
    class Summary:
        agent_id: str | None

    @dataclass(frozen=True, kw_only=True)
    class AboutCall(DomainEvent):
        NAME = "test.about_call"
        call: Summary

    @dataclass(frozen=True, kw_only=True)
    class AboutCampaign(DomainEvent):
        NAME = "test.about_campaign"
        campaign_id: str

    now, org = datetime(2026, 1, 1, tzinfo=UTC), Audience.organization("o1")
    mine, theirs = frozenset({"alex", "sam"}), "bea"
    assert in_reach(mine, AboutAgent(audience=org, at=now, user_id="alex"))
    assert not in_reach(mine, AboutAgent(audience=org, at=now, user_id=theirs))
    assert in_reach(mine, AboutCall(audience=org, at=now, call=Summary("alex")))
    assert not in_reach(mine, AboutCall(audience=org, at=now, call=Summary(theirs)))
    assert not in_reach(mine, AboutCall(audience=org, at=now, call=Summary(None)))
    assert in_reach(mine, AboutCampaign(audience=org, at=now, campaign_id="c1"))
    assert in_reach(None, AboutCall(audience=org, at=now, call=Summary(theirs)))  # unbounded


async def test_a_bounded_supervisor_gets_the_wallboard_of_their_teams() -> None:
    """The wallboard snapshot names every agent: a bounded supervisor's connection gets it
    narrowed to their agents, an unbounded one the whole of it, from one dispatch."""
    import json
    from datetime import UTC, datetime

    from omnivox.reporting.events import WallboardUpdated
    from omnivox.web.ws import EventHub, _Connection

    class Bus:
        def subscribe(self, *_args: object, **_kwargs: object) -> None:
            pass

    hub = EventHub(Bus())  # type: ignore[arg-type]
    bounded = _Connection(None, who(Role.SUPERVISOR, "sam"), 8)  # type: ignore[arg-type]
    bounded.reach = frozenset({"alex"})
    whole = _Connection(None, who(Role.ORG_ADMIN, "ada"), 8)  # type: ignore[arg-type]
    hub.connections |= {bounded, whole}
    people = [
        {"user_id": "alex", "name": "Alex", "state": "available"},
        {"user_id": "bob", "name": "Bob", "state": "on_call"},
    ]
    snapshot = {
        "queues": [{"id": "q1", "waiting": 2}],
        "agents": {"by_state": {"available": 1, "on_call": 1}, "occupancy": 55.0, "people": people},
    }
    event = WallboardUpdated(
        audience=Audience.organization("o1", Permission.WALLBOARD_VIEW),
        at=datetime(2026, 3, 10, tzinfo=UTC),
        snapshot=snapshot,
    )
    await hub.dispatch(event)
    narrowed = json.loads(bounded.queue.get_nowait())["data"]["snapshot"]
    assert [p["user_id"] for p in narrowed["agents"]["people"]] == ["alex"]
    assert narrowed["agents"]["by_state"] == {"available": 1}
    assert narrowed["agents"]["occupancy"] is None  # a floor-wide figure: not theirs
    assert narrowed["queues"] == snapshot["queues"] and narrowed["bounded_to_teams"] is True
    full = json.loads(whole.queue.get_nowait())["data"]["snapshot"]
    assert [p["user_id"] for p in full["agents"]["people"]] == ["alex", "bob"]
