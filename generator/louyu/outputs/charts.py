"""Small bar charts for the report page, drawn as inline SVG when the site is built: no
chart library, nothing fetched by the reader, and printed as they are shown.

Each chart is an image with an accessible name that says what it shows and its numbers
(the same numbers are in a table beside it, for whoever would rather read them).
"""

from __future__ import annotations

from html import escape


def bar_chart(values: list[int], labels: list[str], name: str, width: int = 360, height: int = 96, axis: bool = True) -> str:
    """Bars of `values` (one per label), scaled to the largest; `name` is the chart's
    accessible name, to which the numbers are added."""
    n = max(len(values), 1)
    top = max(values, default=0) or 1
    label_band = 16 if axis else 0
    plot = height - label_band - (12 if axis else 2)
    gap = 2
    bar = max((width - gap * (n - 1)) / n, 1.0)
    spoken = "，".join(f"{lab} {v}" for lab, v in zip(labels, values))
    parts = [
        f'<svg class="louyu-chart" role="img" aria-label="{escape(name)}：{escape(spoken)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    base = height - label_band
    for k, (value, label) in enumerate(zip(values, labels)):
        x = k * (bar + gap)
        h = 0 if value == 0 else max(plot * value / top, 1.5)
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}"><title>{escape(label)}：{value}</title></rect>')
        if axis:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">{value}</text>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - 3}" text-anchor="middle">{escape(label)}</text>')
    if not axis:  # a baseline, so that months with nothing still read as months
        parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" />')
    parts.append("</svg>")
    return "".join(parts)
