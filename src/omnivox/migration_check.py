"""`python -m omnivox.migration_check`: fail if the models and migrations disagree.

Runs Alembic's autogenerate comparison against a fresh, fully migrated SQLite database
(the equivalent of `alembic check`), so a model change without a migration fails CI.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from omnivox.all_models import Base
from omnivox.core.db import upgrade_database


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check.db"
        upgrade_database(f"sqlite+aiosqlite:///{path}")
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        engine.dispose()
    if diff:
        print("models and migrations differ; add a migration:", file=sys.stderr)
        for item in diff:
            print(f"  {item}", file=sys.stderr)
        return 1
    print("migrations match the models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
