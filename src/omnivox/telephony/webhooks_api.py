"""The one webhook ingress: /hooks/telephony/{provider}/{kind}.

Public by necessity (the carrier calls it), so every request must carry a valid provider
signature over the public URL; an unsigned or forged one answers 403, is logged, and changes
nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from omnivox.core.logging import get_logger
from omnivox.http import PUBLIC
from omnivox.telephony.errors import InvalidWebhookError
from omnivox.telephony.instructions import Hangup
from omnivox.telephony.ports import WebhookKind
from omnivox.telephony.runtime import runtime_of

log = get_logger(__name__)
router = APIRouter(include_in_schema=False)
_ANSWERED_WITH_INSTRUCTIONS = {WebhookKind.VOICE, WebhookKind.GATHER, WebhookKind.DIAL}


@router.post("/hooks/telephony/{provider}/{kind}", dependencies=[PUBLIC])
async def telephony_webhook(provider: str, kind: str, request: Request) -> Response:
    svc = runtime_of(request).service
    try:
        hook_kind = WebhookKind(kind)
    except ValueError:
        return Response("unknown webhook kind", status_code=404)
    if provider != svc.provider.name:
        return Response("unknown provider", status_code=404)
    params = {k: str(v) for k, v in (await request.form()).items()}
    url = svc.urls.verification_url(request.url.path, request.url.query)
    metrics = request.app.state.omnivox.metrics
    if not svc.provider.verify_webhook(url, params, request.headers.get("X-Twilio-Signature")):
        metrics.webhooks.labels(kind, "bad-signature").inc()
        log.warning(
            "webhook signature refused", kind=kind, call_sid=params.get("CallSid", ""), url=url
        )
        return Response("invalid signature", status_code=403)
    try:
        event = svc.provider.parse_webhook(hook_kind, params)
    except InvalidWebhookError as exc:
        metrics.webhooks.labels(kind, "malformed").inc()
        log.warning("malformed webhook", kind=kind, error=str(exc))
        return Response(str(exc), status_code=400)
    reply = await runtime_of(request).ingress.handle(event, dict(request.query_params))
    metrics.webhooks.labels(kind, "applied").inc()
    if hook_kind in _ANSWERED_WITH_INSTRUCTIONS:
        body = svc.provider.render(reply.instructions or (Hangup(),))
        return Response(body, media_type=svc.provider.instructions_media_type)
    return Response(status_code=204)
