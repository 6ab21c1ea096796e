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
