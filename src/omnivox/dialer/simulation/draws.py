"""Common random numbers: every random quantity of a call is keyed by (lead, attempt), and
every agent-side quantity by agent, so each policy faces exactly the same world.

Numbers are generated in blocks of leads with numpy and kept as Python tuples (scalar access
to numpy arrays is slow).
"""

from __future__ import annotations

import numpy as np

BLOCK = 2048


class CallDraws:
    """``get(lead, attempt)`` -> (u_outcome, u_amd_latency, u_amd_error, z_answer, z_talk,
    z_wrap): three uniforms and three standard normals."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._blocks: dict[tuple[int, int], list[tuple[float, ...]]] = {}

    def get(self, lead: int, attempt: int) -> tuple[float, ...]:
        key = (attempt, lead // BLOCK)
        block = self._blocks.get(key)
        if block is None:
            block = self._blocks[key] = self._make(*key)
        return block[lead % BLOCK]

    def _make(self, attempt: int, block: int) -> list[tuple[float, ...]]:
        rng = np.random.default_rng([self.seed, 1, attempt, block])
        u = rng.random((BLOCK, 3))
        z = rng.standard_normal((BLOCK, 3))
        rows: list[tuple[float, ...]] = [tuple(r) for r in np.hstack((u, z)).tolist()]
        return rows


def agent_rng(seed: int) -> np.random.Generator:
    """The stream for shifts and pauses: the same for every policy."""
    return np.random.default_rng([seed, 2])
