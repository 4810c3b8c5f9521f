"""Excel workbooks with openpyxl (read-only, cached values): each sheet's name, then its rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from content_library.extract.base import MAX_TEXT, Extracted, ExtractError, plausible_title


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return " ".join(str(value).split())


def extract(path: Path) -> Extracted:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractError("not a valid XLSX file") from exc
    try:
        parts: list[str] = []
        size = 0
        for sheet in workbook.worksheets:
            lines = [sheet.title]
            for row in sheet.iter_rows(values_only=True):
                cells = [c for c in (_cell(v) for v in row) if c]
                if cells:
                    line = " | ".join(cells)
                    lines.append(line)
                    size += len(line) + 1
                if size > MAX_TEXT:
                    break
            if len(lines) > 1:
                parts.append("\n".join(lines))
            if size > MAX_TEXT:
                break
        title = plausible_title(workbook.properties.title)
        meta: dict[str, object] = {"format": "xlsx", "sheets": len(workbook.sheetnames)}
    finally:
        workbook.close()
    return Extracted(title=title, text="\n\n".join(parts), metadata=meta)
