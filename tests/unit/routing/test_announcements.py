"""What a waiting caller is told, worded the same everywhere."""

from __future__ import annotations

import pytest

from omnivox.routing import announcements as say
from omnivox.routing.waiting import callback_number


def test_no_estimate_until_real_waits_teach_one() -> None:
    place = say.estimate(3, [(60.0, 1), (60.0, 1)])  # two samples: not enough
    assert place == say.PlaceInLine(3, None)
    assert say.position_announcement(place) == "You are number 3 in line."


def test_estimate_is_per_place_time_times_position() -> None:
    place = say.estimate(2, [(120.0, 2), (60.0, 1), (180.0, 3)])  # 60 s a place
    assert place.estimate_seconds == pytest.approx(120.0)
    assert say.position_announcement(place) == (
        "You are number 2 in line. Your estimated wait is about 2 minutes."
    )


def test_next_in_line_and_short_waits() -> None:
    place = say.PlaceInLine(1, 20.0)
    assert say.position_announcement(place) == (
        "You are next in line. Your estimated wait is less than a minute."
    )
    assert say.spoken_wait(61) == "about 2 minutes"
    assert say.spoken_wait(60) == "about 1 minute"


def test_music_fills_the_interval_between_announcements() -> None:
    assert say.music_loops(60, 30.0) == 2
    assert say.music_loops(60, 200.0) == 1  # a long track still plays once
    assert say.music_loops(60, None) == 1


def test_numbers_are_read_digit_by_digit() -> None:
    assert say.spoken_digits("+14155550123") == "1 4 1 5 5 5 5 0 1 2 3"
    assert "1 4 1 5" in say.callback_confirmation("+14155550123")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+14155550123", "+14155550123"),
        ("anonymous", None),
        ("client:agent-1", None),
        ("+266696687", None),  # Twilio's "anonymous" caller ID
        ("", None),
    ],
)
def test_only_real_numbers_can_be_called_back(raw: str, expected: str | None) -> None:
    assert callback_number(raw) == expected
