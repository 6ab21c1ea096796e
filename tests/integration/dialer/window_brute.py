"""A campaign's legal window counted one stored call at a time, as the rule reads: what
the dialler's grouped and tallied counts are checked against."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from omnivox.dialer.floor import WindowAsk, WindowCounts
from omnivox.dialer.models import MACHINE_CONFIRMED, PERSON_AFTER_MACHINE
from omnivox.telephony import CallState


def brute_window(
    rows: list[Any], verdicts: dict[str, str], org: str, ask: WindowAsk, now: datetime
) -> WindowCounts:
    since = now - timedelta(hours=ask.hours)
    mine = [
        r
        for r in rows
        if r.organization_id == org
        and r.owner_kind == "campaign"
        and r.owner_id == ask.campaign_id
        and r.answered_at is not None
        and r.answered_at >= since
    ]

    def machine(r: Any) -> bool:
        return r.state == CallState.ANSWERED_MACHINE or r.end_reason == "machine"

    abandons = sum(r.state == CallState.ABANDONED for r in mine)
    live = sum(not machine(r) for r in mine)
    machines = [r for r in mine if machine(r)]
    people = sum(verdicts.get(r.id) == PERSON_AFTER_MACHINE for r in machines)
    confirmed = sum(verdicts.get(r.id) == MACHINE_CONFIRMED for r in machines)
    if ask.amd_fp_estimate is None:
        return WindowCounts(abandons=abandons, live_answers=live)
    return WindowCounts(
        abandons=abandons,
        live_answers=live,
        amd_false_positives=people + ask.amd_fp_estimate * (len(machines) - people - confirmed),
        machine_verdicts=len(machines),
        reviewed_people=people,
    )
