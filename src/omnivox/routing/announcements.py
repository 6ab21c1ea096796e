"""What a waiting caller is told: their place in line, the estimated wait, the callback offer.

Pure wording, so it reads the same in every test and on every node. The estimate is left
out, not invented, when the queue has not yet seen enough real waits to make one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from omnivox.routing.estimator import WaitEstimator

CALLBACK_KEY = "1"
RECENT_WAITS = 50  # real waits the estimate learns from (newest last)


@dataclass(frozen=True, slots=True)
class PlaceInLine:
    position: int  # 1 = next
    estimate_seconds: float | None


def estimate(position: int, recent_waits: Iterable[tuple[float, int]]) -> PlaceInLine:
    """``recent_waits``: (seconds waited, position at arrival) of answered calls, oldest
    first."""
    estimator = WaitEstimator()
    for waited, arrived_at in recent_waits:
        estimator.record(waited, max(arrived_at, 1))
    return PlaceInLine(position, estimator.estimate(position))


def spoken_wait(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute"
    minutes = math.ceil(seconds / 60)
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"


def position_announcement(place: PlaceInLine) -> str:
    ordinal = "next" if place.position == 1 else f"number {place.position}"
    text = f"You are {ordinal} in line."
    if place.estimate_seconds is not None:
        text += f" Your estimated wait is {spoken_wait(place.estimate_seconds)}."
    return text


def callback_offer() -> str:
    return (
        f"To hang up and keep your place, press {CALLBACK_KEY}: an agent will call you back "
        "on this number when it is your turn. Otherwise, please stay on the line."
    )


def callback_confirmation(number: str) -> str:
    return (
        f"Thank you. We will call you back on {spoken_digits(number)} when it is your turn. "
        "You can hang up now. Goodbye."
    )


def spoken_digits(number: str) -> str:
    """``+15551234567`` -> ``1 5 5 5 1 2 3 4 5 6 7``: read digit by digit, not as a sum."""
    return " ".join(ch for ch in number if ch.isdigit())


def music_loops(every_seconds: int, track_seconds: float | None) -> int:
    """How often to loop a hold-music track between two announcements (at least once)."""
    if not track_seconds or track_seconds <= 0:
        return 1
    return max(1, round(every_seconds / track_seconds))
