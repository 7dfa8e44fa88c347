"""Charts drawn on the server as inline SVG (no JavaScript library, no CDN): horizontal bars."""
from __future__ import annotations

from markupsafe import Markup, escape

ROW = 22
LABEL_WIDTH = 170
BAR_WIDTH = 380
VALUE_WIDTH = 80


def bar_chart_svg(labels: list[str], values: list[float], unit: str = "", title: str = "") -> Markup:
    """One bar per label, scaled to the largest value; the number is written beside each bar."""
    top = max((v or 0) for v in values) if values else 0
    height = ROW * max(len(values), 1) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
             f'aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-size="12">']
    if not values:
        parts.append(f'<text x="0" y="16" fill="#666">暂无数据</text>')
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 4 + i * ROW
        length = 0 if not top else round(BAR_WIDTH * (value or 0) / top, 1)
        shown = f"{value:g}{unit}" if isinstance(value, float) else f"{value:,}{unit}"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{escape(str(label))}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{ROW - 6}" fill="#3a78b5">'
                     f'<title>{escape(str(label))}: {shown}</title></rect>'
                     f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 14}">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def table_chart(table) -> Markup:
    labels = [row[table.label_column] for row in table.rows]
    values = [row[table.chart_column] for row in table.rows]
    return bar_chart_svg(labels, values, table.unit, table.title)
