"""Account plans as PDF, headless: the plan's HTML (``plan_html``, Qt flavour) laid out by QTextDocument on A4
pages and painted onto a QPdfWriter, with a footer (account, date, "page n of N") on every page.

QTextDocument does not load ``data:`` URIs, so the org chart is added as a document resource under
:data:`CHART_URL`. One :class:`PdfBook` holds any number of plans: each starts on a new page and numbers its
own pages (the combined PDF of a list).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)

from bdr_desk.export.orgchart_render import ensure_gui_app
from bdr_desk.export.plan_blocks import Figure, PlanDocument
from bdr_desk.export.plan_format import MUTED, RULE
from bdr_desk.export.plan_html import render_html

CHART_URL = "plan-image://orgchart.png"
DPI = 300
MARGINS_MM = QMarginsF(16, 15, 16, 14)  # left, top, right, bottom (the footer sits inside the bottom margin)
FOOTER_MM = 8.0
KEEP_LINES_MM = 14.0  # a heading keeps about this much of the text after it (two lines or a table row) on its page
FONT_FAMILIES = ["DejaVu Sans", "Helvetica", "Arial"]


def _mm(mm: float) -> float:
    return mm / 25.4 * DPI


def _font(pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPointSizeF(pt)
    f.setBold(bold)
    return f


def _needed_after(td: QTextDocument, block: QTextBlock) -> float:
    """Where a heading's content must reach on its page: the first lines of what follows it, or the whole of
    a picture (which cannot split), looking past one short line (a summary before the org chart)."""
    layout = td.documentLayout()
    need = layout.blockBoundingRect(block).bottom()
    nxt = block.next()
    for _ in range(2):
        if not nxt.isValid() or nxt.blockFormat().headingLevel() > 0:
            break
        rect = layout.blockBoundingRect(nxt)
        picture = nxt.text().strip() == "\ufffc"  # an image is an object character in its own paragraph
        need = max(need, rect.bottom() if picture else min(rect.bottom(), rect.top() + _mm(KEEP_LINES_MM)))
        if picture or rect.height() > _mm(KEEP_LINES_MM):
            break
        nxt = nxt.next()
    return need


def _keep_headings_with_next(td: QTextDocument) -> None:
    """No heading alone at the foot of a page: when what must follow a heading (see :func:`_needed_after`)
    does not fit on its page, the heading — with the headings right above it — starts the next page.
    QTextDocument has no keep-with-next; the layout is re-done after each move."""
    layout, page_h = td.documentLayout(), td.pageSize().height()
    block, prev_heading = td.begin(), None
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            top = layout.blockBoundingRect(block).top()
            page_end = (int(top // page_h) + 1) * page_h
            need = _needed_after(td, block)
            if need > page_end and top % page_h > _mm(1) and need - top < page_h * 0.8:
                target = prev_heading if prev_heading is not None else block
                fmt = target.blockFormat()
                fmt.setPageBreakPolicy(QTextBlockFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(target).setBlockFormat(fmt)
                td.markContentsDirty(0, td.characterCount())  # the incremental relayout leaves blocks blank
            prev_heading = block
        elif block.text().strip():
            prev_heading = None
        block = block.next()


class PdfBook:
    """A PDF being written: ``add()`` plans, then ``close()`` (or use it as a context manager)."""

    def __init__(self, path: str | os.PathLike[str], title: str = "Account plan") -> None:
        ensure_gui_app()
        self.path = Path(path)
        self.writer = QPdfWriter(str(self.path))
        self.writer.setResolution(DPI)
        self.writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                              MARGINS_MM, QPageLayout.Unit.Millimeter))
        self.writer.setTitle(title)
        self.writer.setCreator("BDR Desk")
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise OSError(f"cannot write {self.path}")
        self.pages = 0
        rect = self.writer.pageLayout().paintRectPixels(DPI)
        self.width, self.height = float(rect.width()), float(rect.height())

    def _document(self, doc: PlanDocument) -> QTextDocument:
        td = QTextDocument()
        td.documentLayout().setPaintDevice(self.writer)
        td.setDefaultFont(_font(9))
        td.setDocumentMargin(0)
        chart = next((b for s in doc.sections for b in s.blocks if isinstance(b, Figure) and b.png), None)
        if chart is not None:
            image = QImage()
            image.loadFromData(QByteArray(chart.png), "PNG")
            td.addResource(QTextDocument.ResourceType.ImageResource, QUrl(CHART_URL), image)
        td.setHtml(render_html(doc, flavor="qt", src=lambda _fig: CHART_URL))
        td.setPageSize(QSizeF(self.width, self.height - _mm(FOOTER_MM)))
        _keep_headings_with_next(td)
        return td

    def _footer(self, doc: PlanDocument, page: int, pages: int) -> None:
        p = self.painter
        y = self.height - _mm(FOOTER_MM) + _mm(3)
        p.setPen(QPen(QColor(RULE), _mm(0.2)))
        p.drawLine(QPointF(0, y), QPointF(self.width, y))
        p.setPen(QColor(MUTED))
        p.setFont(_font(7))
        box = QRectF(0, y + _mm(1), self.width, _mm(FOOTER_MM) - _mm(3))
        p.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                   f"{doc.title} · generated {doc.generated} · BDR Desk")
        p.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), f"Page {page} of {pages}")

    def add(self, doc: PlanDocument) -> int:
        """Append one plan starting on a new page; returns its page count."""
        td = self._document(doc)
        page_h = td.pageSize().height()
        pages = max(1, td.pageCount())
        for i in range(pages):
            if self.pages:
                self.writer.newPage()
            self.painter.save()
            self.painter.translate(0, -i * page_h)
            td.drawContents(self.painter, QRectF(0, i * page_h, self.width, page_h))
            self.painter.restore()
            self._footer(doc, i + 1, pages)
            self.pages += 1
        return pages

    def close(self) -> None:
        if self.painter.isActive():
            self.painter.end()

    def __enter__(self) -> PdfBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_pdf(doc: PlanDocument, path: str | os.PathLike[str]) -> int:
    """Write one plan as a PDF; returns the page count."""
    with PdfBook(path, doc.title) as book:
        return book.add(doc)
