"""The audio library: uploaded greetings, hold music, voicemail greetings, closed and
safe-harbour messages, stored on local disk and played to callers by signed links.

Other domains import only the names below. Call answering uses :func:`prompt` and
:func:`hold_music_url` with a :class:`MediaLinks` (which also signs a link to any file of
the library, as the dialler's voicemail drops need); campaigns check that an audio
reference is the organisation's own with :func:`find_audio_id`. The HTTP routers live in
``media.api`` and ``media.views`` (kept out of this surface so importing the hooks does not
pull in the web layer).
"""

from omnivox.media.audio_check import LIMITS as AUDIO_LIMITS
from omnivox.media.audio_check import MAX_BYTES as AUDIO_MAX_BYTES
from omnivox.media.audio_check import check_audio
from omnivox.media.audio_types import AudioError, AudioFormat, AudioInfo, AudioKind, Problem
from omnivox.media.library import find_audio_id
from omnivox.media.models import AudioFile, AudioSetting
from omnivox.media.prompts import MediaLinks, hold_music, hold_music_url, prompt

__all__ = [
    "AUDIO_LIMITS",
    "AUDIO_MAX_BYTES",
    "AudioError",
    "AudioFile",
    "AudioFormat",
    "AudioInfo",
    "AudioKind",
    "AudioSetting",
    "MediaLinks",
    "Problem",
    "check_audio",
    "find_audio_id",
    "hold_music",
    "hold_music_url",
    "prompt",
]
