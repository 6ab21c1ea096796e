"""Fixtures for the sandbox-carrier integration tests (see telephony_harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.telephony.telephony_harness import Harness, running_harness


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with running_harness() as h:
        yield h
