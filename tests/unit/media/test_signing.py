"""Signed audio links: valid until the expiry, for that file only, and not forgeable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from omnivox.media.signing import check_signature, signature, signed_url

SECRET = "k" * 40
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _parts(url: str) -> tuple[str, int, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    return split.path.rsplit("/", 1)[-1], int(query["exp"][0]), query["sig"][0]


def test_a_signed_url_checks_until_it_expires() -> None:
    url = signed_url("https://cc.example.com/", SECRET, "f1", NOW, timedelta(minutes=15))
    assert url.startswith("https://cc.example.com/media/audio/f1?exp=")
    file_id, exp, sig = _parts(url)
    assert exp == int((NOW + timedelta(minutes=15)).timestamp())
    assert check_signature(SECRET, file_id, exp, sig, NOW)
    assert check_signature(SECRET, file_id, exp, sig, NOW + timedelta(minutes=15))
    assert not check_signature(SECRET, file_id, exp, sig, NOW + timedelta(minutes=15, seconds=1))


def test_altered_links_fail() -> None:
    _, exp, sig = _parts(signed_url("http://x", SECRET, "f1", NOW, timedelta(minutes=5)))
    assert not check_signature(SECRET, "f2", exp, sig, NOW)  # another file
    assert not check_signature(SECRET, "f1", exp + 3600, sig, NOW)  # a longer life
    assert not check_signature("another-secret-" * 3, "f1", exp, sig, NOW)  # another key
    assert not check_signature(SECRET, "f1", exp, "", NOW)
    assert not check_signature(SECRET, "f1", exp, sig[:-1] + ("0" if sig[-1] != "0" else "1"), NOW)


def test_the_signature_binds_file_and_expiry_separately() -> None:
    # "f1" expiring at 23 must not equal "f12" expiring at 3 (a separator is in the message).
    assert signature(SECRET, "f1", 23) != signature(SECRET, "f12", 3)
