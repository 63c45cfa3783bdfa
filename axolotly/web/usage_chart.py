"""A bar chart of minutes per day as inline SVG, drawn on the server: no script, no CDN.

Accessible: the SVG has a title and each bar its own <title>; the page's table carries the
same figures for screen readers and for copying.
"""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from axolotly.i18n import format_moment, gettext

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 560, 200, 16, 28, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the day, as its tooltip says it ("Mon 03 Nov")
    tick: str  # the day of the month, under the bar
    value: int


def _scale_top(largest: int) -> int:
    """A round top for the axis: 30, 60, 120, 180, 240 … minutes."""
    for top in (30, 60, 120, 180, 240, 360, 480, 720, 1440):
        if largest <= top:
            return top
    return largest


def minutes_words(minutes: int) -> str:
    return gettext("%(minutes)d min") % {"minutes": minutes}


def bar_chart(points: list[tuple[date, int]], title: str) -> Markup:
    top = _scale_top(max((minutes for _, minutes in points), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(1, len(points))
    bars = []
    for index, (day, minutes) in enumerate(points):
        height = plot_height * minutes / top if top else 0
        bars.append(
            Bar(
                LEFT + index * slot + slot * 0.15,
                TOP + plot_height - height,
                slot * 0.7,
                height,
                format_moment(day, "day"),
                str(day.day),
                minutes,
            )
        )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(title)}</title>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="axis">{escape(minutes_words(top))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_height}" text-anchor="end" class="axis">0</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH}" y2="{TOP + plot_height}" class="baseline"/>',
    ]
    for bar in bars:
        parts.append(
            f'<rect x="{bar.x:.1f}" y="{bar.y:.1f}" width="{bar.width:.1f}" height="{bar.height:.1f}" '
            f'class="bar"><title>{escape(bar.label)}: {escape(minutes_words(bar.value))}</title></rect>'
        )
        parts.append(
            f'<text x="{bar.x + bar.width / 2:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'class="axis">{escape(bar.tick)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # every value above went through escape()
