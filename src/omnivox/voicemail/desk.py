"""Voicemail as inbound routing uses it: implements ``routing.ports.VoicemailPort``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.events import EventBus
from omnivox.telephony import HookUrls, Instruction, Play, RecordingStatusChanged, Say
from omnivox.voicemail.instructions import ACTION_MARK, after_message, voicemail_instructions
from omnivox.voicemail.models import Voicemail
from omnivox.voicemail.service import store_voicemail


class VoicemailDesk:
    def instructions(
        self, urls: HookUrls, call_id: str, greeting: Play | Say
    ) -> tuple[Instruction, ...]:
        return voicemail_instructions(urls, call_id, greeting)

    def is_after_message(self, query: Mapping[str, str]) -> bool:
        return query.get("voicemail") == ACTION_MARK

    def after_message(self) -> tuple[Instruction, ...]:
        return after_message()

    async def store(
        self,
        session: AsyncSession,
        *,
        org_id: str,
        call_id: str | None,
        queue_id: str | None,
        box_owner: str | None,
        caller: str,
        called: str,
        recording: RecordingStatusChanged,
        now: datetime,
        bus: EventBus | None,
    ) -> Voicemail | None:
        return await store_voicemail(
            session,
            org_id=org_id,
            call_id=call_id,
            queue_id=queue_id,
            box_owner=box_owner,
            caller=caller,
            called=called,
            recording=recording,
            now=now,
            bus=bus,
        )
