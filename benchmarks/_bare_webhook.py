"""Baseline server for benchmarks/status_callbacks.py: the same framework and signature check
as Omnivox's webhook ingress, and nothing else (no parsing into events, no state, no DB)."""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import Response

from omnivox.telephony.providers.twilio import verify_signature

AUTH_TOKEN = os.environ["BENCH_AUTH_TOKEN"]
PUBLIC = os.environ["BENCH_PUBLIC"]
app = FastAPI()


@app.post("/hooks/telephony/twilio/status")
async def bare(request: Request) -> Response:
    params = {k: str(v) for k, v in (await request.form()).items()}
    url = f"{PUBLIC}{request.url.path}?{request.url.query}"
    ok = verify_signature(AUTH_TOKEN, url, params, request.headers.get("X-Twilio-Signature"))
    return Response(status_code=204 if ok else 403)
