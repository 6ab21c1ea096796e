"""The audio library: upload (validated, then stored), list, rename, delete, and the
organisation's choice of file per purpose."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import audit_snapshot, record_audit
from omnivox.core.db import new_id
from omnivox.core.errors import InvalidInput, NotFound
from omnivox.core.logging import get_logger
from omnivox.core.security.principal import Principal
from omnivox.media import storage
from omnivox.media.audio_check import check_audio
from omnivox.media.audio_types import AudioError, AudioInfo, AudioKind
from omnivox.media.errors import AudioInUse, AudioRejected
from omnivox.media.models import AudioFile, AudioSetting

log = get_logger(__name__)
KIND_LABELS: dict[AudioKind, str] = {
    AudioKind.GREETING: "default greeting",
    AudioKind.HOLD_MUSIC: "hold music",
    AudioKind.VOICEMAIL_GREETING: "voicemail greeting",
    AudioKind.CLOSED_MESSAGE: "closed message",
    AudioKind.SAFE_HARBOUR: "safe-harbour message",
}


async def validate(
    data: bytes, filename: str, kind: AudioKind, size: int | None = None
) -> AudioInfo:
    """``check_audio`` on a worker thread (an MP3 is walked frame by frame); ``size``: the
    whole upload's, when ``data`` holds only its beginning."""
    try:
        return await asyncio.to_thread(check_audio, data, filename, kind, size=size)
    except AudioError as exc:
        raise AudioRejected(exc) from None


async def upload_audio(
    session: AsyncSession,
    actor: Principal,
    *,
    data: bytes,
    filename: str,
    kind: AudioKind,
    name: str,
    data_dir: Path,
    now: datetime,
    size: int | None = None,
) -> AudioFile:
    info = await validate(data, filename, kind, size)
    file_id = new_id()
    relative = storage.relative_path(actor.organization_id, file_id, info.format.value)
    final = storage.absolute(data_dir, relative)
    temp = await storage.write_temp(final, data)
    try:
        row = AudioFile(
            id=file_id,
            organization_id=actor.organization_id,
            name=(name.strip() or Path(filename).stem or "audio")[:120],
            kind=kind.value,
            format=info.format.value,
            content_type=info.content_type,
            duration_seconds=round(info.duration_seconds, 3),
            sample_rate=info.sample_rate,
            channels=info.channels,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            original_filename=filename[:255],
            stored_path=relative,
            created_by=actor.user_id or None,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        record_audit(
            session, actor, "audio.upload", "audio_file", row.id, after=audit_snapshot(row)
        )
        await storage.move_into_place(temp, final)
        await session.commit()
    except BaseException:
        # Nothing half-stored: neither the bytes nor a row pointing at missing bytes.
        await session.rollback()
        await storage.remove(temp, final)
        raise
    return row


async def list_audio(
    session: AsyncSession, org_id: str, kind: AudioKind | None = None
) -> list[AudioFile]:
    query = select(AudioFile).where(AudioFile.organization_id == org_id)
    if kind is not None:
        query = query.where(AudioFile.kind == kind.value)
    return list((await session.scalars(query.order_by(AudioFile.kind, AudioFile.name))).all())


async def get_audio(session: AsyncSession, org_id: str, file_id: str) -> AudioFile:
    row = await session.scalar(
        select(AudioFile).where(AudioFile.id == file_id, AudioFile.organization_id == org_id)
    )
    if row is None:
        raise NotFound("audio file not found")
    return row


async def rename_audio(
    session: AsyncSession, actor: Principal, file_id: str, name: str
) -> AudioFile:
    row = await get_audio(session, actor.organization_id, file_id)
    before = audit_snapshot(row)
    row.name = name
    record_audit(
        session,
        actor,
        "audio.rename",
        "audio_file",
        row.id,
        before=before,
        after=audit_snapshot(row),
    )
    await session.commit()
    return row


async def usages(session: AsyncSession, org_id: str, file_id: str) -> list[AudioKind]:
    """The purposes this file is chosen for. Queues carry no audio of their own yet (their
    greeting is text), so the organisation's settings are the only users."""
    kinds = await session.scalars(
        select(AudioSetting.kind).where(
            AudioSetting.organization_id == org_id, AudioSetting.file_id == file_id
        )
    )
    return [AudioKind(k) for k in kinds]


async def delete_audio(
    session: AsyncSession, actor: Principal, file_id: str, *, data_dir: Path
) -> None:
    row = await get_audio(session, actor.organization_id, file_id)
    used = await usages(session, actor.organization_id, file_id)
    if used:
        labels = ", ".join(KIND_LABELS[k] for k in used)
        raise AudioInUse(
            f"{row.name!r} is the organisation's {labels}; choose another file (or the spoken "
            "fallback) for that first"
        )
    path = storage.absolute(data_dir, row.stored_path)
    record_audit(session, actor, "audio.delete", "audio_file", row.id, before=audit_snapshot(row))
    await session.delete(row)
    await session.commit()
    # The row is gone first: a leftover file is harmless, a row without its file is not.
    await storage.remove(path)


async def audio_settings(session: AsyncSession, org_id: str) -> dict[AudioKind, AudioFile | None]:
    """Every purpose with its chosen file (None: the spoken fallback plays)."""
    rows = await session.execute(
        select(AudioSetting.kind, AudioFile)
        .join(AudioFile, AudioFile.id == AudioSetting.file_id)
        .where(AudioSetting.organization_id == org_id)
    )
    chosen = {AudioKind(kind): file for kind, file in rows}
    return {kind: chosen.get(kind) for kind in AudioKind}


async def chosen_file(session: AsyncSession, org_id: str, kind: AudioKind) -> AudioFile | None:
    return await session.scalar(
        select(AudioFile)
        .join(AudioSetting, AudioSetting.file_id == AudioFile.id)
        .where(AudioSetting.organization_id == org_id, AudioSetting.kind == kind.value)
    )


async def choose_audio(
    session: AsyncSession, actor: Principal, kind: AudioKind, file_id: str | None, now: datetime
) -> AudioFile | None:
    """Set (or clear, with None) the file that plays for ``kind``."""
    org_id = actor.organization_id
    file = await get_audio(session, org_id, file_id) if file_id else None
    if file is not None and file.kind != kind.value:
        # Each purpose has its own duration bounds (a safe-harbour message <= 10 s), checked
        # at upload for the kind the file was uploaded as.
        raise InvalidInput.on(
            "file_id",
            f"{file.name!r} was uploaded as {KIND_LABELS[AudioKind(file.kind)]}; upload it "
            f"as {KIND_LABELS[kind]} to use it for that",
        )
    setting = await session.scalar(
        select(AudioSetting).where(
            AudioSetting.organization_id == org_id, AudioSetting.kind == kind.value
        )
    )
    before = {"kind": kind.value, "file_id": setting.file_id if setting else None}
    if file is None:
        if setting is not None:
            await session.delete(setting)
    elif setting is None:
        session.add(
            AudioSetting(
                organization_id=org_id,
                kind=kind.value,
                file_id=file.id,
                updated_by=actor.user_id or None,
                updated_at=now,
            )
        )
    else:
        setting.file_id, setting.updated_by, setting.updated_at = (
            file.id,
            actor.user_id or None,
            now,
        )
    after = {"kind": kind.value, "file_id": file.id if file else None}
    record_audit(
        session, actor, "audio.choose", "audio_setting", kind.value, before=before, after=after
    )
    await session.commit()
    return file


async def find_audio_id(session: AsyncSession, org_id: str, file_id: str) -> str | None:
    """``file_id`` if it names a file of the organisation's own library, else ``None``."""
    return await session.scalar(
        select(AudioFile.id).where(AudioFile.id == file_id, AudioFile.organization_id == org_id)
    )
