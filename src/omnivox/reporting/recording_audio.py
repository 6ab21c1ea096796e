"""Hearing a call's recording from the call records page: who may (``recordings:listen``,
within their reach), and the audio fetched from the provider with its credentials
(``telephony.fetch_mp3``, as voicemail playback does). The sandbox carrier keeps
durations, never audio."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.core.errors import Conflict, NotFound
from omnivox.core.security.principal import Principal
from omnivox.reporting.access import agent_scope
from omnivox.telephony import Call, Recording, fetch_mp3, recording_has_audio


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
    if recording.url is None or not recording_has_audio(recording.url):
        raise Conflict(
            f"sandbox recording (no audio): the simulated carrier kept only its duration, "
            f"{recording.duration_seconds or 0} s"
        )
    return await fetch_mp3(recording.url, recording.provider_sid, settings, transport)
