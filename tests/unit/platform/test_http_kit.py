"""The HTTP kit: it stands on core alone, and its JSON CRUD helper makes the routes a
hand-written resource would have (names, path parameters, status codes, permissions)."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

import omnivox.http
from omnivox.core.security.permissions import Permission, Role
from omnivox.core.security.principal import Principal
from omnivox.http import JsonCrud, add_json_crud, declared_access, iter_api_routes
from omnivox.http.deps import current_principal, db_session

KIT = Path(omnivox.http.__file__).parent


def _omnivox_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("omnivox")}


def test_the_kit_imports_only_core() -> None:
    modules = sorted(KIT.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        outside = {
            name
            for name in _omnivox_imports(path)
            if not name.startswith(("omnivox.core", "omnivox.http"))
        }
        assert not outside, f"{path.name} imports {outside}"


class ThingIn(BaseModel):
    name: str


class ThingOut(BaseModel):
    id: str
    name: str


class Store:
    def __init__(self) -> None:
        self.rows: dict[str, ThingOut] = {}
        self.deleted_with: list[str] = []

    async def list(self, _db: AsyncSession, _actor: Principal) -> list[ThingOut]:
        return list(self.rows.values())

    async def create(self, _db: AsyncSession, _actor: Principal, data: ThingIn) -> ThingOut:
        row = ThingOut(id=str(len(self.rows) + 1), name=data.name)
        self.rows[row.id] = row
        return row

    async def get(self, _db: AsyncSession, _actor: Principal, thing_id: str) -> ThingOut:
        return self.rows[thing_id]

    async def update(
        self, _db: AsyncSession, _actor: Principal, thing_id: str, data: ThingIn
    ) -> ThingOut:
        self.rows[thing_id] = ThingOut(id=thing_id, name=data.name)
        return self.rows[thing_id]

    async def delete(
        self, _db: AsyncSession, _actor: Principal, thing_id: str, *, note: str
    ) -> None:
        del self.rows[thing_id]
        self.deleted_with.append(note)


def _note() -> str:
    return "resolved"


def _app(store: Store) -> FastAPI:
    router = APIRouter(prefix="/api")
    add_json_crud(
        router,
        JsonCrud[ThingOut](
            path="/things",
            noun="thing",
            read_model=ThingOut,
            read=Permission.USERS_READ,
            write=Permission.USERS_WRITE,
            list_rows=store.list,
            create=store.create,
            create_model=ThingIn,
            get=store.get,
            update=store.update,
            update_model=ThingIn,
            delete=store.delete,
            delete_needs={"note": Annotated[str, Depends(_note)]},
        ),
    )
    app = FastAPI()
    app.include_router(router)

    async def no_db() -> AsyncIterator[None]:
        yield None

    async def admin() -> Principal:
        return Principal("u1", "o1", "a@example.com", "A", Role.ORG_ADMIN, "session")

    app.dependency_overrides[db_session] = no_db
    app.dependency_overrides[current_principal] = admin
    return app


def test_json_crud_declares_the_routes_a_resource_would_have() -> None:
    app = _app(Store())
    routes = {(m, p): ctx for m, p, ctx in iter_api_routes(app)}
    assert {(m, p, ctx.original_route.name) for (m, p), ctx in routes.items()} == {
        ("GET", "/api/things", "list_things"),
        ("POST", "/api/things", "create_thing"),
        ("GET", "/api/things/{thing_id}", "read_thing"),
        ("PATCH", "/api/things/{thing_id}", "update_thing"),
        ("DELETE", "/api/things/{thing_id}", "delete_thing"),
    }
    access = {key: declared_access(ctx) for key, ctx in routes.items()}
    assert access[("GET", "/api/things")] is Permission.USERS_READ
    assert access[("DELETE", "/api/things/{thing_id}")] is Permission.USERS_WRITE
    schema: dict[str, Any] = app.openapi()
    created = schema["paths"]["/api/things"]["post"]
    assert "201" in created["responses"]
    item = schema["paths"]["/api/things/{thing_id}"]
    assert [p["name"] for p in item["get"]["parameters"]] == ["thing_id"]
    assert "204" in item["delete"]["responses"]


async def test_json_crud_routes_call_the_service() -> None:
    store = Store()
    transport = httpx.ASGITransport(app=_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        made = await client.post("/api/things", json={"name": "one"})
        assert made.status_code == 201 and made.json() == {"id": "1", "name": "one"}
        assert (await client.post("/api/things", json={})).status_code == 422
        renamed = await client.patch("/api/things/1", json={"name": "uno"})
        assert renamed.json() == {"id": "1", "name": "uno"}
        assert (await client.get("/api/things/1")).json()["name"] == "uno"
        assert (await client.get("/api/things")).json() == [{"id": "1", "name": "uno"}]
        gone = await client.delete("/api/things/1")
        assert gone.status_code == 204 and not gone.content
    assert store.rows == {} and store.deleted_with == ["resolved"]
