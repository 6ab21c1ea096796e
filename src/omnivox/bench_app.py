"""`uvicorn omnivox.bench_app:app_factory --factory`: the real app from environment settings
(used by benchmarks to serve Omnivox in its own process)."""

from __future__ import annotations

from fastapi import FastAPI

from omnivox.app import create_app
from omnivox.core.config import get_settings


def app_factory() -> FastAPI:
    return create_app(get_settings())
