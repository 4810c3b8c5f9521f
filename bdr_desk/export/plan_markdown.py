"""An account plan as Markdown (CommonMark + GitHub tables): real headings, pipe tables, links to sources.

The org chart is a picture elsewhere; here it is its reporting outline as a nested list.
"""

from __future__ import annotations

import re

from bdr_desk.export.plan_blocks import (
    Block,
    Bullets,
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

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_SPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text with Markdown's active characters escaped and line breaks folded (safe in a table cell)."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", str(text)))


def _url(url: str) -> str:
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"


def inline(parts: Rich) -> str:
    out = []
    for p in parts:
        if isinstance(p, Link):
            out.append(f"[{escape(p.text)}]({_url(p.url)})")
        elif isinstance(p, Strong):
            text = escape(p.text)
            stripped = text.rstrip()
            out.append(f"**{stripped}**{text[len(stripped):]}" if stripped else text)
        else:
            out.append(escape(p))
    return "".join(out)


def _table(t: Table) -> list[str]:
    lines = ["| " + " | ".join(escape(h) for h in t.headers) + " |",
             "|" + "|".join(" --- " for _ in t.headers) + "|"]
    lines += ["| " + " | ".join(inline(c) or " " for c in row) + " |" for row in t.rows]
    return lines


def _block(b: Block) -> list[str]:
    if isinstance(b, Heading):
        return [f"{'#' * (b.level + 1)} {escape(b.text)}"]
    if isinstance(b, Para):
        text = inline(b.parts)
        return [f"_{text}_" if b.style == "muted" and text else text]
    if isinstance(b, Facts):
        return [f"- **{escape(label)}:** {inline(value)}" for label, value in b.rows]
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, Bullets):
        return [f"- {inline(item)}" for item in b.items]
    if isinstance(b, Figure):
        lines = [f"**Org chart** — {escape(b.caption)}", ""]
        lines += [f"{'  ' * depth}- {inline(text)}" for depth, text in b.outline] or ["*Nobody identified yet.*"]
        return lines
    raise TypeError(f"unknown block {type(b).__name__}")


def render_markdown(doc: PlanDocument) -> str:
    out = [f"# {escape(doc.title)}", "", inline(doc.subtitle), ""]
    if doc.callout:
        out += [f"> **{escape(doc.callout.title)}**", ">"]
        out += [f"> - {inline(item)}" for item in doc.callout.items]
        out.append("")
    for section in doc.sections:
        out += [f"## {escape(section.title)}", ""]
        for block in section.blocks:
            out += _block(block) + [""]
    return "\n".join(out).rstrip() + "\n"
