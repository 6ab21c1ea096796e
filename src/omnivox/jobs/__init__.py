"""Background jobs: named task functions the domains register, run by procrastinate
workers on PostgreSQL (``omnivox worker``, any number, on any node) or in the server's
own event loop on SQLite. The same functions run either way; they keep their durable
state in the domain's own tables, so a lost in-process job is found again by the next
periodic pass.

It imports only ``core``: the domains register their tasks in a ``Jobs`` registry and
``create_app`` (or the worker command) builds the queue that runs them. Procrastinate
(``omnivox.jobs.postgres``) is in the ``postgres`` extra with the PostgreSQL drivers and
is imported only where PostgreSQL is used, so the embedded default runs without it.
"""

from omnivox.jobs.in_process import InProcessQueue
from omnivox.jobs.registry import JobContext, JobFn, JobQueue, Jobs, JobTask

__all__ = [
    "InProcessQueue",
    "JobContext",
    "JobFn",
    "JobQueue",
    "JobTask",
    "Jobs",
]
