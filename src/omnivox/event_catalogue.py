"""The event catalogue (``docs/events.md``), made from the event classes themselves.

``python -m omnivox.event_catalogue > docs/events.md`` rewrites it; a test fails when the
page and the classes disagree, so the catalogue that reports, flows and analytics read is
always the one the code publishes.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

from omnivox.agents import events as agents_events
from omnivox.campaigns import events as campaigns_events
from omnivox.core.events import DomainEvent, event_types
from omnivox.dialer import events as dialer_events
from omnivox.reporting import events as reporting_events
from omnivox.telephony import events as telephony_events
from omnivox.voicemail import events as voicemail_events

# Imported for their classes, which register themselves by wire name.
MODULES = (
    telephony_events,
    agents_events,
    campaigns_events,
    voicemail_events,
    dialer_events,
    reporting_events,
)
_ENVELOPE = {"audience", "at", "remote"}

HEADER = """# Event catalogue

Generated from the event classes by `python -m omnivox.event_catalogue > docs/events.md`
(a test checks that this page matches them). Every event is a frozen dataclass deriving
from `omnivox.core.events.DomainEvent`: it carries `audience` (internal, one organisation,
or one user, with the permission a receiver needs) and `at`, and its own fields below.
Domains subscribe by class (`bus.subscribe(CallStateChanged, handler)`); events from other
nodes reach only subscribers that pass `remote=True`. The WebSocket hub sends each event
a browser may see as `{"name", "at", "data"}`, `data` being the fields below as JSON
(enums as their values; a field named `from_` is sent as `from`).
"""


def _type_name(tp: object) -> str:
    text = getattr(tp, "__name__", None) if isinstance(tp, type) else None
    text = text or str(tp).replace("typing.", "")
    for mod in (
        "omnivox.telephony.events.",
        "omnivox.telephony.fsm_types.",
        "omnivox.agents.fsm.",
        "omnivox.voicemail.events.",
        "datetime.",
    ):
        text = text.replace(mod, "")
    return text.replace("NoneType", "None")


def _fields(cls: type[DomainEvent]) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(cls, include_extras=False)
    return [
        (f.name, _type_name(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.name not in _ENVELOPE
    ]


def render() -> str:
    lines = [HEADER]
    by_domain: dict[str, list[type[DomainEvent]]] = {}
    for cls in event_types().values():
        if not cls.__module__.startswith("omnivox."):
            continue  # a test's own event
        domain = cls.__module__.split(".")[1]
        by_domain.setdefault(domain, []).append(cls)
    for domain in sorted(by_domain):
        lines.append(f"\n## {domain}\n")
        for cls in by_domain[domain]:
            doc = inspect.cleandoc(cls.__doc__ or "") if cls.__doc__ else ""
            if doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature
                doc = ""
            lines.append(f"\n### `{cls.NAME}` — `{cls.__name__}`\n")
            if doc:
                lines.append(f"\n{' '.join(doc.split())}\n")
            bases = [b.__name__ for b in cls.__mro__[1:] if b not in (DomainEvent, object)]
            if bases:
                lines.append(f"\nA `{bases[0]}`.\n")
            lines.append("\n| field | type |\n| --- | --- |\n")
            for name, tp in _fields(cls):
                lines.append(f"| `{name}` | `{tp.replace('|', chr(92) + '|')}` |\n")
    return "".join(lines)


if __name__ == "__main__":
    print(render(), end="")
