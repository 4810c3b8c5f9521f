"""An account plan as one self-contained HTML file (CSS inline, the org chart a ``data:`` URI), or — with
``flavor="qt"`` — the same markup with a stylesheet QTextDocument understands, which ``plan_pdf`` prints.

Every value is escaped; the only URLs are the ``<a href>`` links to sources and content (checked http(s) or
mailto links: data, not resources). Nothing is fetched when the file is opened.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

from bdr_desk.export.plan_blocks import (
    Block,
    Bullets,
    Callout,
    Facts,
    Figure,
    Heading,
    Link,
    Para,
    PlanDocument,
    Rich,
    Strong,
    Table,
)
from bdr_desk.export.plan_format import (
    ACCENT,
    CALLOUT_FILL,
    CALLOUT_RULE,
    HEAD_FILL,
    INK,
    MUTED,
    RULE,
    fit,
)

FIGURE_MAX_W, FIGURE_MAX_H = 680, 600  # CSS px: the A4 text width; a chart taller than a page is scaled down

WEB_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm; }}
* {{ box-sizing: border-box; }}
html {{ background: #f8fafc; }}
body {{ margin: 0; color: {INK}; font: 10.5pt/1.5 "Inter", "Segoe UI", "Helvetica Neue", Arial, sans-serif; }}
.plan {{ max-width: 210mm; margin: 24px auto; padding: 18mm 16mm; background: #fff;
        box-shadow: 0 1px 3px rgba(15, 23, 42, .12); }}
.kicker {{ margin: 0; color: {ACCENT}; font-size: 9pt; font-weight: 600; letter-spacing: .08em;
          text-transform: uppercase; }}
h1 {{ margin: 2px 0 4px; font-size: 24pt; line-height: 1.2; }}
.subtitle {{ margin: 0 0 18px; color: {MUTED}; }}
h2 {{ margin: 26px 0 10px; padding-bottom: 4px; border-bottom: 2px solid {ACCENT}; color: {INK};
     font-size: 15pt; break-after: avoid; }}
h3 {{ margin: 18px 0 6px; color: {ACCENT}; font-size: 11.5pt; break-after: avoid; }}
p {{ margin: 0 0 8px; }}
p.lead {{ font-size: 11pt; }}
p.muted, .caption {{ color: {MUTED}; }}
.caption {{ font-size: 9pt; text-align: center; margin-top: 4px; }}
a {{ color: {ACCENT}; text-decoration: none; }}
a:hover {{ text-decoration: underline; }}
table {{ width: 100%; border-collapse: collapse; margin: 4px 0 12px; font-size: 9.5pt; }}
th, td {{ padding: 5px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid {RULE}; }}
thead th {{ background: {HEAD_FILL}; color: #334155; font-weight: 600; border-bottom: 1px solid #cbd5e1; }}
tr {{ break-inside: avoid; }}
table.facts th {{ width: 17%; background: none; color: {MUTED}; font-weight: 500; }}
table.facts td {{ width: 33%; }}
table.callout {{ background: {CALLOUT_FILL}; border: 1px solid {CALLOUT_RULE}; border-left: 4px solid {ACCENT}; }}
table.callout td {{ border: 0; padding: 10px 14px; }}
.callout-title {{ margin: 0 0 4px; font-weight: 600; color: {ACCENT}; }}
ul {{ margin: 0; padding-left: 20px; }}
.chart {{ margin: 8px 0 14px; text-align: center; }}
.chart img {{ max-width: 100%; height: auto; border: 1px solid {RULE}; }}
@media print {{ html {{ background: #fff; }} .plan {{ margin: 0; padding: 0; box-shadow: none; max-width: none; }}
               a {{ color: {INK}; }} }}
"""

# QTextDocument's CSS subset: no box model on blocks, borders only on tables and cells, sizes in pt
QT_CSS = f"""
body {{ color: {INK}; font-family: "DejaVu Sans", "Helvetica", "Arial", sans-serif; font-size: 9pt; }}
.kicker {{ color: {ACCENT}; font-size: 8pt; font-weight: bold; }}
h1 {{ font-size: 19pt; margin-top: 0px; margin-bottom: 2px; }}
.subtitle {{ color: {MUTED}; margin-bottom: 10px; }}
h2 {{ color: {ACCENT}; font-size: 13.5pt; margin-top: 18px; margin-bottom: 6px; }}
h3 {{ color: {INK}; font-size: 10.5pt; margin-top: 12px; margin-bottom: 4px; }}
p {{ margin-top: 3px; margin-bottom: 4px; }}
p.muted, .caption {{ color: {MUTED}; }}
.caption {{ font-size: 7.5pt; }}
a {{ color: {ACCENT}; text-decoration: none; }}
table.data {{ border-collapse: collapse; border-style: solid; border-width: 0.5px; border-color: {RULE};
             margin-top: 2px; margin-bottom: 0px; font-size: 8pt; }}
table.data th {{ background-color: {HEAD_FILL}; color: #334155; font-weight: bold; text-align: left;
                border-style: solid; border-width: 0.5px; border-color: {RULE}; }}
table.data td {{ border-style: solid; border-width: 0.5px; border-color: {RULE}; vertical-align: top; }}
table.facts {{ margin-bottom: 6px; }}
table.facts th {{ color: {MUTED}; font-weight: normal; text-align: left; }}
table.callout {{ background-color: {CALLOUT_FILL}; border-style: solid; border-width: 1px;
                border-color: {CALLOUT_RULE}; margin-bottom: 8px; }}
.callout-title {{ color: {ACCENT}; font-weight: bold; }}
"""


def data_uri(fig: Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(fig.png or b"").decode("ascii")


def inline(parts: Rich) -> str:
    out = []
    for p in parts:
        if isinstance(p, Link):
            out.append(f'<a href="{escape(p.url, quote=True)}">{escape(p.text)}</a>')
        elif isinstance(p, Strong):
            out.append(f"<strong>{escape(p.text)}</strong>")
        else:
            out.append(escape(p))
    return "".join(out)


def _table(t: Table) -> str:
    widths = t.widths if len(t.widths) == len(t.headers) else ()
    head = "".join(f'<th width="{widths[i]}%">{escape(h)}</th>' if widths else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(t.headers))
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in t.rows)
    kind = f" {escape(t.kind, quote=True)}" if t.kind else ""
    return (f'<table class="data{kind}" width="100%" cellspacing="0" cellpadding="4">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _facts(f: Facts) -> str:
    rows = []
    for i in range(0, len(f.rows), 2):
        pair = f.rows[i:i + 2]
        cells = "".join(f'<th width="17%">{escape(label)}</th><td width="33%">{inline(value)}</td>'
                        for label, value in pair)
        if len(pair) == 1:
            cells += '<th width="17%"></th><td width="33%"></td>'
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="facts" width="100%" cellspacing="0" cellpadding="3">{"".join(rows)}</table>'


def _figure(fig: Figure, src: Callable[[Figure], str]) -> str:
    if not fig.png:
        return ""
    w, h = fit(fig.width_px, fig.height_px, FIGURE_MAX_W, FIGURE_MAX_H)
    return (f'<div class="chart" align="center"><img src="{escape(src(fig), quote=True)}" '
            f'alt="{escape(fig.alt, quote=True)}" width="{w}" height="{h}"></div>'
            f'<p class="caption" align="center">{escape(fig.caption)}</p>')


def _block(b: Block, src: Callable[[Figure], str]) -> str:
    if isinstance(b, Heading):
        return f"<h{b.level + 1}>{escape(b.text)}</h{b.level + 1}>"
    if isinstance(b, Para):
        cls = f' class="{b.style}"' if b.style else ""
        return f"<p{cls}>{inline(b.parts)}</p>"
    if isinstance(b, Facts):
        return _facts(b)
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Bullets):
        return "<ul>" + "".join(f"<li>{inline(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, Figure):
        return _figure(b, src)
    raise TypeError(f"unknown block {type(b).__name__}")


def _callout(c: Callout) -> str:
    items = "".join(f"<li>{inline(i)}</li>" for i in c.items)
    return (f'<table class="callout" width="100%" cellspacing="0" cellpadding="8"><tr><td>'
            f'<p class="callout-title">{escape(c.title)}</p><ul>{items}</ul></td></tr></table>')


def render_body(doc: PlanDocument, src: Callable[[Figure], str] = data_uri) -> str:
    """The plan's markup inside ``<body>`` (shared by the web file and the PDF)."""
    parts = ['<header class="plan-head"><p class="kicker">Account plan</p>',
             f"<h1>{escape(doc.account_name)}</h1>", f'<p class="subtitle">{inline(doc.subtitle)}</p></header>']
    if doc.callout:
        parts.append(_callout(doc.callout))
    for s in doc.sections:
        parts.append(f'<section id="{escape(s.key, quote=True)}"><h2>{escape(s.title)}</h2>')
        parts += [_block(b, src) for b in s.blocks]
        parts.append("</section>")
    return "\n".join(parts)


def render_html(doc: PlanDocument, *, flavor: str = "web", src: Callable[[Figure], str] = data_uri) -> str:
    """A complete HTML document; ``flavor="qt"`` uses the stylesheet QTextDocument understands."""
    css = QT_CSS if flavor == "qt" else WEB_CSS
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="BDR Desk"><title>{escape(doc.title)}</title>'
            f"<style>{css}</style></head>\n<body><main class=\"plan\">\n{render_body(doc, src)}\n</main></body></html>\n")
