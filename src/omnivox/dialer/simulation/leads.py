"""Lead supply: fresh leads per time zone, retries after a delay, calling-window filter and
the UK lockout after an abandon."""

from __future__ import annotations

from collections import deque

from omnivox.dialer.simulation.scenarios import Scenario


class LeadPool:
    """Hands out (lead, attempt, tz index) to dial; a lead id encodes its time zone."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.zones = len(scenario.timezones)
        self._fresh = [0] * self.zones
        self._retries: list[deque[tuple[float, int, int]]] = [deque() for _ in range(self.zones)]
        self._rr = 0
        self.retry_delay = scenario.retry_after_h * 3600.0

    def local_hour(self, zone: int, now: float) -> float:
        return self.s.start_hour + now / 3600.0 + self.s.timezones[zone]

    def callable(self, zone: int, now: float) -> bool:
        lo, hi = self.s.calling_window
        return lo <= self.local_hour(zone, now) < hi

    def next(self, now: float) -> tuple[int, int, int] | None:
        for step in range(self.zones):
            zone = (self._rr + step) % self.zones
            if not self.callable(zone, now):
                continue
            self._rr = (zone + 1) % self.zones
            queue = self._retries[zone]
            if queue and queue[0][0] <= now:
                _, lead, attempt = queue.popleft()
                return lead, attempt, zone
            lead = self._fresh[zone] * self.zones + zone
            self._fresh[zone] += 1
            return lead, 1, zone
        return None

    def retry(self, lead: int, attempt: int, now: float) -> None:
        """Schedule the next attempt unless the lead has had its last one."""
        if attempt < self.s.max_attempts:
            self._retries[lead % self.zones].append((now + self.retry_delay, lead, attempt + 1))

    @property
    def fresh_used(self) -> int:
        return sum(self._fresh)
