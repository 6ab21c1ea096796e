"""The disposition catalogue."""

from __future__ import annotations

from fastapi import APIRouter

from omnivox.accounts import dispositions as disp
from omnivox.accounts.models import Disposition
from omnivox.accounts.schemas import DispositionCreate, DispositionRead, DispositionUpdate
from omnivox.core.security.permissions import Permission as P
from omnivox.http import JsonCrud, add_json_crud, in_org

router = APIRouter(tags=["dispositions"])

add_json_crud(
    router,
    JsonCrud[Disposition](
        path="/dispositions",
        noun="disposition",
        read_model=DispositionRead,
        read=P.DISPOSITIONS_READ,
        write=P.DISPOSITIONS_WRITE,
        list_rows=in_org(disp.list_dispositions),
        create=disp.create_disposition,
        create_model=DispositionCreate,
        get=in_org(disp.get_disposition),
        update=disp.update_disposition,
        update_model=DispositionUpdate,
        delete=disp.delete_disposition,
    ),
)
