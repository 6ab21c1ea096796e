"""Fuzzes every operation from the OpenAPI spec (schemathesis): no input yields a 500, and
every answer is one the published contract documents (status code, content type, body
schema), so integrators' generated clients can rely on it (issue 15, finding 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.support import run_sync

from omnivox.accounts import api_tokens, auth, organizations, users
from omnivox.accounts.schemas import ApiTokenCreate, OrganizationCreate, UserCreate
from omnivox.app import create_app
from omnivox.core.config import Settings
from omnivox.core.db import create_engine, create_session_factory, upgrade_database
from omnivox.core.security.permissions import Role
from omnivox.core.security.principal import Principal


async def _seed(url: str) -> str:
    engine = create_engine(url)
    async with create_session_factory(engine)() as s:
        org = await organizations.create_organization(
            s, Principal.system(""), OrganizationCreate(slug="fuzz", name="Fuzz")
        )
        actor = Principal("", org.id, "system", "System", Role.PLATFORM_ADMIN, "system")
        user = await users.create_user(
            s,
            actor,
            UserCreate(
                email="root@fuzz.example.com",
                name="Root",
                role=Role.PLATFORM_ADMIN,
                password="long-enough-1",
            ),
        )
        from datetime import UTC, datetime

        _, secret = await api_tokens.create_api_token(
            s, auth.principal_of(user, "system"), ApiTokenCreate(name="fuzz"), datetime.now(UTC)
        )
    await engine.dispose()
    return secret


CONFORMANCE = (status_code_conformance, content_type_conformance, response_schema_conformance)


def test_no_operation_answers_500_or_outside_its_contract(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fuzz.db"
    upgrade_database(url)
    headers = {"Authorization": f"Bearer {run_sync(_seed(url))}"}
    app = create_app(
        Settings(
            _env_file=None,
            database_url=url,
            env="test",  # type: ignore[call-arg]
            log_level="WARNING",
        )
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def probe(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")
            for check in CONFORMANCE:
                try:
                    case.validate_response(response, checks=(check,))
                except BaseException as exc:  # noqa: BLE001 - schemathesis raises a group
                    where = f"{case.method} {case.formatted_path} [{response.status_code}]"
                    failures.append(f"{where} {check.__name__}: {str(exc)[:300]}")

        probe()
    assert not failures, "\n".join(failures[:10])
    # The token authenticates: most answers are real successes or validation refusals.
    assert len(statuses) > 5 * len(operations)
    assert sum(1 for code in statuses if code < 300) > len(operations)
