"""Short-lived signed links to audio files, for the provider (which cannot sign in).

The signature is an HMAC-SHA256, keyed with the installation's secret key, over the file id
and the expiry instant; changing either, or using it after the expiry, fails the check.
Pure: the caller supplies the time.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

MEDIA_PREFIX = "/media/audio"
#: A prompt is fetched as soon as its instruction runs.
PROMPT_TTL = timedelta(minutes=15)
#: Hold music is re-fetched by the carrier while a caller waits, so the link must outlive
#: the longest call the platform keeps open (TelephonyService's policy: 4 hours).
HOLD_MUSIC_TTL = timedelta(hours=4)


def signature(secret: str, file_id: str, expires: int) -> str:
    message = f"audio:{file_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_path(secret: str, file_id: str, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    query = urlencode({"exp": expires, "sig": signature(secret, file_id, expires)})
    return f"{MEDIA_PREFIX}/{file_id}?{query}"


def signed_url(public_base: str, secret: str, file_id: str, now: datetime, ttl: timedelta) -> str:
    return public_base.rstrip("/") + signed_path(secret, file_id, now, ttl)


def check_signature(secret: str, file_id: str, expires: int, sig: str, now: datetime) -> bool:
    """Whether ``sig`` is ours for this file and expiry, and the expiry has not passed."""
    if expires < int(now.timestamp()):
        return False
    return hmac.compare_digest(signature(secret, file_id, expires), sig)
