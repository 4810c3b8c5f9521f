"""An account plan as a small document model — headings, paragraphs, fact grids, tables, bullets, a figure —
built once from the plan's data (:mod:`bdr_desk.export.plan_document`) and rendered by every format.

What a plan says lives in ``plan_document``; how it looks lives in the renderers (``plan_markdown``,
``plan_html``, ``plan_docx``, ``plan_pdf``), which only walk these blocks. Qt-free and query-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bdr_desk.export.plan_format import safe_url

NO_SNAPSHOT = "no snapshot"  # ``diff=NO_SNAPSHOT``: the "since last snapshot" block was asked for; there is none


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Strong:
    text: str


Inline = str | Link | Strong
Rich = tuple[Inline, ...]


def rich(*parts: Inline | None) -> Rich:
    """Inline parts without the empty ones (a link whose URL is unsafe becomes its text)."""
    out: list[Inline] = []
    for p in parts:
        if p is None or p == "":
            continue
        if isinstance(p, Link):
            url = safe_url(p.url)
            out.append(Link(p.text or url or "", url) if url else p.text)
        else:
            out.append(p)
    return tuple(out)


def plain(parts: Rich) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def link(text: str, url: str | None) -> Inline:
    return Link(text, url) if safe_url(url) else text


@dataclass(frozen=True)
class Heading:
    level: int  # 1 = a section, 2 = a part of one
    text: str


@dataclass(frozen=True)
class Para:
    parts: Rich
    style: str = ""  # "" | "muted" | "lead"


@dataclass(frozen=True)
class Facts:
    rows: tuple[tuple[str, Rich], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Rich, ...], ...]
    widths: tuple[int, ...] = ()  # relative column widths (percent); empty = even
    kind: str = ""  # what the table is ("stakeholders", "signals", …): a class name in HTML, a caption key


@dataclass(frozen=True)
class Bullets:
    items: tuple[Rich, ...]


@dataclass(frozen=True)
class Figure:
    """The org chart: a PNG (``None`` when the format shows only the outline) and its reporting outline."""
    png: bytes | None
    width_px: int  # the chart's size at scale 1 (96 dpi); the PNG may be a multiple of it
    height_px: int
    alt: str
    caption: str
    outline: tuple[tuple[int, Rich], ...] = ()  # (depth, text): who reports to whom, for text-only formats


Block = Heading | Para | Facts | Table | Bullets | Figure


@dataclass(frozen=True)
class Callout:
    title: str
    items: tuple[Rich, ...]


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class PlanDocument:
    title: str
    account_name: str
    subtitle: Rich
    generated: str
    callout: Callout | None
    sections: list[Section]
    content_ids: tuple[int, ...] = ()  # library items shown in the plan (recommended and used)


@dataclass(frozen=True)
class ChartImage:
    png: bytes
    width_px: int
    height_px: int
