"""HTML admin pages of one resource: a page with its table, and HTMX forms that create,
open for editing, save and delete a row, each answering with the table again.

``add_crud_pages(router, CrudPages(path="/skills", noun="skill", ...))`` registers::

    GET  /skills                     skills_page    page_template          (read permission)
    POST /skills                     create_skill   table, "Created …."    (write permission)
    GET  /skills/{skill_id}/edit     edit_skill     table, row editable    (write permission)
    POST /skills/{skill_id}          update_skill   table, "Saved …."      (write permission)
    POST /skills/{skill_id}/delete   delete_skill   table, "Skill deleted." (write permission)

Both templates get ``context(db, actor)`` plus ``editing`` (the id of the row shown as a
form, or None) and ``message``. ``create`` and ``update`` receive the submitted form as a
dict (see :func:`omnivox.http.forms.form_dict`) and call the domain; a refused form raises,
and the error handler answers as for any other request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.http.endpoints import Call, Handler, endpoint
from omnivox.http.forms import form_dict, render

Row = TypeVar("Row")
Form = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class CrudPages(Generic[Row]):
    path: str  # "/skills", relative to the router
    noun: str  # "skill": routes skills_page, create_skill, ...; path parameter skill_id
    read: Permission
    write: Permission
    page_template: str  # the whole page
    table_template: str  # the partial the forms swap
    context: Callable[[AsyncSession, Principal], Awaitable[dict[str, Any]]]
    get: Callable[[AsyncSession, Principal, str], Awaitable[object]]  # raises NotFound
    create: Callable[[AsyncSession, Principal, Form], Awaitable[Row]]
    update: Callable[[AsyncSession, Principal, str, Form], Awaitable[Row]]
    delete: Callable[..., Awaitable[object]]  # (session, actor, id, **delete_needs)
    label: Callable[[Row], str]  # "skill Sales" for "Created skill Sales."
    form_lists: tuple[str, ...] = ()  # fields sent once per chosen value
    # More dependencies of the delete route, passed to ``delete`` as keyword arguments.
    delete_needs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id_name(self) -> str:
        return f"{self.noun}_id"

    async def table(
        self, c: Call, *, message: str = "", editing: str | None = None
    ) -> HTMLResponse:
        context = await self.context(c.db, c.actor)
        return render(
            c.request, self.table_template, c.actor, **context, editing=editing, message=message
        )


def _page(pages: CrudPages[Row]) -> Handler:
    async def handle(c: Call) -> HTMLResponse:
        context = await pages.context(c.db, c.actor)
        return render(c.request, pages.page_template, c.actor, **context, editing=None, message="")

    return handle


def _create(pages: CrudPages[Row]) -> Handler:
    async def handle(c: Call) -> HTMLResponse:
        form = await form_dict(c.request, lists=pages.form_lists)
        row = await pages.create(c.db, c.actor, form)
        return await pages.table(c, message=f"Created {pages.label(row)}.")

    return handle


def _edit(pages: CrudPages[Row]) -> Handler:
    async def handle(c: Call) -> HTMLResponse:
        await pages.get(c.db, c.actor, c.ident)
        return await pages.table(c, editing=c.ident)

    return handle


def _update(pages: CrudPages[Row]) -> Handler:
    async def handle(c: Call) -> HTMLResponse:
        form = await form_dict(c.request, lists=pages.form_lists)
        row = await pages.update(c.db, c.actor, c.ident, form)
        return await pages.table(c, message=f"Saved {pages.label(row)}.")

    return handle


def _delete(pages: CrudPages[Row]) -> Handler:
    async def handle(c: Call) -> HTMLResponse:
        await pages.delete(c.db, c.actor, c.ident, **c.needs)
        return await pages.table(c, message=f"{pages.noun.capitalize()} deleted.")

    return handle


def add_crud_pages(router: APIRouter, pages: CrudPages[Row]) -> None:
    """Register the resource's pages on ``router`` (see the module's docstring)."""
    noun, item = pages.noun, pages.id_name
    collection, member = pages.path, f"{pages.path}/{{{item}}}"
    read, write = pages.read, pages.write
    none: Mapping[str, Any] = {}
    routes: list[tuple[str, str, Handler, Permission, str, Mapping[str, Any]]] = [
        (collection, f"{noun}s_page", _page(pages), read, "GET", none),
        (collection, f"create_{noun}", _create(pages), write, "POST", none),
        (f"{member}/edit", f"edit_{noun}", _edit(pages), write, "GET", none),
        (member, f"update_{noun}", _update(pages), write, "POST", none),
        (f"{member}/delete", f"delete_{noun}", _delete(pages), write, "POST", pages.delete_needs),
    ]
    for path, name, handler, permission, method, needs in routes:
        ident = item if path != collection else ""
        route = endpoint(name, handler, permission, item=ident, needs=needs)
        router.add_api_route(path, route, methods=[method])
