"""Endpoints made from a handler, for routes declared by a helper instead of written out.

FastAPI reads an endpoint's signature to know its path parameter, body, dependencies and
declared permission. :func:`endpoint` writes that signature for a generated route (with
the path parameter's real name, so paths and the OpenAPI document stay as they were) and
hands the handler one :class:`Call`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.core.security.permissions import Permission
from omnivox.core.security.principal import Principal
from omnivox.http.deps import DB, Allow

_KW = inspect.Parameter.KEYWORD_ONLY


@dataclass(frozen=True)
class Call:
    """What a generated endpoint hands its handler."""

    request: Request
    db: AsyncSession
    actor: Principal
    ident: str  # the path parameter's value; "" on a collection route
    data: Any  # the validated JSON body; None without one
    needs: dict[str, Any] = field(default_factory=dict)  # resolved extra dependencies


Handler = Callable[[Call], Awaitable[Any]]


def endpoint(
    name: str,
    handler: Handler,
    permission: Permission,
    *,
    item: str = "",
    body: type[BaseModel] | None = None,
    needs: Mapping[str, Any] | None = None,
) -> Callable[..., Awaitable[Any]]:
    """``handler`` as an endpoint named ``name``: path parameter ``item`` (if any), JSON
    body ``body`` (if any), the database session, the caller holding ``permission``, and
    ``needs``: more dependencies by name (``{"guard": Annotated[X, Depends(x)]}``), handed
    over resolved in :attr:`Call.needs`."""
    needs = dict(needs or {})
    params = [inspect.Parameter(item, _KW, annotation=str)] if item else []
    if body is not None:
        params.append(inspect.Parameter("data", _KW, annotation=body))
    params += [
        inspect.Parameter("request", _KW, annotation=Request),
        inspect.Parameter("db", _KW, annotation=DB),
        *(inspect.Parameter(key, _KW, annotation=dep) for key, dep in needs.items()),
        inspect.Parameter("actor", _KW, annotation=Principal, default=Allow(permission)),
    ]

    async def generated(**kwargs: Any) -> Any:
        ident = kwargs[item] if item else ""
        resolved = {key: kwargs[key] for key in needs}
        c = Call(
            kwargs["request"], kwargs["db"], kwargs["actor"], ident, kwargs.get("data"), resolved
        )
        return await handler(c)

    generated.__name__ = generated.__qualname__ = name
    generated.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return generated
