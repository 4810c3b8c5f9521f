"""Word documents with python-docx: paragraphs and table cells in document order, and the title."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from content_library.extract.base import Extracted, ExtractError, plausible_title


def _table_lines(table: Any) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a merged cell repeats once per grid column it spans
                continue
            previous = cell._tc
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
            for nested in cell.tables:
                lines.extend(_table_lines(nested))
        if cells:
            lines.append(" | ".join(cells))
    return lines


def extract(path: Path) -> Extracted:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractError("not a valid DOCX file") from exc
    blocks: list[str] = []
    first_heading = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.append("\n".join(_table_lines(block)))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if first_heading is None and style in ("Title", "Heading 1"):
            first_heading = text
        blocks.append(text)
    props = document.core_properties
    title = plausible_title(props.title) or plausible_title(first_heading, 150)
    meta: dict[str, object] = {"format": "docx"}
    if props.author:
        meta["author"] = props.author
    return Extracted(title=title, text="\n\n".join(blocks), metadata=meta)
