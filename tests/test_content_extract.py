"""Text extraction for the content library: small documents built here for every format, broken and
encrypted files (a reason, never an exception), and the real documents in the shared fixtures."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from content_library.extract import MAX_TEXT, SUPPORTED_SUFFIXES, extract_file, extract_html
from content_library.extract.base import clip, make_summary
from content_library.extract.text import parse_front_matter, split_front_matter
from tests.conftest import fixtures_dir

# ---- builders -------------------------------------------------------------------------------------------


def pdf_bytes(lines: list[str], *, title: str | None = None) -> bytes:
    """A minimal valid one-page PDF with a Helvetica text stream (offsets computed, no library)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    stream = ops.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if title:
        objects.append(b"<< /Title (" + esc(title).encode("latin-1") + b") >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    info = b" /Info %d 0 R" % len(objects) if title else b""
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref))
    return out.getvalue()


def write_pdf(path: Path, lines: list[str], *, title: str | None = None, password: str | None = None) -> Path:
    data = pdf_bytes(lines, title=title)
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password)
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    path.write_bytes(data)
    return path


def write_docx(path: Path, *, title: str | None = "Fintech Compliance Playbook") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title or ""
    document.add_heading("Why auditors love automation", level=1)
    document.add_paragraph("Regulators expect continuous evidence; spreadsheets cannot keep up.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Metric", "Result"
    table.cell(1, 0).text, table.cell(1, 1).text = "Audit hours", "Halved by reconciliation bots"
    document.save(str(path))
    return path


def write_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Pipeline Visibility Deck"
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Forecasts you can trust"
    slide.placeholders[1].text_frame.text = "Unified pipeline dashboards for revenue operations"
    rows = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(6), Inches(1)).table
    rows.cell(0, 0).text, rows.cell(0, 1).text = "Before", "After"
    rows.cell(1, 0).text, rows.cell(1, 1).text = "Guesswork", "Telemetry"
    slide.notes_slide.notes_text_frame.text = "Speaker notes mention quarterly bookings"
    deck.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Benchmarks"
    sheet.append(["Segment", "Churn", "Expansion"])
    sheet.append(["Healthcare", 0.04, 1.21])
    book.create_sheet("Notes").append(["Sourced from the customer advisory board"])
    book.properties.title = "Churn Benchmarks"
    book.save(str(path))
    return path


HTML = """<!doctype html><html lang="en"><head><title>Site | Fallback title</title>
<meta property="og:title" content="Cutting churn in fintech">
<meta name="description" content="How one lender halved churn with proactive outreach.">
<style>.x { color: red }</style><script>var tracking = "SCRIPTWORD";</script></head>
<body><nav><a href="/">NAVWORD home</a></nav>
<article><h1>Cutting churn</h1><p>First paragraph about
   onboarding    journeys.</p><p>Second paragraph<br>with a line break.</p>
<table><tr><th>Metric</th><td>Value</td></tr></table></article>
<div hidden>HIDDENWORD</div><footer>FOOTERWORD copyright</footer></body></html>"""

MARKDOWN = """---
title: 'Acme''s journey to SOC 2'
customer: Acme Bank
industries: [Fintech, Banking & Capital Markets]
personas:
  - CISO / Security
  - Unknown persona
pains:
  - compliance_risk
date: 2024-9-12
description: >-
  Acme passed its audit
  in six weeks.
logo:
  light: a.png
---

# Ignored heading because front matter has a title

Acme used **automated evidence** and [our platform](https://example.com) to pass.

<Quote name="Jane Doe" quote={`We never looked back.`} />

- first bullet
- second bullet
"""

# ---- the formats ---------------------------------------------------------------------------------------


def test_docx_paragraphs_tables_and_title(tmp_path):
    result = extract_file(write_docx(tmp_path / "playbook.docx"))
    assert result.error is None
    assert result.title == "Fintech Compliance Playbook"
    assert "Regulators expect continuous evidence" in result.text
    assert "Audit hours | Halved by reconciliation bots" in result.text
    assert result.summary and result.summary.startswith("Regulators expect")


def test_docx_without_core_title_uses_its_first_heading(tmp_path):
    result = extract_file(write_docx(tmp_path / "untitled.docx", title=None))
    assert result.title == "Why auditors love automation"


def test_pptx_text_frames_tables_and_notes(tmp_path):
    result = extract_file(write_pptx(tmp_path / "deck.pptx"))
    assert result.error is None and result.title == "Pipeline Visibility Deck"
    for words in ("Forecasts you can trust", "Unified pipeline dashboards", "Guesswork | Telemetry",
                  "quarterly bookings"):
        assert words in result.text
    assert result.metadata["slides"] == 1


def test_pdf_text_and_metadata_title(tmp_path):
    result = extract_file(write_pdf(tmp_path / "memo.pdf", ["Quarterly compliance memo", "Zebra crossing"],
                                    title="Compliance Memo"))
    assert result.error is None, result.error
    assert "Quarterly compliance memo" in result.text and "Zebra crossing" in result.text
    assert result.title == "Compliance Memo" and result.metadata["pages"] == 1


def test_html_drops_chrome_and_keeps_paragraphs(tmp_path):
    result = extract_html(HTML, url="https://example.com/churn")
    assert result.title == "Cutting churn in fintech"
    assert result.summary == "How one lender halved churn with proactive outreach."
    assert "First paragraph about onboarding journeys.\n\nSecond paragraph\nwith a line break." in result.text
    assert "Metric | Value" in result.text
    for word in ("SCRIPTWORD", "NAVWORD", "FOOTERWORD", "HIDDENWORD", "color: red"):
        assert word not in result.text
    path = tmp_path / "page.htm"
    path.write_text(HTML.replace('<meta property="og:title" content="Cutting churn in fintech">', ""))
    assert extract_file(path).title == "Site | Fallback title"


def test_markdown_front_matter_and_light_markdown_stripping(tmp_path):
    path = tmp_path / "acme.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    result = extract_file(path)
    front = result.metadata["front_matter"]
    assert result.title == "Acme's journey to SOC 2"
    assert front["customer"] == "Acme Bank"
    assert front["industries"] == ["Fintech", "Banking & Capital Markets"]
    assert front["personas"] == ["CISO / Security", "Unknown persona"]
    assert front["date"] == "2024-9-12"
    assert "logo" not in front  # nested mappings are skipped
    assert result.summary == "Acme passed its audit in six weeks."
    assert "Acme used automated evidence and our platform to pass." in result.text
    assert "https://example.com" not in result.text and "**" not in result.text
    assert "We never looked back." in result.text and "Jane Doe" in result.text
    assert "first bullet" in result.text and "title:" not in result.text


def test_markdown_heading_is_the_title_without_front_matter(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("Intro line\n\n# Data silos in retail\n\nBody text here.\n", encoding="utf-8")
    assert extract_file(path).title == "Data silos in retail"
    assert split_front_matter("---\nno end\n") == ({}, "---\nno end\n")


def test_front_matter_parser_is_small_and_safe():
    parsed = parse_front_matter('a: "quoted: value"\nb: [x, "y, z"]\nc: !!python/object:os.system ls\n'
                                "d: |\n  line one\n  line two\ne: plain # comment\n")
    assert parsed == {"a": "quoted: value", "b": ["x", "y, z"], "c": "!!python/object:os.system ls",
                      "d": "line one\nline two", "e": "plain"}


@pytest.mark.parametrize("encoding,bom", [("utf-16", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""),
                                          ("utf-16-le", b"")])
def test_text_encodings(tmp_path, encoding, bom):
    text = "Naïve café – résumé “quoted” text\n"
    path = tmp_path / "plain.txt"
    path.write_bytes(bom + (text * 3).encode(encoding))
    result = extract_file(path)
    assert result.error is None
    assert result.text.startswith("Naïve café – résumé “quoted” text")
    assert "\ufeff" not in result.text


def test_xlsx_sheets_and_cells(tmp_path):
    result = extract_file(write_xlsx(tmp_path / "benchmarks.xlsx"))
    assert result.error is None and result.title == "Churn Benchmarks"
    assert "Benchmarks\nSegment | Churn | Expansion\nHealthcare | 0.04 | 1.21" in result.text
    assert "customer advisory board" in result.text


def test_extension_that_lies_is_sniffed(tmp_path):
    pdf_as_docx = tmp_path / "actually-a-pdf.docx"
    pdf_as_docx.write_bytes(pdf_bytes(["Sniffed by magic bytes"]))
    assert "Sniffed by magic bytes" in extract_file(pdf_as_docx).text
    html_as_pdf = tmp_path / "error-page.pdf"
    html_as_pdf.write_text("<!DOCTYPE html><html><body><p>Access denied page</p></body></html>")
    assert "Access denied page" in extract_file(html_as_pdf).text
    docx_no_suffix = tmp_path / "download"
    docx_no_suffix.write_bytes(write_docx(tmp_path / "x.docx").read_bytes())
    assert "Regulators expect" in extract_file(docx_no_suffix).text


# ---- broken files: a reason, never an exception ---------------------------------------------------------


def test_truncated_pdf(tmp_path):
    data = pdf_bytes(["Nothing to see"])
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    result = extract_file(path)
    assert result.text == ""
    assert result.error is not None and result.error.startswith("text not extracted: ")


def test_encrypted_pdf(tmp_path):
    result = extract_file(write_pdf(tmp_path / "secret.pdf", ["Top secret plan"], password="hunter2"))
    assert result == result.__class__(None, "", None, {}, "text not extracted: PDF is encrypted")


def test_owner_password_only_pdf_is_readable(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Printable but locked"]))))
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert "Printable but locked" in extract_file(path).text


@pytest.mark.parametrize("name,content,reason", [
    ("random.docx", os.urandom(2000), "not a valid DOCX file"),
    ("random.pptx", b"PK\x03\x04 not really a zip", "not a valid PPTX file"),
    ("random.xlsx", b"\x00" * 100, "not a valid XLSX file"),
    ("garbage.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "not a valid PDF file"),
    ("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old binary Office file"),
    ("archive.xyz", b"whatever", "unsupported file type .xyz"),
    ("empty.md", b"", "no text found"),
])
def test_broken_or_unsupported_files_give_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = extract_file(path)
    assert result.text == ""
    assert result.error is not None and result.error.startswith("text not extracted: ")
    assert reason in result.error and "\n" not in result.error


def test_missing_file(tmp_path):
    assert extract_file(tmp_path / "gone.pdf").error == "text not extracted: file not found"


# ---- clean-up, caps and summaries ----------------------------------------------------------------------


def test_text_is_capped_and_cleaned(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word\x00 \t  word\r\n\r\n\r\n\r\nnext " * 300_000)
    result = extract_file(path)
    assert len(result.text) <= MAX_TEXT
    assert "\x00" not in result.text and "\n\n\n" not in result.text
    assert result.text.startswith("word word\n\nnext word")


def test_summary_cuts_at_sentence_or_word_boundary():
    text = "Title\n\n" + "This sentence has exactly enough words to count. " * 12
    summary = make_summary(text)
    assert summary is not None and summary.endswith("count.") and len(summary) <= 300
    assert not summary.startswith("Title")
    long_word_run = " ".join(["alpha"] * 100)
    clipped = clip(long_word_run, 50)
    assert clipped.endswith("…") and len(clipped) <= 51 and "alph…" not in clipped


def test_supported_suffixes():
    assert {".pdf", ".docx", ".pptx", ".xlsx", ".html", ".htm", ".md", ".txt"} <= SUPPORTED_SUFFIXES


# ---- the real documents ---------------------------------------------------------------------------------

REAL_WORDS = {
    "2023-half-year-analyses-by-segment.xlsx": "Trading operating profit",
    "chevron-page.pdf": "Mediterranean",
    "docx-tables.docx": "Lorem ipsum",
    "example-10k-1p.html": "Galaxy Gaming",
    "fake-doc-emphasized-text.docx": "bold-italic",
    "fake-memo.pdf": "blankets",
    "fake-power-point-table.pptx": "Tangerine",
    "fake-power-point.pptx": "bullet slide layout",
    "handbook-1p.docx": "standing trustees",
    "interface-config-guide-p93.pdf": "Cross-Connect",
    "reliance.pdf": "Reliance",
    "sample-presentation.pptx": "sub-sub-bullet",
    "science-exploration-1p.pptx": "Heliophysics",
}


def _real(folder: str) -> Path:
    return Path(fixtures_dir()) / "documents" / folder


def test_real_documents_are_all_listed():
    supported = {p.name for p in _real("unstructured_example_docs").iterdir() if p.suffix in SUPPORTED_SUFFIXES}
    assert supported == set(REAL_WORDS)


@pytest.mark.parametrize("name", sorted(REAL_WORDS))
def test_real_document_extracts(name):
    result = extract_file(_real("unstructured_example_docs") / name)
    assert result.error is None, result.error
    assert REAL_WORDS[name] in result.text
    assert result.summary


def test_real_license_file_is_unsupported():
    result = extract_file(_real("unstructured_example_docs") / "LICENSE.unstructured")
    assert result.error == "text not extracted: unsupported file type .unstructured"


@pytest.mark.parametrize("name,customer,industries", [
    ("airbus.md", "Airbus", ["Aerospace"]), ("researchgate.md", "ResearchGate", ["Science", "Social network"]),
    ("supabase.md", "Supabase", None), ("vendasta.md", "Vendasta", ["SaaS"]),
    ("ycombinator.md", "Y Combinator", ["SaaS, Education"]),
])
def test_real_case_studies_front_matter(name, customer, industries):
    result = extract_file(_real("posthog_case_studies") / name)
    front = result.metadata["front_matter"]
    assert result.error is None and result.title and result.title.startswith("How ")
    assert front["customer"] == customer and front.get("industries") == industries
    assert "---" not in result.text[:10] and "<Quote" not in result.text and len(result.text) > 3000
