"""Read a CSV or XLSX file into a plain :class:`Table` of strings.

CSV: the encoding is detected (BOMs for UTF-8/16/32 LE/BE — including Salesforce Data Loader's files whose
2-byte BOM precedes UTF-32 text —, then UTF-8, then BOM-less UTF-16/32 by their NUL pattern, then Windows-1252
line by line, so a file mixing UTF-8 and Windows-1252 lines still reads), the delimiter is sniffed among
``, ; TAB |``, and quoted fields may hold delimiters, newlines and doubled quotes.

XLSX: read with openpyxl (read-only, cached values). A formula cell without a cached value is reported in
``Table.warnings`` and left empty; formulas are never evaluated.

Row numbers: ``Table.row_number(i)`` is the spreadsheet row of ``rows[i]`` (the header is row
``header_row``, normally 1, so the first data row is 2). Blank records are kept so numbers stay true.

Anything unreadable raises :class:`TabularError` with one line naming the file and the problem.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_COLUMNS = 2_000
MAX_CELL_CHARS = 100_000
_SNIFF_LINES = 50
_DELIMITERS = (",", ";", "\t", "|")
_BOMS = (  # longest first
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
)

csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


class TabularError(ValueError):
    """A file that cannot be read as a table; the message is one line naming the file and the problem."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    source: str
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1

    def row_number(self, index: int) -> int:
        """The spreadsheet row number of ``rows[index]`` (header row + 1 + index)."""
        return self.header_row + 1 + index

    def preview(self, n: int = 20) -> list[dict[str, str]]:
        return [dict(zip(self.headers, r, strict=False)) for r in self.rows[:n]]


def read_table(path: str | Path, *, sheet: str | None = None, data: bytes | None = None) -> Table:
    """Read ``path`` (or ``data`` named ``path``) as CSV or XLSX, chosen by content, then by extension."""
    name = Path(path).name
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise TabularError(f"cannot read {name}: {exc.strerror or exc}") from None
    if not data.strip(b" \t\r\n\x00"):
        raise TabularError(f"{name} is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(name, data, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(f"{name} is a legacy Excel (.xls) workbook; save it as .xlsx or CSV")
    if data.startswith((b"%PDF", b"\x89PNG", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff")):
        raise TabularError(f"{name} is not a CSV or XLSX file (binary data)")
    return _read_csv(name, data)


# ---- CSV ---------------------------------------------------------------------------------------------------

def _nul_guess(body: bytes) -> str | None:
    sample = body[:4000]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    sample = sample[: len(sample) // 4 * 4]
    zero = [sum(1 for i in range(k, len(sample), 4) if sample[i] == 0) / (len(sample) / 4) for k in range(4)]
    if zero[1] > 0.9 and zero[2] > 0.9 and zero[3] > 0.9:
        return "utf-32-le"
    if zero[0] > 0.9 and zero[1] > 0.9 and zero[2] > 0.9:
        return "utf-32-be"
    if zero[1] > 0.7 and zero[3] > 0.7:
        return "utf-16-le"
    if zero[0] > 0.7 and zero[2] > 0.7:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str = "file") -> tuple[str, str, list[str]]:
    """``(text, encoding, warnings)`` for the bytes of a text file; TabularError for binary data."""
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                text = body.decode(enc)
            except UnicodeDecodeError:
                text = ""
            if text and "\x00" not in text:
                return text, enc + "-sig" if enc == "utf-8" else enc, warnings
            guess = _nul_guess(body)
            if guess:
                try:
                    return body.decode(guess), guess, warnings
                except UnicodeDecodeError:
                    pass
            break
    guess = _nul_guess(data)
    if guess:
        try:
            return data.decode(guess), guess, warnings
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:100_000]:
        raise TabularError(f"{name} is not a CSV or XLSX file (binary data)")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    out, utf8_lines, legacy_lines = [], 0, 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
            if not line.isascii():
                utf8_lines += 1
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace") if _cp1252_ok(line) else line.decode("latin-1"))
            legacy_lines += 1
    text = "".join(out)
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > 0.05 * min(len(text), 20000):
        raise TabularError(f"{name} is not a CSV or XLSX file (binary data)")
    if utf8_lines:
        warnings.append(f"{name} mixes encodings: {legacy_lines} line(s) read as Windows-1252, the rest as UTF-8")
        return text, "mixed", warnings
    warnings.append(f"{name} is not UTF-8; read as Windows-1252")
    return text, "cp1252", warnings


def _cp1252_ok(line: bytes) -> bool:
    try:
        line.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; TAB |`` that splits the first lines into the most consistent columns."""
    sample_lines = []
    for line in io.StringIO(text):
        if line.strip():
            sample_lines.append(line)
        if len(sample_lines) >= _SNIFF_LINES:
            break
    sample = "".join(sample_lines)
    best, best_score = ",", (-1.0, 0)
    for d in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=d) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        body = counts[1:-1] if len(counts) > 2 else counts[1:]  # the last sampled record may be cut short
        agree = sum(1 for c in body if c == counts[0]) / len(body) if body else 1.0
        score = (agree, counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(name: str, data: bytes) -> Table:
    text, encoding, warnings = decode(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise TabularError(f"{name} is empty")
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TabularError(f"{name} is not valid CSV: {exc}") from None
    table = _build(name, records, warnings)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _build(name: str, records: list[list[str]], warnings: list[str]) -> Table:
    header_index = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if header_index is None:
        raise TabularError(f"{name} is empty")
    raw_headers = records[header_index]
    while raw_headers and not raw_headers[-1].strip():
        raw_headers = raw_headers[:-1]
    if len(raw_headers) > MAX_COLUMNS:
        raise TabularError(f"{name} has {len(raw_headers):,} columns; at most {MAX_COLUMNS:,} are supported")
    headers = _unique_headers(raw_headers, warnings, name)
    width = len(headers)
    rows: list[list[str]] = []
    truncated = wider = 0
    for rec in records[header_index + 1:]:
        if len(rec) > width:
            if any(c.strip() for c in rec[width:]):
                wider += 1
            rec = rec[:width]
        elif len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        for j, cell in enumerate(rec):
            if len(cell) > MAX_CELL_CHARS:
                rec[j] = cell[:MAX_CELL_CHARS]
                truncated += 1
        rows.append(rec)
    if truncated:
        warnings.append(f"{truncated} cell(s) longer than {MAX_CELL_CHARS:,} characters were truncated")
    if wider:
        warnings.append(f"{wider} row(s) have more cells than the header; the extra cells were ignored")
    return Table(headers, rows, name, warnings, header_row=header_index + 1)


def _unique_headers(raw: list[str], warnings: list[str], name: str) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    dups: list[str] = []
    for i, h in enumerate(raw):
        h = re.sub(r"\s+", " ", h).strip()[:200] or f"Column {i + 1}"
        key = h.lower()
        if key in seen:
            seen[key] += 1
            dups.append(h)
            candidate = f"{h} ({seen[key]})"
            while candidate.lower() in seen:
                seen[key] += 1
                candidate = f"{h} ({seen[key]})"
            seen[candidate.lower()] = 1
            h = candidate
        else:
            seen[key] = 1
        out.append(h)
    if dups:
        warnings.append(f"{name} repeats column header(s) {', '.join(sorted(set(dups)))[:200]}; "
                        "later copies were renamed like \"Name (2)\"")
    return out


# ---- XLSX --------------------------------------------------------------------------------------------------

def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _has_formulas(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(re.search(rb"<f[ >/]", z.read(n)) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def _read_xlsx(name: str, data: bytes, sheet: str | None) -> Table:
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - a declared dependency
        raise TabularError("reading XLSX needs openpyxl (pip install openpyxl)") from None
    warnings: list[str] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise TabularError(f"{name} is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise TabularError(f"{name} has no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames)}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        records: list[list[str]] = []
        empty_at: list[tuple[int, int]] = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            if len(row) > MAX_COLUMNS and any(v is not None for v in row[MAX_COLUMNS:]):
                raise TabularError(f"{name} has {len(row):,} columns; at most {MAX_COLUMNS:,} are supported")
            row = row[:MAX_COLUMNS]
            records.append([_cell_text(v) for v in row])
            empty_at.extend((r, c) for c, v in enumerate(row) if v is None)
    finally:
        wb.close()
    if empty_at and _has_formulas(data):
        wbf = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            wsf = wbf[sheet] if sheet else wbf.worksheets[0]
            empties = set(empty_at)
            missing = [f"{get_column_letter(c + 1)}{r + 1}"
                       for r, row in enumerate(wsf.iter_rows(values_only=True))
                       for c, v in enumerate(row[:MAX_COLUMNS])
                       if (r, c) in empties and isinstance(v, str) and v.startswith("=")]
        finally:
            wbf.close()
        if missing:
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            warnings.append(f"{len(missing)} formula cell(s) have no saved value and were left empty ({shown}); "
                            "open and save the workbook in Excel to compute them")
    table = _build(name, records, warnings)
    table.encoding = "xlsx"
    return table
