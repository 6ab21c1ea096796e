"""JSON routes of voicemail, under /api/v1. Every route admits call handlers
(calls:control); what each caller sees is narrowed in the service (agents: their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow, State
from omnivox.voicemail import playback, service
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.schemas import VoicemailAssign, VoicemailDone, VoicemailRead, VoicemailStatus

router = APIRouter(prefix="/api/v1", tags=["voicemail"])


def read(vm: Voicemail) -> VoicemailRead:
    return VoicemailRead.model_validate(vm).model_copy(update={"has_audio": playback.has_audio(vm)})


@router.get("/voicemails", response_model=list[VoicemailRead])
async def list_voicemails(
    db: DB,
    actor: Principal = Allow(P.CALLS_CONTROL),
    status: VoicemailStatus | None = None,
    queue_id: Annotated[str, Query(max_length=32)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[VoicemailRead]:
    q = service.VoicemailQuery(status, queue_id or None, limit, offset)
    return [read(vm) for vm in await service.list_voicemails(db, actor, q)]


@router.get("/voicemails/{voicemail_id}", response_model=VoicemailRead)
async def read_voicemail(
    voicemail_id: str, db: DB, actor: Principal = Allow(P.CALLS_CONTROL)
) -> VoicemailRead:
    return read(await service.get_voicemail(db, actor, voicemail_id))


@router.post("/voicemails/{voicemail_id}/assign", response_model=VoicemailRead)
async def assign_voicemail(
    voicemail_id: str,
    data: VoicemailAssign,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_SUPERVISE),
) -> VoicemailRead:
    vm = await service.assign_voicemail(
        db, actor, voicemail_id, data.user_id, state.clock.now(), state.bus
    )
    return read(vm)


@router.post("/voicemails/{voicemail_id}/done", response_model=VoicemailRead)
async def mark_done(
    voicemail_id: str,
    data: VoicemailDone,
    db: DB,
    state: State,
    actor: Principal = Allow(P.CALLS_CONTROL),
) -> VoicemailRead:
    vm = await service.mark_done(db, actor, voicemail_id, data.notes, state.clock.now(), state.bus)
    return read(vm)


@router.get("/voicemails/{voicemail_id}/audio")
async def voicemail_audio(
    voicemail_id: str, db: DB, state: State, actor: Principal = Allow(P.CALLS_CONTROL)
) -> Response:
    """The recording's audio (MP3), fetched from the provider. A sandbox recording has
    none: 409 ``voicemail-no-audio``."""
    vm = await service.get_voicemail(db, actor, voicemail_id)
    audio = await playback.fetch_recording(vm, state.settings)
    return Response(audio, media_type=playback.AUDIO_TYPE, headers={"Cache-Control": "private"})
