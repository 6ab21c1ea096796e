"""Stopping the server with calls in conferences shuts the sandbox down in order (issue 14:
"RuntimeError: Cannot send a request, as the client has been closed" from the sandbox's
conferences): participants cancelled at shutdown sent their leave webhooks through HTTP
clients the app had already closed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from tests.integration.calls.calls_harness import floor
from tests.support import Env

from omnivox.telephony.sandbox.parties import PartyBehaviour, PartyScript


async def test_stopping_with_calls_in_conferences_leaves_no_work_behind(
    sqlite_env: Env,
) -> None:
    spawned: list[asyncio.Task[Any]] = []
    async with floor(sqlite_env) as (f, org):
        runtime = f.carrier.runtime
        spawn = runtime.spawn

        def recording(coro: Coroutine[Any, Any, Any], name: str | None = None) -> Any:
            task = spawn(coro, name)
            spawned.append(task)
            return task

        runtime.spawn = recording  # type: ignore[method-assign]
        alex = await f.agent(org, "alex")
        call_id = await f.call(alex, PartyScript(behaviour=PartyBehaviour.ANSWER, ring_seconds=2))
        await f.advance(4)
        assert (await f.row(call_id)).state == "connected"  # customer and agent conferenced
    # floor() has stopped the telephony runtime (carrier, then its HTTP clients), as the
    # app's shutdown does.
    await asyncio.sleep(0.1)
    assert not runtime._tasks, "sandbox work left running after shutdown"
    failed = [t for t in spawned if t.done() and not t.cancelled() and t.exception()]
    assert not failed, [repr(t.exception()) for t in failed]
