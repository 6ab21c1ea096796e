"""An audio upload over the limit is refused with its real size (issue 14: a 12.5 MB file
was refused as "the file is 10.0 MB; the limit is 10.0 MB")."""

from __future__ import annotations

import pytest
from tests.integration.media.test_audio_library import _admin, _rows, _stored, _upload
from tests.support import Env

from omnivox.media import AUDIO_MAX_BYTES as MAX_BYTES


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (int(12.5 * 1024 * 1024), "the file is 12.5 MB; the limit is 10.0 MB"),
        (
            MAX_BYTES + 1,
            "the file is 10.0 MB (10,485,761 bytes); the limit is 10.0 MB (10,485,760 bytes)",
        ),
    ],
)
async def test_an_oversized_upload_is_refused_with_its_real_size(
    sqlite_env: Env, size: int, shown: str
) -> None:
    org, h = await _admin(sqlite_env)
    big = b"RIFF" + bytes(size - 4)
    resp = await _upload(sqlite_env, h, big, "big.wav", kind="hold_music")
    assert resp.status_code == 413
    assert resp.json()["code"] == "audio-too-large"
    assert resp.json()["detail"] == shown
    assert _stored(sqlite_env, org) == [] and await _rows(sqlite_env) == 0
