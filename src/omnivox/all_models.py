"""Imports every domain's tables so the metadata (and Alembic) sees the whole schema."""

from omnivox.accounts import models as accounts_models
from omnivox.agents import models as agents_models
from omnivox.campaigns import models as campaigns_models
from omnivox.core.db import Base
from omnivox.dialer import models as dialer_models
from omnivox.media import models as media_models
from omnivox.reporting import models as reporting_models
from omnivox.reporting import saved_models as reporting_saved_models
from omnivox.reporting import schedule_models as reporting_schedule_models
from omnivox.routing import models as routing_models
from omnivox.telephony import models as telephony_models
from omnivox.voicemail import models as voicemail_models

__all__ = [
    "Base",
    "accounts_models",
    "agents_models",
    "campaigns_models",
    "dialer_models",
    "media_models",
    "reporting_models",
    "reporting_saved_models",
    "reporting_schedule_models",
    "routing_models",
    "telephony_models",
    "voicemail_models",
]
