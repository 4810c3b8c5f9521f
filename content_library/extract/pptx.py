"""PowerPoint decks with python-pptx: text frames (grouped shapes too), tables and speaker notes per slide."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from content_library.extract.base import Extracted, ExtractError, plausible_title


def _shape_lines(shapes: Iterable[Any]) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    lines: list[str] = []
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            lines.extend(_shape_lines(shape.shapes))
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            lines.extend(p for p in (para.text.strip() for para in shape.text_frame.paragraphs) if p)
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                if any(cells):
                    lines.append(" | ".join(c for c in cells if c))
    return lines


def extract(path: Path) -> Extracted:
    import zipfile

    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractError("not a valid PPTX file") from exc
    slides: list[str] = []
    first_title = None
    for slide in deck.slides:
        lines = _shape_lines(slide.shapes)
        title_shape = slide.shapes.title
        if first_title is None and title_shape is not None and title_shape.has_text_frame:
            first_title = title_shape.text_frame.text.strip() or None
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                lines.append(notes.text.strip())
        if lines:
            slides.append("\n".join(lines))
    props = deck.core_properties
    meta: dict[str, object] = {"format": "pptx", "slides": len(deck.slides)}
    if props.author:
        meta["author"] = props.author
    title = plausible_title(props.title) or plausible_title(first_title, 150)
    return Extracted(title=title, text="\n\n".join(slides), metadata=meta)
