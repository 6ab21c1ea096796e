"""A bar chart as SVG, drawn on the server for the PDF export (WeasyPrint runs no
JavaScript, so the page's chart library cannot draw it there)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 10, 16, 70


def _nice_step(top: float) -> float:
    """A round tick step giving about five ticks up to ``top``."""
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def bar_chart(labels: Sequence[str], values: Sequence[float | None], title: str) -> str:
    """One bar per label (None: no bar), a value axis from zero, labels under the bars."""
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    numbers = [v or 0.0 for v in values]
    top = max([*numbers, 0.0])
    step = _nice_step(top) if top > 0 else 1.0
    top = step * math.ceil(top / step) if top > 0 else 1.0
    lo = min([*numbers, 0.0])
    span = top - lo

    def y(v: float) -> float:
        return _TOP + plot_h * (top - v) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
    ]
    tick = 0.0
    while tick <= top + step / 2:
        parts.append(
            f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{_LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end">{_number(tick)}</text>'
        )
        tick += step
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.7, 1.0)
    every = max(1, math.ceil(len(labels) / 30))  # at most 30 labels under the axis
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = _LEFT + i * slot + (slot - bar) / 2
        if value is not None:
            y0, y1 = sorted((y(0.0), y(value)))
            parts.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(y1 - y0, 0.5):.1f}"'
                f' fill="#3b6fb6"><title>{escape(label)}: {_number(value)}</title></rect>'
            )
        if i % every == 0:
            cx, cy = x + bar / 2, HEIGHT - _BOTTOM + 10
            parts.append(
                f'<text x="{cx:.1f}" y="{cy}" text-anchor="end" '
                f'transform="rotate(-40 {cx:.1f} {cy})">{escape(label[:24])}</text>'
            )
    parts.append(
        f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y(0.0):.1f}" y2="{y(0.0):.1f}" '
        'stroke="#333"/></svg>'
    )
    return "".join(parts)
