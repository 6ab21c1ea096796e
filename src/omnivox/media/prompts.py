"""What a caller hears for each purpose: the organisation's chosen file by a signed link,
or the text spoken by the provider's text-to-speech when no file is chosen.

These are the hooks call answering uses; they read the database and sign, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.config import Settings
from omnivox.media import signing
from omnivox.media.audio_types import AudioKind
from omnivox.media.library import chosen_file
from omnivox.telephony import Play, Say


@dataclass(frozen=True)
class MediaLinks:
    """What signing a link needs: the public base the provider reaches and the secret."""

    public_base: str
    secret: str

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaLinks:
        return cls(settings.public_url, settings.secret_key.get_secret_value())

    def url(self, file_id: str, now: datetime, ttl: timedelta = signing.PROMPT_TTL) -> str:
        return signing.signed_url(self.public_base, self.secret, file_id, now, ttl)


async def prompt(
    session: AsyncSession,
    org_id: str,
    kind: AudioKind,
    now: datetime,
    *,
    fallback_text: str,
    links: MediaLinks,
) -> Play | Say:
    """A Play of the chosen file for ``kind``, else a Say of ``fallback_text``."""
    file = await chosen_file(session, org_id, kind)
    if file is None:
        return Say(text=fallback_text)
    return Play(url=links.url(file.id, now))


async def hold_music_url(
    session: AsyncSession, org_id: str, now: datetime, *, links: MediaLinks
) -> str | None:
    """The signed link to the organisation's hold music, or None (use the default)."""
    file = await chosen_file(session, org_id, AudioKind.HOLD_MUSIC)
    return None if file is None else links.url(file.id, now, signing.HOLD_MUSIC_TTL)


async def hold_music(
    session: AsyncSession, org_id: str, now: datetime, *, links: MediaLinks
) -> tuple[str, float] | None:
    """The signed link to the organisation's hold music and its length, or None."""
    file = await chosen_file(session, org_id, AudioKind.HOLD_MUSIC)
    if file is None:
        return None
    return links.url(file.id, now, signing.HOLD_MUSIC_TTL), file.duration_seconds
