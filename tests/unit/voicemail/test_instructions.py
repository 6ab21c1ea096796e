"""What a caller sent to voicemail is told to do, and how it renders as TwiML."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from omnivox.telephony.hooks import HookUrls
from omnivox.telephony.instructions import Hangup, Play, Record, Say
from omnivox.telephony.providers.twilio.twiml import render_twiml
from omnivox.voicemail import after_message, voicemail_instructions
from omnivox.voicemail.instructions import MAX_MESSAGE_SECONDS

URLS = HookUrls("https://cc.example.com")


def test_greeting_then_record_then_a_goodbye_if_nothing_was_said() -> None:
    greeting = Play(url="https://cc.example.com/media/audio/f?exp=1&sig=s")
    first, record, fallback, last = voicemail_instructions(URLS, "call1", greeting)
    assert first == greeting
    assert isinstance(record, Record)
    assert record.max_length_seconds == MAX_MESSAGE_SECONDS == 120
    assert record.play_beep and record.finish_on_key == "#"
    assert record.recording_status_callback_url == URLS.recording("call1")
    assert record.action_url is not None
    action = urlsplit(record.action_url)
    assert action.path == "/hooks/telephony/twilio/gather"
    assert parse_qs(action.query) == {"call": ["call1"], "voicemail": ["recorded"]}
    assert isinstance(fallback, Say) and isinstance(last, Hangup)


def test_the_action_answer_thanks_and_hangs_up() -> None:
    say, hangup = after_message()
    assert isinstance(say, Say) and "recorded" in say.text and isinstance(hangup, Hangup)


def test_renders_as_twiml_record_with_callbacks() -> None:
    xml = render_twiml(voicemail_instructions(URLS, "c9", Say(text="Leave a message")))
    assert ">Leave a message</Say><Record " in xml
    assert 'maxLength="120"' in xml
    assert (
        'recordingStatusCallback="https://cc.example.com/hooks/telephony/twilio/recording?call=c9"'
        in xml
    )
    assert "<Hangup" in xml
