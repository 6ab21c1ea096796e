"""docs/events.md is the catalogue other domains build on: it must match the classes."""

from __future__ import annotations

from pathlib import Path

from omnivox.core.events import Audience, DomainEvent, event_from_json, event_types
from omnivox.event_catalogue import render

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"


def test_the_catalogue_page_matches_the_event_classes() -> None:
    assert DOC.read_text() == render(), (
        "docs/events.md is stale: python -m omnivox.event_catalogue > docs/events.md"
    )


def test_every_event_has_a_unique_past_tense_wire_name() -> None:
    names = [n for n, cls in event_types().items() if cls.__module__.startswith("omnivox.")]
    assert len(names) >= 15
    assert all("." in n and n == n.lower() for n in names)


def test_an_event_survives_the_wire(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from omnivox.telephony.events import CallStateChanged, CallSummary, OwnerRef
    from omnivox.telephony.fsm_types import CallState, Direction, OwnerKind, Trigger

    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    call = CallSummary(
        id="c1",
        organization_id="o1",
        state=CallState.CONNECTED,
        direction=Direction.INBOUND,
        owner=OwnerRef(kind=OwnerKind.QUEUE, id="q1"),
        agent_id="a1",
        from_="+14155550100",
        to="+14155550101",
        end_reason=None,
        disposition=None,
        notes=None,
        flagged=False,
        created_at=at,
        answered_at=at,
        ended_at=None,
    )
    sent = CallStateChanged(
        audience=Audience.user("o1", "a1", "calls:read"),
        at=at,
        call=call,
        previous=CallState.ANSWERED_HUMAN,
        trigger=Trigger.AGENT_CONNECTED,
    )
    assert sent.data["call"]["from"] == "+14155550100" and sent.data["previous"] == "answered_human"
    back = event_from_json(sent.name, sent.audience, sent.at, sent.data)
    assert isinstance(back, CallStateChanged) and back == sent and back.remote
    assert isinstance(back.call.state, CallState) and back.current is CallState.CONNECTED
    assert isinstance(sent, DomainEvent)
