"""A number filter by friendly name when two of the organisation's numbers share it
(friendly names are free text, not unique): refused, saying so, rather than the figures
of whichever number happened to be read last. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from tests.integration.reporting.test_team_number import MAIN, SECOND, build_floor
from tests.support import Env

from omnivox.core.errors import InvalidInput
from omnivox.reporting import ReportRequest, run_report
from omnivox.routing import InboundNumber

D = date(2026, 3, 10)


async def test_a_friendly_name_two_numbers_share_is_refused_as_a_filter(env: Env) -> None:
    floor = await build_floor(env)
    async with env.sessions() as s:
        await s.execute(
            update(InboundNumber)
            .where(InboundNumber.number == SECOND)
            .values(friendly_name="Main line")
        )
        await s.commit()
    ask = ReportRequest(("calls",), D, D, (), {"number": "Main line"})
    async with env.sessions() as s:
        with pytest.raises(InvalidInput) as refused:
            await run_report(s, floor.org_id, ask, env.settings)
    assert "more than one number" in refused.value.detail
    # Each by the number itself: Main line's three calls, the second line's one.
    for number, calls in ((MAIN, 3), (SECOND, 1)):
        ask = ReportRequest(("calls",), D, D, (), {"number": number})
        async with env.sessions() as s:
            assert (await run_report(s, floor.org_id, ask, env.settings)).rows == [{"calls": calls}]
