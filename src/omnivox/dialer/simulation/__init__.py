"""Discrete-event dialler simulator and the pacing benchmark (see docs/pacing.md)."""

from omnivox.dialer.simulation.engine import Simulator
from omnivox.dialer.simulation.metrics import RunMetrics, Summary, summarise
from omnivox.dialer.simulation.scenarios import SCENARIOS, Rule, Scenario

__all__ = ["SCENARIOS", "Rule", "RunMetrics", "Scenario", "Simulator", "Summary", "summarise"]
