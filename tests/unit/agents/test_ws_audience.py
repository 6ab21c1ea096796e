"""Who may see which event on the WebSocket hub: a table of cases."""

from __future__ import annotations

import pytest

from omnivox.core.events import Audience
from omnivox.core.security.permissions import Role
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
