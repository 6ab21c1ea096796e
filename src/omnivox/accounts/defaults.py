"""What every new organisation starts with."""

from __future__ import annotations

from datetime import time

from omnivox.accounts.schemas import DispositionCategory as C

# (code, label, category, is_final)
DEFAULT_DISPOSITIONS: list[tuple[str, str, C, bool]] = [
    ("SALE", "Sale", C.SALE, True),
    ("INTERESTED", "Interested, send information", C.CONTACT, False),
    ("NOT_INTERESTED", "Not interested", C.CONTACT, True),
    ("CALLBACK", "Call back later", C.CALLBACK, False),
    ("NO_ANSWER", "No answer", C.NO_CONTACT, False),
    ("BUSY", "Busy", C.NO_CONTACT, False),
    ("VOICEMAIL", "Answering machine / voicemail", C.NO_CONTACT, False),
    ("DNC", "Do not call", C.DO_NOT_CALL, True),
    ("WRONG_NUMBER", "Wrong number", C.WRONG_NUMBER, True),
    ("SYSTEM_WRAPUP_TIMEOUT", "No disposition given (wrap-up timed out)", C.SYSTEM, False),
    ("ABANDONED", "Abandoned (no agent free)", C.SYSTEM, False),
]

# Monday to Friday, 09:00-17:00 local time.
DEFAULT_HOURS: list[tuple[int, time, time]] = [(d, time(9), time(17)) for d in range(5)]
