"""Contact import benchmark: a generated 1,000,000-row CSV (5 % invalid, 5 % duplicate rows)
imported into SQLite and PostgreSQL through the real import service, with rows/s and peak
RSS per backend (each in its own process), and a plain PostgreSQL COPY of the same file into
a bare table as the floor.

    .venv/bin/python benchmarks/contact_import.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_ADMIN = os.environ.get("OMNIVOX_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def generate(path: Path, rows: int) -> None:
    rng = random.Random(6)
    area = ["212", "415", "312", "713", "305", "206", "617", "404"]
    made: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("phone,first_name,last_name,email,account\n")
        for i in range(rows):
            roll = rng.random()
            if roll < 0.05:
                phone = f"555-{i % 1000:03d}"  # invalid
            elif roll < 0.10 and made:
                phone = rng.choice(made[-1000:])  # duplicate
            else:
                phone = f"({rng.choice(area)}) {rng.randint(200, 999)}-{i % 10000:04d}"
                made.append(phone)
                if len(made) > 5000:
                    del made[:1000]
            out.write(f"{phone},First{i},Last{i},p{i}@example.com,ACC-{i}\n")


async def _run(url: str, path: Path) -> dict[str, float | int]:
    from omnivox.accounts import organizations
    from omnivox.accounts.schemas import OrganizationCreate
    from omnivox.campaigns import imports, lists
    from omnivox.campaigns.schemas import ListCreate
    from omnivox.core.clock import SystemClock
    from omnivox.core.db import create_engine, create_session_factory, upgrade_database
    from omnivox.core.security.principal import Principal

    upgrade_database(url)
    engine = create_engine(url)
    sessions, clock = create_session_factory(engine), SystemClock()
    async with sessions() as s:
        org = await organizations.create_organization(
            s, Principal.system(""), OrganizationCreate(slug="bench", name="Bench")
        )
        actor = Principal.system(org.id)
        target = await lists.create_list(s, actor, ListCreate(name="Bench"))
        row = await imports.prepare_import(
            s, actor, target.id, path, path.name, imports.ImportOptions(region="US"), clock.now()
        )
    started = time.perf_counter()
    done = await imports.run_import(sessions, None, clock, row.id, batch_size=20_000)
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return {
        "seconds": round(elapsed, 1),
        "rows_per_s": int(done.rows_total / elapsed),
        "imported": done.imported,
        "duplicates": done.duplicates,
        "rejected": done.rejected,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _copy_floor(url: str, path: Path) -> dict[str, float | int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE bare (phone text, first_name text, last_name text, email text, "
            "account text)"
        )
        started = time.perf_counter()
        await conn.copy_to_table("bare", source=str(path), format="csv", header=True)
        elapsed = time.perf_counter() - started
        count = await conn.fetchval("SELECT count(*) FROM bare")
    finally:
        await conn.close()
    return {"seconds": round(elapsed, 1), "rows_per_s": int(count / elapsed)}


def child(backend: str, path: Path) -> None:
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp())
        result = asyncio.run(_run(f"sqlite+aiosqlite:///{tmp}/bench.db", path))
    else:
        name = f"omnivox_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN.rsplit("/", 1)[0]
        try:
            url = f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")
            result = asyncio.run(_run(url, path))
            result["copy_floor"] = asyncio.run(_copy_floor(f"{base}/{name}", path))  # type: ignore[assignment]
        finally:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file)
        return
    path = Path(tempfile.mkdtemp()) / "contacts.csv"
    generate(path, args.rows)
    print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
    for backend in ("sqlite", "postgres"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", backend, "--file", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "OMNIVOX_LOG_LEVEL": "WARNING"},
        )
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]
        print(f"{backend}: {line}")
    path.unlink()


if __name__ == "__main__":
    main()
