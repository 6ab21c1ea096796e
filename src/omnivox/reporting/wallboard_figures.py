"""The wallboard's figures for today, read through the report engine (``run_report``):
which ones they are is shared by the snapshot that computes them and the narrowing that
withholds them from a supervisor bounded to teams."""

from __future__ import annotations

#: Metrics of the queue tiles, read for today through the report engine.
QUEUE_TODAY = (
    "calls_offered",
    "calls_handled",
    "calls_abandoned",
    "abandon_rate",
    "service_level_offered",
    "asa",
)
CAMPAIGN_TODAY = ("outbound_dials", "live_answers", "outbound_connects", "conversions")
#: The floor's own figure (agents are not a campaign's: it is not split by campaign).
FLOOR_TODAY = ("talk_minutes_per_agent_hour", "occupancy")
