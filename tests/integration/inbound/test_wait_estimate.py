"""The estimated wait learns from real waits on the line: a callback that had to be tried
again (its wait includes retry delays, with the caller off the line) is left out."""

from __future__ import annotations

from datetime import timedelta

from tests.support import Env

from omnivox.core.security.permissions import Role
from omnivox.routing.inbound import InboundRouting
from omnivox.routing.models import QueueEntry


async def test_a_retried_callbacks_wait_does_not_inflate_the_estimate(env: Env) -> None:
    org = await env.org("acme")
    await env.user(org, "admin@acme.example.com", Role.ORG_ADMIN)
    h = await env.token("admin@acme.example.com")
    queue = await env.client.post("/api/v1/queues", headers=h, json={"name": "Support"})
    assert queue.status_code == 201, queue.text
    queue_id, now = queue.json()["id"], env.clock.now()

    def served(n: int, waited: float, **extra: object) -> QueueEntry:
        arrived = now - timedelta(hours=1, minutes=n)
        return QueueEntry(
            organization_id=org,
            queue_id=queue_id,
            call_id=f"served{n}",
            status="connected",
            enqueued_at=arrived,
            answered_at=arrived + timedelta(seconds=waited),
            detail={"position": 1},
            **extra,
        )

    async with env.sessions() as s:
        s.add_all([served(n, 60) for n in range(3)])
        # Answered on its first try: a real turn in the line, counted.
        s.add(served(3, 60, callback_number="+14155550100", callback_tries=1))
        # Answered on its third try, after two 5-minute retry delays: left out.
        s.add(served(4, 1800, callback_number="+14155550101", callback_tries=3))
        waiting = QueueEntry(organization_id=org, queue_id=queue_id, call_id="now", enqueued_at=now)
        s.add(waiting)
        await s.commit()
        routing: InboundRouting = env.app.state.routing  # type: ignore[attr-defined]
        place = await routing.waiting.place_in_line(s, waiting)

    assert place.position == 1
    assert place.estimate_seconds is not None
    assert place.estimate_seconds < 120, place  # about a minute, not half an hour
