"""A campaign's audio references must name files of the organisation's own library."""

from __future__ import annotations

from tests.integration.campaigns.helpers import admin
from tests.support import Env

from omnivox.media.models import AudioFile


async def test_another_tenants_audio_file_is_refused(env: Env) -> None:
    other = await env.org("other")
    async with env.sessions() as s:
        theirs = AudioFile(
            organization_id=other,
            name="Their message",
            kind="voicemail_greeting",
            format="wav",
            content_type="audio/wav",
            duration_seconds=3.0,
            sample_rate=8000,
            channels=1,
            size_bytes=48000,
            sha256="0" * 64,
            stored_path="x.wav",
            created_by=None,
        )
        s.add(theirs)
        await s.commit()
        their_id = theirs.id
    _org, headers = await admin(env)
    body = {
        "name": "Borrowed",
        "window_start": "09:00",
        "window_end": "21:00",
        "amd_action": "voicemail_drop",
        "voicemail_audio": their_id,
    }
    resp = await env.client.post("/api/v1/campaigns", json=body, headers=headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "voicemail_audio"
    spoken = await env.client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={**body, "voicemail_audio": "https://cdn.example.com/drop.mp3"},
    )
    assert spoken.status_code == 201, spoken.text
