"""Prometheus metrics, in one registry per app so tests can build several apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.http_requests = Counter(
            "omnivox_http_requests_total",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "omnivox_http_request_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.webhooks = Counter(
            "omnivox_webhooks_total",
            "Provider webhooks by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.calls_ended = Counter(
            "omnivox_calls_ended_total",
            "Calls that reached an end, by end reason",
            ["end_reason"],
            registry=self.registry,
        )
        self.logins = Counter(
            "omnivox_logins_total",
            "Sign-in attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )
