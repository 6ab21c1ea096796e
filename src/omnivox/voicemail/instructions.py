"""What a caller sent to voicemail hears and does: the greeting, a beep, up to two minutes
of message, then a polite goodbye.

With an action URL the provider requests it when the message ends and runs what it answers
(the verbs after ``Record`` are skipped); the call answering code answers that request with
:func:`after_message` (it is marked ``voicemail=recorded``). When nothing at all was
recorded the provider skips the action and falls through to the goodbye below ``Record``,
so the caller hears it either way.
"""

from __future__ import annotations

from omnivox.telephony import Hangup, HookUrls, Instruction, Play, Record, Say, WebhookKind

MAX_MESSAGE_SECONDS = 120
SILENCE_TIMEOUT_SECONDS = 5  # this much silence ends the message
GOODBYE = "Thank you. Your message has been recorded. Goodbye."
NO_MESSAGE = "We did not hear a message. Goodbye."
ACTION_MARK = "recorded"  # the action URL's ``voicemail`` query value


def action_url(urls: HookUrls, call_id: str) -> str:
    """Where the provider goes when the message ends (posts RecordingSid, Digits...)."""
    return urls.url(WebhookKind.GATHER, call=call_id, voicemail=ACTION_MARK)


def voicemail_instructions(
    urls: HookUrls, call_id: str, greeting: Play | Say
) -> tuple[Instruction, ...]:
    return (
        greeting,
        Record(
            action_url=action_url(urls, call_id),
            max_length_seconds=MAX_MESSAGE_SECONDS,
            timeout_seconds=SILENCE_TIMEOUT_SECONDS,
            play_beep=True,
            finish_on_key="#",
            recording_status_callback_url=urls.recording(call_id),
        ),
        Say(text=NO_MESSAGE),
        Hangup(),
    )


def after_message() -> tuple[Instruction, ...]:
    """The answer to the action URL: thank the caller and end the call."""
    return (Say(text=GOODBYE), Hangup())
