"""Adding files, links and folders to the content library (both engines): titles, types and facets found in
the documents, the content-addressed file store, unreadable documents, links against a real HTTP server on
127.0.0.1, the folder job's progress, cancel and all-or-nothing save, and the real documents in the fixtures."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug import Response

from bdr_desk.jobs import CancelToken, JobCancelled, no_progress
from bdr_desk.taxonomy import Taxonomy
from content_library import importer
from content_library.files import store_for
from content_library.importer import (
    add_path_or_url,
    draft_from_url,
    front_matter_facets,
    guess_type,
    humanize_name,
    import_folder,
)
from content_library.items import ContentError
from content_library.models import ContentItem
from content_library.search import SearchRequest, search
from tests.conftest import fixtures_dir
from tests.test_content_extract import pdf_bytes, write_docx, write_pdf

CASE_STUDY = """---
title: "How Northwind Bank cut audit prep by 60%"
customer: Northwind Bank
industries: [Fintech, "Banking & Capital Markets", Aerospace]
pain: Audit readiness
personas:
  - Founder
  - CFO
---
# A heading that is not the title

Northwind's controllers reconciled ledgers in spreadsheets every quarter.
"""
PAGE = """<!doctype html><html><head><title>Acme blog | Churn</title>
<meta property="og:title" content="Cutting churn in fintech"></head>
<body><nav>NAVWORD</nav><article><p>Proactive outreach halved onboarding churn for a lender.</p></article>
</body></html>"""


def _count(ws) -> int:
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(ContentItem))


def _hit_ids(ws, text: str, **kw) -> list[int]:
    with ws.session() as s:
        return [h.id for h in search(s, SearchRequest(text=text, **kw)).hits]


def _stored_files(ws) -> list[Path]:
    root = store_for(ws.url).root
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")) if root.exists() else []


# ---- names, types, front matter ------------------------------------------------------------------------

def test_names_and_types():
    assert humanize_name("fintech-compliance.md") == "Fintech compliance"
    assert humanize_name("q3__battle_card+final.PDF") == "Q3 battle card final"
    assert humanize_name("notes.unknown") == "Notes unknown"  # an unsupported suffix is not a file type
    assert guess_type("x.md", front_matter={"Type": "Case Study"}) == "case_study"
    assert guess_type("x.md", front_matter={"type": "podcast"}) == "blog_post"  # unknown type: ignored
    assert guess_type("x.md", front_matter={"customer": "Acme"}) == "case_study"
    assert guess_type("acme-white-paper.pdf") == "whitepaper"
    assert guess_type("q3-battle-card.pdf") == "battlecard"
    assert guess_type("deck.pdf", title="Data sheet for CFOs") == "one_pager"
    assert guess_type("forecasts.pptx") == "deck" and guess_type("forecasts.pdf") == "whitepaper"


def test_front_matter_facets_resolve_labels_and_drop_unknown_values(sqlite_workspace):
    with sqlite_workspace.session() as s:
        tax = Taxonomy.load(s)
    fm = {"Industries": ["SaaS, Education", "Aerospace"], "pain": "Audit readiness", "personas": ["Founder", "cfo"],
          "customer": "Acme"}
    assert front_matter_facets(tax, fm) == {"industry": ["software", "education"], "pain": ["audit_readiness"],
                                            "persona": ["ceo", "cfo"]}
    assert front_matter_facets(tax, {"industry": "Underwater basket weaving"}) == {}


# ---- one file ------------------------------------------------------------------------------------------

def test_markdown_case_study_is_stored_tagged_and_searchable(workspace, tmp_path):
    doc = tmp_path / "northwind.md"
    doc.write_text(CASE_STUDY, encoding="utf-8")
    item = add_path_or_url(workspace, doc, facets={"industry": ["Retail & E-commerce"]})
    assert item.title == "How Northwind Bank cut audit prep by 60%" and item.type == "case_study"
    assert item.error is None and item.file_name == "northwind.md"
    assert set(item.facets) == {"industry", "pain", "persona"}
    assert sorted(item.facets["industry"]) == ["banking", "fintech", "retail"]  # "Aerospace" is not a term
    assert sorted(item.facets["persona"]) == ["ceo", "cfo"] and item.facets["pain"] == ["audit_readiness"]
    sha = hashlib.sha256(doc.read_bytes()).hexdigest()
    with workspace.session() as s:
        row = s.get(ContentItem, item.id)
        assert (row.file_sha256, row.file_size, row.mime_type) == (sha, doc.stat().st_size, "text/markdown")
        assert "spreadsheets" in row.body_text and "---" not in row.body_text
    stored = store_for(workspace.url).path_for(sha, "northwind.md")
    assert stored.read_bytes() == doc.read_bytes()
    assert _hit_ids(workspace, "spreadsheets") == [item.id]
    assert _hit_ids(workspace, "spreadsheets", facets={"industry": ("fintech",)}) == [item.id]
    assert _hit_ids(workspace, "spreadsheets", facets={"industry": ("healthcare",)}) == []


def test_office_and_pdf_titles_and_one_stored_file_per_content(workspace, tmp_path):
    docx = write_docx(tmp_path / "playbook.docx")
    shutil.copyfile(docx, tmp_path / "playbook-copy.docx")
    first = add_path_or_url(workspace, docx)
    again = add_path_or_url(workspace, tmp_path / "playbook-copy.docx", title="  Explicit   title ")
    assert first.title == "Fintech Compliance Playbook" and again.title == "Explicit title"
    assert first.type == "whitepaper" and first.error is None
    titled = add_path_or_url(workspace, write_pdf(tmp_path / "x.pdf", ["Pipeline report"], title="Q3 Pipeline"))
    untitled = add_path_or_url(workspace, write_pdf(tmp_path / "q3-battle-card.pdf", ["Objection handling"]))
    assert titled.title == "Q3 Pipeline" and (untitled.title, untitled.type) == ("Q3 battle card", "battlecard")
    assert _count(workspace) == 4
    with workspace.session() as s:
        hashes = [s.get(ContentItem, i.id).file_sha256 for i in (first, again, titled, untitled)]
    assert hashes[0] == hashes[1] and len(set(hashes)) == 3
    assert len(_stored_files(workspace)) == 3  # the same bytes twice are stored once
    assert set(_hit_ids(workspace, "auditors")) == {first.id, again.id}
    assert _hit_ids(workspace, "objection") == [untitled.id]


def test_unreadable_file_is_added_with_the_reason(workspace, tmp_path):
    bad = tmp_path / "corrupt-brochure.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    item = add_path_or_url(workspace, bad)
    assert item.error is not None and item.error.startswith("text not extracted:")
    assert item.title == "Corrupt brochure" and item.file_name == "corrupt-brochure.pdf"
    with workspace.session() as s:
        assert s.get(ContentItem, item.id).body_text is None


def test_bad_input_is_refused_and_nothing_is_written(workspace, tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("# A\n\nbody\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not found"):
        add_path_or_url(workspace, tmp_path / "missing.md")
    with pytest.raises(ContentError, match="is not a file"):
        add_path_or_url(workspace, tmp_path)
    with pytest.raises(ContentError, match="Underwater"):
        add_path_or_url(workspace, doc, facets={"industry": ["Underwater basket weaving"]})
    assert _stored_files(workspace) == []  # facets are checked before the file is stored
    with pytest.raises(ContentError, match="podcast"):
        add_path_or_url(workspace, doc, type="podcast")
    with pytest.raises(ContentError, match="http"):
        draft_from_url("ftp://files.example.com/deck.pdf")
    assert _count(workspace) == 0


def test_store_location_follows_the_workspace(sqlite_workspace, tmp_path):
    db = Path(sqlite_workspace.url.removeprefix("sqlite:///"))
    assert store_for(sqlite_workspace.url).root == db.parent / f"{db.stem}-files"
    one = store_for("postgresql+psycopg://bdr:secret@db.example/team")
    assert one.root == store_for("postgresql+psycopg://bdr:other@db.example/team").root  # password left out
    assert one.root != store_for("postgresql+psycopg://bdr:secret@db.example/other").root


# ---- links, against a real server ------------------------------------------------------------------------

def test_web_page_link(workspace, httpserver):
    httpserver.expect_request("/blog/cutting-churn").respond_with_data(PAGE, content_type="text/html; charset=utf-8")
    url = httpserver.url_for("/blog/cutting-churn")
    item = add_path_or_url(workspace, url, facets={"industry": ["fintech"]})
    assert (item.title, item.type, item.error, item.file_name) == ("Cutting churn in fintech", "blog_post", None, None)
    with workspace.session() as s:
        row = s.get(ContentItem, item.id)
        assert row.url == url and "halved onboarding churn" in row.body_text and "NAVWORD" not in row.body_text
    assert _hit_ids(workspace, "onboarding") == [item.id]
    httpserver.expect_request("/plain").respond_with_data("<html><head><title>Plain title</title></head>"
                                                          "<body><p>x</p></body></html>", content_type="text/html")
    assert add_path_or_url(workspace, httpserver.url_for("/plain")).title == "Plain title"


def test_pdf_link_is_kept_in_the_store(workspace, httpserver):
    body = pdf_bytes(["Forecast accuracy for revenue teams"], title="Quarterly Pipeline Report")
    httpserver.expect_request("/files/report").respond_with_data(body, content_type="application/pdf")
    httpserver.expect_request("/dl").respond_with_data(
        body, content_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="pipeline-2024.pdf"'})
    item = add_path_or_url(workspace, httpserver.url_for("/files/report"))
    assert (item.title, item.file_name, item.error) == ("Quarterly Pipeline Report", "report.pdf", None)
    sha = hashlib.sha256(body).hexdigest()
    with workspace.session() as s:
        row = s.get(ContentItem, item.id)
        assert (row.file_sha256, row.mime_type, row.url) == (sha, "application/pdf", httpserver.url_for("/files/report"))
        assert "Forecast accuracy" in row.body_text
    assert store_for(workspace.url).path_for(sha, "report.pdf").read_bytes() == body
    named = add_path_or_url(workspace, httpserver.url_for("/dl"))
    assert named.file_name == "pipeline-2024.pdf" and named.title == "Quarterly Pipeline Report"
    assert set(_hit_ids(workspace, "forecast")) == {item.id, named.id}


def test_unreachable_link_is_added_offline_with_the_reason(workspace, httpserver):
    """Documented: adding a link works offline; the item keeps the URL and says why there is no text."""
    url = httpserver.url_for("/pricing/missing-page")
    httpserver.expect_request("/pricing/missing-page").respond_with_data("gone", status=404)
    item = add_path_or_url(workspace, url)
    assert item.error.startswith(f"text not extracted: could not fetch {url} (HTTP 404")
    assert "\n" not in item.error and item.title == "Missing page"
    with workspace.session() as s:
        assert s.get(ContentItem, item.id).url == url


def _error(url: str, **kw) -> str:
    draft = draft_from_url(url, **kw)
    assert draft.body_text is None and draft.file_sha256 is None
    return draft.extract_error


def test_size_cap_declared_and_streamed(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/html")

    def stream(_request):  # no Content-Length: the cap has to hold while reading
        return Response((b"<p>" + b"y" * 4096 for _ in range(64)), content_type="text/html")

    httpserver.expect_request("/stream").respond_with_handler(stream)
    assert _error(httpserver.url_for("/big"), max_bytes=1000).endswith("(larger than 1,000 bytes)")
    assert _error(httpserver.url_for("/stream"), max_bytes=10_000).endswith("(larger than 10,000 bytes)")
    page = draft_from_url(httpserver.url_for("/big"), max_bytes=5000)  # exactly at the cap is fine
    assert page.extract_error is None and page.body_text == "x" * 5000


def test_redirects_followed_only_to_http(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/sneaky").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"})
    assert draft_from_url(httpserver.url_for("/old")).title == "Cutting churn in fintech"
    err = _error(httpserver.url_for("/sneaky"))
    assert "redirect to file:///etc/passwd refused" in err and err.startswith("text not extracted:")


def test_timeout(httpserver):
    release = threading.Event()

    def never_answers(_request):  # answers only once the test is over: no sleeping, no timing
        release.wait(30)
        return Response("late", content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(never_answers)
    try:
        assert _error(httpserver.url_for("/slow"), timeout=0.2).endswith("(no answer within 0.2 s)")
    finally:
        release.set()


# ---- a folder ----------------------------------------------------------------------------------------------

def _folder(root: Path) -> Path:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "guide.md").write_text("# Fintech onboarding guide\n\nKnow-your-customer checks.\n", encoding="utf-8")
    shutil.copyfile(root / "guide.md", root / "guide2.md")
    (root / "retail-notes.txt").write_text("Footfall and basket size.\n", encoding="utf-8")
    write_docx(root / "playbook.docx")
    write_pdf(root / "sub" / "deeper" / "q3-battle-card.pdf", ["Objection handling for procurement"])
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "README").write_text("read me", encoding="utf-8")
    (root / ".git" / "notes.md").write_text("# hidden\n", encoding="utf-8")
    (root / "~$playbook.docx").write_bytes(b"lock")
    return root


def test_folder_import(workspace, tmp_path):
    root = _folder(tmp_path / "docs")
    calls: list[tuple[int, int]] = []
    result = import_folder(workspace, root, lambda d, t, m="": calls.append((d, t)), CancelToken(),
                           recursive=False)
    assert sorted((i.file_name, i.title, i.type) for i in result.added) == [
        ("guide.md", "Fintech onboarding guide", "blog_post"),
        ("playbook.docx", "Fintech Compliance Playbook", "whitepaper"),
        ("retail-notes.txt", "Retail notes", "blog_post")]
    assert sorted(result.skipped) == [("README", "unsupported file type (no extension)"),
                                      ("guide2.md", "duplicate content of guide.md"),
                                      ("logo.png", "unsupported file type .png")]
    assert result.errors == [] and _count(workspace) == 3
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)  # six files, hidden ones and lock files not listed
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and {t for _, t in calls} == {6}
    again = import_folder(workspace, root, no_progress, CancelToken())  # recursive: only the nested file is new
    assert [(i.file_name, i.title, i.type) for i in again.added] == [
        ("q3-battle-card.pdf", "Q3 battle card", "battlecard")]
    assert ("guide2.md", "duplicate content already in library") in again.skipped
    assert _count(workspace) == 4 and _hit_ids(workspace, "procurement") == [again.added[0].id]


def test_cancel_midway_leaves_the_library_unchanged(workspace, tmp_path):
    (tmp_path / "existing.md").write_text("# Existing\n\nalready here\n", encoding="utf-8")
    add_path_or_url(workspace, tmp_path / "existing.md")
    root = tmp_path / "batch"
    root.mkdir()
    for n in range(5):
        (root / f"note-{n}.txt").write_text(f"note number {n} about renewals\n", encoding="utf-8")
    token, seen = CancelToken(), []

    def progress(done, total, message=""):
        seen.append(done)
        if done == 2:
            token.cancel()

    with pytest.raises(JobCancelled):
        import_folder(workspace, root, progress, token)
    assert seen == [0, 1, 2] and _count(workspace) == 1 and _hit_ids(workspace, "renewals") == []


def test_failure_while_saving_leaves_the_library_unchanged(workspace, tmp_path, monkeypatch):
    root = tmp_path / "batch"
    root.mkdir()
    for n in range(3):
        (root / f"note-{n}.txt").write_text(f"note {n} on renewals\n", encoding="utf-8")
    real, made = importer.create_item, []

    def fails_on_the_second(session, draft, **kw):  # the first insert is flushed, then the batch fails
        if made:
            raise ContentError("title: simulated failure on the second item")
        made.append(real(session, draft, **kw).id)
        return session.get(ContentItem, made[-1])

    monkeypatch.setattr(importer, "create_item", fails_on_the_second)
    with pytest.raises(ContentError, match="simulated"):
        import_folder(workspace, root, no_progress, CancelToken())
    assert made and _count(workspace) == 0 and _hit_ids(workspace, "renewals") == []
    with pytest.raises(ContentError, match="not found"):
        import_folder(workspace, tmp_path / "nowhere", no_progress, CancelToken())


# ---- the real documents --------------------------------------------------------------------------------

def test_real_documents(workspace):
    root = Path(fixtures_dir()) / "documents"
    result = import_folder(workspace, root, no_progress, CancelToken())
    supported = {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith("LICENSE")}
    assert {i.file_name for i in result.added} == supported and len(supported) == 18
    assert all(i.error is None for i in result.added), [(i.file_name, i.error) for i in result.added]
    assert sorted(result.skipped) == [
        ("posthog_case_studies/LICENSE.posthog-contents", "unsupported file type .posthog-contents"),
        ("unstructured_example_docs/LICENSE.unstructured", "unsupported file type .unstructured")]
    by_name = {i.file_name: i for i in result.added}
    cases = {n: i for n, i in by_name.items() if n.endswith(".md")}
    assert {i.type for i in cases.values()} == {"case_study"}  # front matter names a customer
    assert all(i.title.startswith("How ") for i in cases.values())
    assert cases["vendasta.md"].facets == {"industry": ["software"]}  # "SaaS"
    assert sorted(cases["ycombinator.md"].facets["industry"]) == ["education", "software"]
    assert cases["airbus.md"].facets == {}  # "Aerospace" is not in the taxonomy: dropped
    assert by_name["fake-power-point.pptx"].type == "deck"
    assert _hit_ids(workspace, "Heliophysics") == [by_name["science-exploration-1p.pptx"].id]
    assert by_name["vendasta.md"].id in _hit_ids(workspace, "Snowplow", facets={"industry": ("software",)})
