"""Presentation helpers shared by the definitions: short reprs, fingerprints, HTML tables.

Imports nothing of pengaduan, so every layer may use it.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import attrs

# The styles every HTML fragment of the library carries with it, scoped to ``.pengaduan``:
# a notebook, the docs site and a mail client show the fragment alike.
STYLE = (
    "<style>"
    ".pengaduan{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "font-size:13px;line-height:1.4;color:#1f2328;max-width:100%;overflow-x:auto}"
    ".pengaduan h3,.pengaduan h4{margin:.6em 0 .3em;font-weight:600}"
    ".pengaduan table{border-collapse:collapse;margin:.3em 0 .8em;font-size:13px}"
    ".pengaduan th,.pengaduan td{border:1px solid #d0d7de;padding:3px 8px;"
    "text-align:left;vertical-align:top}"
    ".pengaduan th{background:#f3f5f7;font-weight:600}"
    ".pengaduan td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".pengaduan .muted{color:#59636e}"
    "</style>"
)

# Inline styles for the same look where a <style> element is dropped (many mail clients).
TABLE_STYLE = "border-collapse:collapse;margin:.3em 0 .8em;font-size:13px"
TH_STYLE = (
    "border:1px solid #d0d7de;padding:3px 8px;text-align:left;background:#f3f5f7;font-weight:600"
)
TD_STYLE = "border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top"
BOX_STYLE = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px;"
    "line-height:1.4;color:#1f2328;max-width:100%;overflow-x:auto"
)


def esc(value: object) -> str:
    """HTML-escape ``str(value)``, quotes included."""
    return html.escape(str(value), quote=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A styled HTML table; cells are escaped (pass `Markup` for ready HTML)."""
    head = "".join(f'<th style="{TH_STYLE}">{esc(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td style="{TD_STYLE}">{c.html if isinstance(c, Markup) else esc(c)}</td>'
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    # A class of its own: themes (mkdocs-material) restyle tables without one.
    return (
        f'<table class="pengaduan-table" style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


@attrs.frozen
class Markup:
    """HTML that `table` puts in a cell as it is."""

    html: str


def fragment(title: str, body: str) -> str:
    """A self-styled HTML fragment with a heading."""
    return f'<div class="pengaduan" style="{BOX_STYLE}">{STYLE}<h4>{esc(title)}</h4>{body}</div>'


def names(values: Iterable[str], limit: int = 5) -> str:
    """Up to `limit` names, comma-separated, then how many more."""
    items = list(values)
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f", +{len(items) - limit}"
    return shown


def clip(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fingerprint(value: object) -> str:
    """A 16-hex-digit digest of a definition's fields (calendars by their own fingerprint)."""
    return hashlib.sha256(_canonical(value).encode()).hexdigest()[:16]


def _canonical(value: Any) -> str:
    own = getattr(type(value), "fingerprint", None)
    if isinstance(own, property) and not isinstance(value, type):
        return f"{type(value).__name__}<{value.fingerprint}>"
    if attrs.has(type(value)):
        parts = [
            f"{a.name}={_canonical(getattr(value, a.name))}"
            for a in attrs.fields(type(value))
            if a.init and not a.name.startswith("_")
        ]
        return f"{type(value).__name__}({','.join(parts)})"
    if isinstance(value, Enum):
        return repr(value.value)
    if isinstance(value, str | int | float | bool | None | date | datetime | timedelta):
        return repr(value)
    if isinstance(value, Mapping):
        items = sorted((_canonical(k), _canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, frozenset | set):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, tuple | list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '?')}"
    return repr(value)


def _border(cx: float, cy: float, tx: float, ty: float, w: float, h: float) -> tuple[float, float]:
    """Where the ray from a box's centre towards ``(tx, ty)`` leaves the box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (w / 2) / abs(dx) if dx else float("inf"),
        (h / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale


def workflow_svg(
    states: Sequence[tuple[str, str, bool]],
    initial: str,
    edges: Sequence[tuple[str, str, str]],
) -> str:
    """A workflow's state diagram as inline SVG, laid out in columns by distance from the start.

    Args:
        states: ``(name, label, terminal)`` of every state.
        initial: The initial state's name.
        edges: ``(action, source, destination)`` of every state-changing action.
    """
    w, h, gap_x, gap_y, pad = 150.0, 44.0, 70.0, 34.0, 30.0
    top = pad + 40  # room for the arcs of back edges above the first row
    depth: dict[str, int] = {initial: 0}
    frontier = [initial]
    while frontier:
        nxt = []
        for here in frontier:
            for _, src, dst in edges:
                if src == here and dst not in depth:
                    depth[dst] = depth[here] + 1
                    nxt.append(dst)
        frontier = nxt
    last = max(depth.values(), default=0)
    for name, _, _ in states:
        depth.setdefault(name, last + 1)
    columns: dict[int, list[str]] = {}
    for name, _, _ in states:
        columns.setdefault(depth[name], []).append(name)
    centre: dict[str, tuple[float, float]] = {}
    for col, members in columns.items():
        for row, name in enumerate(members):
            centre[name] = (
                pad + 40 + col * (w + gap_x) + w / 2,
                top + row * (h + gap_y) + h / 2,
            )
    width = pad * 2 + 40 + (max(columns) + 1) * (w + gap_x)
    height = top + pad + max(len(m) for m in columns.values()) * (h + gap_y)
    labels: dict[tuple[str, str], list[str]] = {}
    for action, src, dst in edges:
        labels.setdefault((src, dst), []).append(action)
    out = [
        # At its own size (labels stay legible), scrolled sideways where the page is narrower.
        '<div style="overflow-x:auto;max-width:100%">'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'style="max-width:none;font-family:system-ui,sans-serif">',
        '<defs><marker id="pengaduan-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0L10,5L0,10z" fill="#57606a"/></marker></defs>',
    ]
    named: set[tuple[str, str]] = set()
    for (src, dst), actions in labels.items():
        (x1, y1), (x2, y2) = centre[src], centre[dst]
        forward = depth[dst] == depth[src] + 1
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        length = max((dx * dx + dy * dy) ** 0.5, 1.0)
        nx, ny = -dy / length, dx / length
        if (dst, src) in labels:
            bend = 22.0  # a pair of opposite edges: one on each side of the straight line
        elif forward:
            bend = 0.0
        elif depth[dst] == depth[src]:  # within a column: clear the boxes between them
            skips = abs(y2 - y1) > h + gap_y + 1  # a box lies between them
            bend = w + 40.0 if skips else 35.0  # the arc's peak is half the bend away
        else:
            bend = 55.0 + 12 * abs(depth[dst] - depth[src])  # back or skipping: arc around
        cx, cy = mx + nx * bend, my + ny * bend
        sx, sy = _border(x1, y1, cx, cy, w + 4, h + 4)
        ex, ey = _border(x2, y2, cx, cy, w + 8, h + 8)
        out.append(
            f'<path d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}" fill="none" '
            'stroke="#57606a" stroke-width="1.3" marker-end="url(#pengaduan-arrow)"/>'
        )
        text = ", ".join(actions)
        if (dst, text) in named:  # one label for the arrows of one action into one state
            continue
        named.add((dst, text))
        lx, ly = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
        out.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" font-size="11" '
            'fill="#0b5394" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{esc(text)}</text>"
        )
    ix, iy = centre[initial]
    out.append(f'<circle cx="{ix - w / 2 - 32:.1f}" cy="{iy:.1f}" r="6" fill="#1f2328"/>')
    out.append(
        f'<path d="M{ix - w / 2 - 26:.1f},{iy:.1f} L{ix - w / 2 - 4:.1f},{iy:.1f}" '
        'stroke="#57606a" stroke-width="1.3" marker-end="url(#pengaduan-arrow)"/>'
    )
    for name, label, terminal in states:
        x, y = centre[name]
        stroke = "#1f2328" if terminal else "#8c959f"
        width_px = "2.5" if terminal else "1.2"
        out.append(
            f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.0f}" height="{h:.0f}" '
            f'rx="8" fill="#f6f8fa" stroke="{stroke}" stroke-width="{width_px}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#1f2328">{esc(clip(name, 22))}</text>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{y + 12:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#59636e">{esc(clip(label, 24))}</text>'
        )
    out.append("</svg></div>")
    return "".join(out)


def when(instant: datetime | None) -> str:
    """An instant to the minute, in its own offset; ``-`` for none."""
    return "-" if instant is None else instant.isoformat(timespec="minutes")


NUMBER = re.compile(r"[-+]?[\d.,]+\s*(%|/\s*[\d.,]+.*)?")


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    # Inline styles, so that the table reads alike in a notebook, on the docs site and in a
    # mail client that drops <style> elements; numbers are right-aligned.
    head = "".join(f'<th style="{TH_STYLE}">{html.escape(h)}</th>' for h in header)

    def cell(text: str) -> str:
        align = ";text-align:right" if NUMBER.fullmatch(text.strip()) else ""
        return f'<td style="{TD_STYLE}{align}">{html.escape(text)}</td>'

    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="pengaduan-table" style="{TABLE_STYLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def styled(body: str) -> str:
    """An HTML fragment that carries its own (scoped) styles."""
    return f'<div class="pengaduan" style="{BOX_STYLE}">{STYLE}{body}</div>'
