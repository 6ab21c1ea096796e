"""The transition table in docs/telephony.md is the one the code runs."""

from __future__ import annotations

from omnivox.telephony.fsm_doc import DOC, documented_table, render_table


def test_documented_transition_table_matches_the_code() -> None:
    assert documented_table(DOC.read_text()) == render_table(), (
        "run: python -m omnivox.telephony.fsm_doc --write"
    )
