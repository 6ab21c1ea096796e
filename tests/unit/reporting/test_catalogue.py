"""The metric catalogue is defined once: docs/metrics.md is generated from it, every
figure is computed through it, and its thresholds are the rollups' buckets."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from omnivox.core.config import Settings
from omnivox.reporting import METRICS, TEMPLATES, Unit
from omnivox.reporting.catalogue_doc import render
from omnivox.reporting.intervals import WAIT_BUCKETS

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_the_metrics_page_matches_the_catalogue() -> None:
    assert DOC.read_text() == render(), (
        "docs/metrics.md is stale: python -m omnivox.reporting.catalogue_doc > docs/metrics.md"
    )


def test_every_metric_is_named_labelled_and_documented() -> None:
    assert len(METRICS) >= 30
    for name, metric in METRICS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name) and metric.name == name
        assert metric.label and metric.formula and metric.reads and metric.counts_in
        assert f"`{name}`" in render()


def test_a_percentage_of_nothing_is_empty_not_zero() -> None:
    for metric in METRICS.values():
        if metric.unit in (Unit.PERCENT, Unit.RATE) or metric.name in ("asa", "aht"):
            assert metric.compute({}) is None, metric.name


def test_templates_name_only_catalogue_metrics() -> None:
    for template in TEMPLATES.values():
        assert set(template.metrics) <= set(METRICS), template.name


def test_the_short_abandon_threshold_is_one_of_the_wait_buckets() -> None:
    allowed = typing.get_args(Settings.model_fields["report_short_abandon_seconds"].annotation)
    assert tuple(allowed) == WAIT_BUCKETS
    with pytest.raises(ValidationError, match="report_short_abandon_seconds"):
        Settings(_env_file=None, report_short_abandon_seconds=15)  # type: ignore[call-arg,arg-type]
    with pytest.raises(ValidationError, match="report_max_days"):
        Settings(_env_file=None, report_max_days=0)  # type: ignore[call-arg]
