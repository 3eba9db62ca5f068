"""Charts for the audit report as geometry: bars, labels and a legend, drawn by the template.

Nothing here writes SVG markup: the template turns these shapes into inline SVG with
autoescaping on, so a label can never inject markup. Sizes are in SVG user units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

PALETTE = {
    "publish": "#2e7d32",
    "publish_with_redactions": "#81c784",
    "do_not_publish": "#8b0000",
    "refer": "#f0a202",
    "incomplete": "#9e9e9e",
    "none": "#cfd8dc",
}
BAR = "#1f3a5f"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"  # SVG text-anchor
    size: float = 9


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def _scale(top: int) -> int:
    return max(top, 1)


def stacked_columns(
    columns: Mapping[str, Mapping[str, int]], keys: Sequence[str], width: float = 500
) -> Chart:
    """One column per entry of `columns` (e.g. a month), stacked by `keys`, with a legend."""
    height, left, bottom, top_pad = 230.0, 34.0, 40.0, 10.0
    plot_h = height - bottom - top_pad - 18
    top = _scale(max((sum(c.values()) for c in columns.values()), default=0))
    step = (width - left) / max(len(columns), 1)
    chart = Chart(width, height)
    chart.labels.append(Label(left - 4, top_pad + 4, str(top), "end", 8))
    chart.labels.append(Label(left - 4, top_pad + plot_h, "0", "end", 8))
    for i, (name, parts) in enumerate(columns.items()):
        x, y = left + i * step + step * 0.15, top_pad + plot_h
        for key in keys:
            h = plot_h * parts.get(key, 0) / top
            if h > 0:
                y -= h
                chart.rects.append(
                    Rect(x, y, step * 0.7, h, PALETTE.get(key, BAR), f"{name} {key}")
                )
        chart.labels.append(Label(x + step * 0.35, top_pad + plot_h + 11, name[2:], "middle", 7))
    lx = left
    for key in keys:
        text = key.replace("_", " ")
        chart.rects.append(Rect(lx, height - 14, 8, 8, PALETTE.get(key, BAR), key))
        chart.labels.append(Label(lx + 11, height - 9.5, text, size=7.5))
        lx += 11 + 4.6 * len(text) + 14  # about the width of the label at 7.5 units
    return chart


def bars(counts: Mapping[str, int], width: float = 500) -> Chart:
    """Horizontal bars, one per entry, with its count at the end."""
    row, left = 20.0, 150.0
    chart = Chart(width, row * max(len(counts), 1) + 6)
    top = _scale(max(counts.values(), default=0))
    for i, (name, count) in enumerate(counts.items()):
        y = 3 + i * row
        w = (width - left - 40) * count / top
        chart.rects.append(Rect(left, y, max(w, 0.5), row - 6, BAR, f"{name}: {count}"))
        chart.labels.append(Label(left - 6, y + row / 2, name.replace("_", " "), "end"))
        chart.labels.append(Label(left + w + 4, y + row / 2, str(count)))
    return chart


def columns(counts: Mapping[str, int], width: float = 500) -> Chart:
    """Vertical bars, one per entry (e.g. a histogram bucket), counts on top."""
    height, bottom = 170.0, 22.0
    plot_h = height - bottom - 16
    top = _scale(max(counts.values(), default=0))
    step = width / max(len(counts), 1)
    chart = Chart(width, height)
    for i, (name, count) in enumerate(counts.items()):
        h = plot_h * count / top
        x, y = i * step + step * 0.15, 14 + plot_h - h
        chart.rects.append(Rect(x, y, step * 0.7, h, BAR, f"{name}: {count}"))
        chart.labels.append(Label(x + step * 0.35, y - 3, str(count), "middle", 8))
        chart.labels.append(Label(x + step * 0.35, height - 8, name, "middle", 8))
    return chart
