"""Hearing a call's recording from the call records page: who may (``recordings:listen``,
within their reach), and the audio fetched from the provider with its credentials (as
voicemail playback does). The sandbox carrier keeps durations, never audio."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, DomainError, NotFound
from omnivox.core.security.principal import Principal
from omnivox.reporting.access import agent_scope
from omnivox.reporting.records import has_audio
from omnivox.telephony import Call, Recording

AUDIO_TYPE = "audio/mpeg"


class RecordingUnavailable(DomainError):
    code = "recording-unavailable"
    status = 502
    title = "The provider did not return the recording"


async def visible_recording(
    session: AsyncSession, actor: Principal, recording_id: str
) -> Recording:
    """The organisation's recording of a call ``actor`` may see; else 404 (a recording's
    existence is not disclosed outside one's reach)."""
    found = (
        await session.execute(
            select(Recording, Call.agent_id)
            .join(Call, Call.id == Recording.call_id)
            .where(Recording.id == recording_id, Call.organization_id == actor.organization_id)
        )
    ).first()
    if found is None:
        raise NotFound(f"no recording {recording_id!r}")
    recording, agent_id = found
    scope = await agent_scope(session, actor)
    if scope is not None and agent_id not in scope:
        raise NotFound(f"no recording {recording_id!r}")
    rec: Recording = recording
    return rec


async def fetch_audio(
    recording: Recording, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> bytes:
    if not has_audio(recording.url) or recording.url is None:
        raise Conflict(
            f"sandbox recording (no audio): the simulated carrier kept only its duration, "
            f"{recording.duration_seconds or 0} s"
        )
    tw = settings.twilio
    auth = (tw.account_sid, tw.auth_token.get_secret_value())
    # Twilio serves a recording as MP3 when ``.mp3`` is appended to its URL.
    url = recording.url.removesuffix(".json") + ".mp3"
    async with httpx.AsyncClient(transport=transport, timeout=20.0) as client:
        try:
            resp = await client.get(url, auth=auth, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise RecordingUnavailable(f"could not reach the provider: {exc}") from exc
    if resp.status_code != 200:
        raise RecordingUnavailable(
            f"the provider answered {resp.status_code} for recording {recording.provider_sid}"
        )
    return resp.content
