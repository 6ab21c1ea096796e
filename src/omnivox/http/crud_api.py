"""JSON CRUD routes of one resource, declared once instead of written out five times.

``add_json_crud(router, JsonCrud(path="/skills", noun="skill", ...))`` registers, in this
order and each only when its service function is given::

    GET    /skills              list_skills     -> [read_model]       (read permission)
    POST   /skills              create_skill    -> read_model, 201    (write permission)
    GET    /skills/{skill_id}   read_skill      -> read_model         (read permission)
    PATCH  /skills/{skill_id}   update_skill    -> read_model         (write permission)
    DELETE /skills/{skill_id}   delete_skill    -> 204                (write permission)

Names, path parameters, bodies and status codes are what the hand-written routes had, so
the OpenAPI document does not change. Each route declares its permission and calls one
service function with ``(session, actor[, id][, data])``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import GenericAlias
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.http.endpoints import Call, Handler, endpoint

Row = TypeVar("Row")
T = TypeVar("T")
Rest = ParamSpec("Rest")
ListRows = Callable[[AsyncSession, Principal], Awaitable[Sequence[Row]]]
CreateRow = Callable[[AsyncSession, Principal, Any], Awaitable[Row]]
GetRow = Callable[[AsyncSession, Principal, str], Awaitable[Row]]
UpdateRow = Callable[[AsyncSession, Principal, str, Any], Awaitable[Row]]
# (session, actor, id, **delete_needs): the extra dependencies arrive as keyword arguments.
DeleteRow = Callable[..., Awaitable[object]]


def in_org(
    query: Callable[Concatenate[AsyncSession, str, Rest], Awaitable[T]],
) -> Callable[Concatenate[AsyncSession, Principal, Rest], Awaitable[T]]:
    """``query(session, organization_id, ...)`` asked for the caller's organisation:
    ``in_org(users.get_user)(session, actor, user_id)``."""

    async def scoped(
        session: AsyncSession, actor: Principal, /, *args: Rest.args, **kwargs: Rest.kwargs
    ) -> T:
        return await query(session, actor.organization_id, *args, **kwargs)

    return scoped


@dataclass(frozen=True, kw_only=True)
class JsonCrud(Generic[Row]):
    path: str  # "/skills", relative to the router
    noun: str  # "skill": routes list_skills, create_skill, ...; path parameter skill_id
    read_model: type[BaseModel]
    read: Permission
    write: Permission
    list_rows: ListRows[Row] | None = None
    create: CreateRow[Row] | None = None
    create_model: type[BaseModel] | None = None
    get: GetRow[Row] | None = None
    update: UpdateRow[Row] | None = None
    update_model: type[BaseModel] | None = None
    update_method: Literal["PATCH", "PUT"] = "PATCH"
    delete: DeleteRow | None = None
    # More dependencies of the delete route, passed to ``delete`` as keyword arguments.
    delete_needs: Mapping[str, Any] = field(default_factory=dict)
    # Row -> read_model (may be async, e.g. to load related ids); default: model_validate.
    dump: Callable[[AsyncSession, Row], BaseModel | Awaitable[BaseModel]] | None = None

    def __post_init__(self) -> None:
        if (self.create is None) != (self.create_model is None):
            raise ValueError(f"{self.noun}: give create and create_model together")
        if (self.update is None) != (self.update_model is None):
            raise ValueError(f"{self.noun}: give update and update_model together")

    @property
    def id_name(self) -> str:
        return f"{self.noun}_id"

    async def dumped(self, db: AsyncSession, row: Row) -> BaseModel:
        out = self.dump(db, row) if self.dump else self.read_model.model_validate(row)
        return await out if inspect.isawaitable(out) else out


def _list(crud: JsonCrud[Row], list_rows: ListRows[Row]) -> Handler:
    async def handle(c: Call) -> list[BaseModel]:
        return [await crud.dumped(c.db, row) for row in await list_rows(c.db, c.actor)]

    return handle


def _create(crud: JsonCrud[Row], create: CreateRow[Row]) -> Handler:
    async def handle(c: Call) -> BaseModel:
        return await crud.dumped(c.db, await create(c.db, c.actor, c.data))

    return handle


def _read(crud: JsonCrud[Row], get: GetRow[Row]) -> Handler:
    async def handle(c: Call) -> BaseModel:
        return await crud.dumped(c.db, await get(c.db, c.actor, c.ident))

    return handle


def _update(crud: JsonCrud[Row], update: UpdateRow[Row]) -> Handler:
    async def handle(c: Call) -> BaseModel:
        return await crud.dumped(c.db, await update(c.db, c.actor, c.ident, c.data))

    return handle


def _delete(delete: DeleteRow) -> Handler:
    async def handle(c: Call) -> Response:
        await delete(c.db, c.actor, c.ident, **c.needs)
        return Response(status_code=204)

    return handle


def add_json_crud(router: APIRouter, crud: JsonCrud[Row]) -> None:
    """Register the resource's routes on ``router`` (see the module's docstring)."""
    noun, one, item = crud.noun, crud.read_model, crud.id_name
    collection, member = crud.path, f"{crud.path}/{{{item}}}"
    if crud.list_rows is not None:
        route = endpoint(f"list_{noun}s", _list(crud, crud.list_rows), crud.read)
        many = GenericAlias(list, (one,))
        router.add_api_route(collection, route, methods=["GET"], response_model=many)
    if crud.create is not None:
        handler = _create(crud, crud.create)
        route = endpoint(f"create_{noun}", handler, crud.write, body=crud.create_model)
        router.add_api_route(
            collection, route, methods=["POST"], response_model=one, status_code=201
        )
    if crud.get is not None:
        route = endpoint(f"read_{noun}", _read(crud, crud.get), crud.read, item=item)
        router.add_api_route(member, route, methods=["GET"], response_model=one)
    if crud.update is not None:
        handler = _update(crud, crud.update)
        route = endpoint(f"update_{noun}", handler, crud.write, item=item, body=crud.update_model)
        router.add_api_route(member, route, methods=[crud.update_method], response_model=one)
    if crud.delete is not None:
        handler = _delete(crud.delete)
        route = endpoint(f"delete_{noun}", handler, crud.write, item=item, needs=crud.delete_needs)
        router.add_api_route(member, route, methods=["DELETE"], status_code=204)
