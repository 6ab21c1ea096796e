"""Sign-in throttling: growing delays per client address and per account, never a lock.

Three counters see every failed sign-in, each with its own allowance before delays start:
the account from this address (a guesser at one place), this address over all accounts
(password spraying), and the account from everywhere (a guesser at many places, with a
much larger allowance). Past its allowance, each failure doubles the wait before the next
attempt (1 s, 2 s, 4 s … up to ``login_lockout_minutes``); an attempt made too soon is
refused without the password being checked, and does not count. Someone hammering a known
account from elsewhere therefore slows only themselves until the account's own allowance,
far above what a person mistypes, is spent — and even then its owner waits, not locked out.

Storage is bounded: keys are digests (a typed e-mail is never stored), rows whose failures
are forgotten are pruned on each failure, and past ``login_throttle_max_rows`` the oldest
go first. Rows live in the database, so every app node sees the same counters.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts.models import LoginThrottle
from omnivox.core.config import Settings
from omnivox.core.errors import RateLimited

_SETTINGS = Settings.model_fields


@dataclass(frozen=True)
class ThrottlePolicy:
    pair_free: int = _SETTINGS["login_max_failures"].default
    address_free: int = _SETTINGS["login_address_max_failures"].default
    account_free: int = _SETTINGS["login_account_max_failures"].default
    window: timedelta = timedelta(minutes=_SETTINGS["login_lockout_minutes"].default)
    max_rows: int = _SETTINGS["login_throttle_max_rows"].default

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            pair_free=settings.login_max_failures,
            address_free=settings.login_address_max_failures,
            account_free=settings.login_account_max_failures,
            window=timedelta(minutes=settings.login_lockout_minutes),
            max_rows=settings.login_throttle_max_rows,
        )


@dataclass(frozen=True)
class _Counter:
    key: str
    free: int
    scope: str  # for the message: whose failures slowed this attempt


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _counters(email: str, address: str, policy: ThrottlePolicy) -> list[_Counter]:
    account = email.strip().lower()
    return [
        _Counter(f"pair:{_digest(account + '|' + address)}", policy.pair_free, "this account"),
        _Counter(f"addr:{address}", policy.address_free, "this address"),
        _Counter(f"acct:{_digest(account)}", policy.account_free, "this account"),
    ]


class SignInThrottled(RateLimited):
    code = "sign-in-throttled"


def _wait_words(seconds: int) -> str:
    if seconds >= 120:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minutes"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


async def check(
    session: AsyncSession, email: str, address: str, now: datetime, policy: ThrottlePolicy
) -> None:
    """Refuse an attempt made before its wait is over, saying how long is left."""
    counters = {c.key: c for c in _counters(email, address, policy)}
    rows = await session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(counters)))
    waits = [
        (math.ceil((row.locked_until - now).total_seconds()), counters[row.key].scope)
        for row in rows
        if row.locked_until is not None and row.locked_until > now
    ]
    if waits:
        seconds, scope = max(waits)
        raise SignInThrottled(
            f"Too many failed sign-in attempts for {scope}; try again in {_wait_words(seconds)}.",
            retry_after=seconds,
        )


def _delay(failures: int, free: int, cap: timedelta) -> timedelta | None:
    over = failures - free
    if over < 0:
        return None
    return min(timedelta(seconds=2 ** min(over, 30)), cap)


async def register_failure(
    session: AsyncSession, email: str, address: str, now: datetime, policy: ThrottlePolicy
) -> None:
    """Count a failure on each counter. Attackers send failures in parallel, so a counter
    is created race-free (a savepoint; a twin insert loses quietly) and incremented by the
    database, never read-modified-written."""
    await _prune(session, now, policy)
    for counter in _counters(email, address, policy):
        key = LoginThrottle.key == counter.key
        if await session.scalar(select(LoginThrottle.key).where(key)) is None:
            try:
                async with session.begin_nested():
                    session.add(LoginThrottle(key=counter.key, failures=0, window_started_at=now))
            except IntegrityError:
                pass  # a concurrent failure made it first
        await session.execute(  # quiet for a whole window: forgotten
            update(LoginThrottle)
            .where(key, LoginThrottle.window_started_at < now - policy.window)
            .values(failures=0)
        )
        failures = await session.scalar(
            update(LoginThrottle)
            .where(key)
            .values(failures=LoginThrottle.failures + 1, window_started_at=now)
            .returning(LoginThrottle.failures)
        )
        delay = _delay(int(failures or 0), counter.free, policy.window)
        if delay:
            await session.execute(update(LoginThrottle).where(key).values(locked_until=now + delay))
    await session.commit()


async def clear_account(session: AsyncSession, email: str, address: str) -> None:
    """A right password: the account's counters start again (the address's do not, so a
    sprayer holding one valid account cannot reset their own)."""
    keys = [c.key for c in _counters(email, address, ThrottlePolicy()) if c.key[:5] != "addr:"]
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


async def _prune(session: AsyncSession, now: datetime, policy: ThrottlePolicy) -> None:
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - policy.window,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    count = int(await session.scalar(select(func.count()).select_from(LoginThrottle)) or 0)
    excess = count + 3 - policy.max_rows  # room for this failure's three counters
    if excess > 0:
        oldest = (
            select(LoginThrottle.key)
            .order_by(LoginThrottle.window_started_at, LoginThrottle.key)
            .limit(excess)
        )
        await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(oldest)))
