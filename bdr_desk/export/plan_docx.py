"""An account plan as a Word document (python-docx): Title, real Heading 1/Heading 2 styles, tables with a
repeated, shaded header row, the org chart picture, clickable hyperlinks and "page n of N" in the footer."""

from __future__ import annotations

import io
import os
import re

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

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
from bdr_desk.export.plan_format import ACCENT, CALLOUT_FILL, CALLOUT_RULE, HEAD_FILL, INK, MUTED, RULE, fit

TEXT_WIDTH_MM = 174.0  # A4 minus 18 mm margins
MAX_FIGURE_H_MM = 200.0
PX_PER_MM = 96 / 25.4
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _clean(text: str) -> str:
    return _XML_BAD.sub("", str(text))


def _el(tag: str, **attrs: str) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k.replace("_", ":", 1)), v)
    return el


def _hyperlink(par: Paragraph, text: str, url: str, size: Pt | None) -> None:
    r_id = par.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = _el("w:hyperlink", r_id=r_id)
    run = _el("w:r")
    props = _el("w:rPr")
    props.append(_el("w:color", w_val=ACCENT.lstrip("#").upper()))
    props.append(_el("w:u", w_val="single"))
    if size is not None:
        props.append(_el("w:sz", w_val=str(int(size.pt * 2))))
    run.append(props)
    t = _el("w:t", xml_space="preserve")
    t.text = _clean(text)
    run.append(t)
    link.append(run)
    par._p.append(link)


def _inline(par: Paragraph, parts: Rich, size: Pt | None = None, color: str | None = None) -> None:
    for p in parts:
        if isinstance(p, Link):
            _hyperlink(par, p.text, p.url, size)
            continue
        run = par.add_run(_clean(p.text if isinstance(p, Strong) else p))
        run.bold = isinstance(p, Strong) or None
        if size is not None:
            run.font.size = size
        if color:
            run.font.color.rgb = _rgb(color)


def _shade(cell: object, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    props.append(_el("w:shd", w_val="clear", w_color="auto", w_fill=fill.lstrip("#").upper()))


def _borders(table: DocxTable, color: str, size: int = 4, inside: bool = True) -> None:
    props = table._tbl.tblPr
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        val = "single" if inside or not edge.startswith("inside") else "nil"
        borders.append(_el(f"w:{edge}", w_val=val, w_sz=str(size), w_space="0", w_color=color.lstrip("#").upper()))
    props.append(borders)


def _table(doc: DocxDocument, t: Table) -> None:
    table = doc.add_table(rows=1, cols=len(t.headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, RULE)
    widths = t.widths if len(t.widths) == len(t.headers) else tuple(100 / len(t.headers) for _ in t.headers)
    total = sum(widths)
    head = table.rows[0]
    head._tr.get_or_add_trPr().append(_el("w:tblHeader", w_val="true"))  # repeat on every page
    for cell, text in zip(head.cells, t.headers, strict=True):
        _shade(cell, HEAD_FILL)
        _inline(cell.paragraphs[0], (Strong(text),), Pt(8.5), "#334155")
    for row in t.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _inline(cell.paragraphs[0], value, Pt(8.5))
    _widths(table, [TEXT_WIDTH_MM * w / total for w in widths])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _widths(table: DocxTable, widths_mm: list[float]) -> None:
    """Fixed column widths (the grid and every cell: Word reads the cells, LibreOffice the grid)."""
    table.autofit = False
    for column, w in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(w)
        for cell in column.cells:
            cell.width = Mm(w)
            for par in cell.paragraphs:
                par.paragraph_format.space_after = Pt(1)


def _facts(doc: DocxDocument, f: Facts) -> None:
    table = doc.add_table(rows=0, cols=4)
    for i in range(0, len(f.rows), 2):
        cells = table.add_row().cells
        for k, (label, value) in enumerate(f.rows[i:i + 2]):
            _inline(cells[2 * k].paragraphs[0], (label,), Pt(9), MUTED)
            _inline(cells[2 * k + 1].paragraphs[0], value, Pt(9.5))
    _widths(table, [TEXT_WIDTH_MM * w / 100 for w in (17, 33, 17, 33)])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _figure(doc: DocxDocument, fig: Figure) -> None:
    if not fig.png:
        return
    w, h = fit(fig.width_px / PX_PER_MM, fig.height_px / PX_PER_MM, TEXT_WIDTH_MM, MAX_FIGURE_H_MM)
    doc.add_picture(io.BytesIO(fig.png), width=Mm(w))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    cap = doc.add_paragraph()
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _inline(cap, (fig.caption,), Pt(8), MUTED)


def _block(doc: DocxDocument, b: Block) -> None:
    if isinstance(b, Heading):
        doc.add_heading(_clean(b.text), level=b.level)  # sections are Heading 1, their parts Heading 2
    elif isinstance(b, Para):
        par = doc.add_paragraph()
        _inline(par, b.parts, Pt(9.5) if b.style == "muted" else None, MUTED if b.style == "muted" else None)
    elif isinstance(b, Facts):
        _facts(doc, b)
    elif isinstance(b, Table):
        _table(doc, b)
    elif isinstance(b, Bullets):
        for item in b.items:
            _inline(doc.add_paragraph(style="List Bullet"), item)
    elif isinstance(b, Figure):
        _figure(doc, b)
    else:
        raise TypeError(f"unknown block {type(b).__name__}")


def _callout(doc: DocxDocument, c: Callout) -> None:
    table = doc.add_table(rows=1, cols=1)
    _borders(table, CALLOUT_RULE, 6)
    cell = table.rows[0].cells[0]
    _shade(cell, CALLOUT_FILL)
    _inline(cell.paragraphs[0], (Strong(c.title),), None, ACCENT)
    for item in c.items:
        _inline(cell.add_paragraph(style="List Bullet"), item, Pt(9.5))
    doc.add_paragraph()


def _field(par: Paragraph, code: str) -> None:
    """A PAGE / NUMPAGES field (begin, code, separate, a placeholder result, end), small and muted."""
    for part in ("begin", "code", "separate", "result", "end"):
        run = par.add_run("1" if part == "result" else None)
        run.font.size = Pt(7.5)
        run.font.color.rgb = _rgb(MUTED)
        if part == "code":
            el = _el("w:instrText", xml_space="preserve")
            el.text = f" {code} "
            run._r.append(el)
        elif part != "result":
            run._r.append(_el("w:fldChar", w_fldCharType=part))


def _setup(doc: DocxDocument, plan: PlanDocument) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = sec.top_margin = Mm(18)
    sec.bottom_margin = Mm(16)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    normal.font.color.rgb = _rgb(INK)
    normal.paragraph_format.space_after = Pt(4)
    for name, size, color, before in (("Title", 24, INK, 0), ("Heading 1", 15, ACCENT, 16),
                                      ("Heading 2", 11.5, INK, 10)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = _rgb(color)
        color_el = style.element.rPr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):  # the theme colour would win
            color_el.attrib.pop(qn(attr), None)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for border in doc.styles["Title"].element.pPr.iter(qn("w:bottom")):
        border.set(qn("w:color"), ACCENT.lstrip("#").upper())
        border.attrib.pop(qn("w:themeColor"), None)
    doc.core_properties.title = _clean(plan.title)
    doc.core_properties.author = "BDR Desk"
    foot = sec.footer.paragraphs[0]
    _inline(foot, (f"{plan.title} · generated {plan.generated} · page ",), Pt(7.5), MUTED)
    _field(foot, "PAGE")
    _inline(foot, (" of ",), Pt(7.5), MUTED)
    _field(foot, "NUMPAGES")


def write_docx(doc: PlanDocument, path: str | os.PathLike[str] | io.BytesIO) -> None:
    out = Document()
    _setup(out, doc)
    kicker = out.add_paragraph()
    _inline(kicker, (Strong("ACCOUNT PLAN"),), Pt(9), ACCENT)
    kicker.paragraph_format.space_after = Pt(0)
    out.add_heading(_clean(doc.account_name), level=0)
    _inline(out.add_paragraph(), doc.subtitle, Pt(9.5), MUTED)
    if doc.callout:
        _callout(out, doc.callout)
    for section in doc.sections:
        out.add_heading(_clean(section.title), level=1)
        for block in section.blocks:
            _block(out, block)
    out.save(path)
