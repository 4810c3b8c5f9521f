"""`bdr-desk search` and `bdr-desk content add|import|recommend|gaps|request`: JSON shapes, real ranking and
filters, hostile queries, the demo workspace, and bad input (exit 1, one line naming the value, nothing
changed). In-process `main()`, like the other CLI tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bdr_desk.cli import main
from content_library.models import ContentFacet, ContentItem, ContentRequest
from tests.test_content_extract import pdf_bytes

PAGE = ("<!doctype html><html><head><title>Blog | x</title><meta property=\"og:title\" content=\"Cutting churn "
        "in fintech\"></head><body><article><p>Proactive outreach halved onboarding churn.</p></article></body></html>")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def js(capsys, db, *args):
    code, out, err = run(capsys, "--db", db, *args)
    assert code == 0, err
    return json.loads(out)


def _counts(ws) -> tuple[int, int, int]:
    with ws.session() as s:
        return (s.scalar(select(func.count()).select_from(ContentItem)),
                s.scalar(select(func.count()).select_from(ContentFacet)),
                s.scalar(select(func.count()).select_from(ContentRequest)))


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_file_then_search_on_both_engines(capsys, workspace, tmp_path):
    db = workspace.url
    doc = _write(tmp_path, "guide.md", "# Draft heading\n\nContinuous controls monitoring for lenders.\n")
    added = js(capsys, db, "content", "add", doc, "--title", "Lender controls guide", "--type", "One pager",
               "--industry", "Fintech", "--industry", "banking", "--pain", "Audit readiness", "--persona", "cfo",
               "--size", "201-500 employees", "--json")
    assert set(added) == {"id", "title", "type", "file_name", "text_extracted", "error", "facets"}
    assert (added["title"], added["type"], added["file_name"]) == ("Lender controls guide", "one_pager", "guide.md")
    assert added["text_extracted"] is True and added["error"] is None
    assert {k: sorted(v) for k, v in added["facets"].items()} == {
        "industry": ["banking", "fintech"], "pain": ["audit_readiness"], "persona": ["cfo"],
        "size_band": ["201_500"]}
    res = js(capsys, db, "search", "controls", "monitoring", "--json")
    assert [r["id"] for r in res["results"]] == [added["id"]] and res["total"] == 1
    assert res["facets"]["industry"] == {"banking": 1, "fintech": 1} and res["facets"]["type"] == {"one_pager": 1}
    code, out, _ = run(capsys, "--db", db, "search", "controls")
    assert code == 0 and "1 item" in out and "Lender controls guide" in out


def test_add_links(capsys, sqlite_workspace, httpserver):
    db = sqlite_workspace.url
    httpserver.expect_request("/blog/churn").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/files/report.pdf").respond_with_data(
        pdf_bytes(["Forecast accuracy"], title="Pipeline Report"), content_type="application/pdf")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    page = js(capsys, db, "content", "add", httpserver.url_for("/blog/churn"), "--json")
    assert (page["title"], page["type"], page["file_name"], page["text_extracted"]) == (
        "Cutting churn in fintech", "blog_post", None, True)
    pdf = js(capsys, db, "content", "add", httpserver.url_for("/files/report.pdf"), "--type", "whitepaper", "--json")
    assert (pdf["title"], pdf["file_name"], pdf["error"]) == ("Pipeline Report", "report.pdf", None)
    code, out, err = run(capsys, "--db", db, "content", "add", httpserver.url_for("/gone"))  # kept offline
    assert code == 0 and err == "" and f"could not fetch {httpserver.url_for('/gone')} (HTTP 404" in out
    assert [r["title"] for r in js(capsys, db, "search", "onboarding", "--json")["results"]] == [
        "Cutting churn in fintech"]


def test_import_folder_json_and_text(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    _write(docs, "fintech-compliance.md", "# Fintech compliance case study\n\nHow a bank cut audit time.\n")
    _write(docs, "retail-notes.txt", "Store analytics for regional chains.\n")
    _write(docs / "sub", "broken.pdf", "%PDF-1.4 not really a PDF")
    (docs / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    shallow = js(capsys, db, "content", "import", str(docs), "--no-recursive", "--json")
    assert set(shallow) == {"added", "skipped", "errors"} and shallow["errors"] == []
    assert [set(a) for a in shallow["added"]] == [{"id", "title", "file_name", "type", "error"}] * 2
    assert sorted((a["file_name"], a["title"], a["type"]) for a in shallow["added"]) == [
        ("fintech-compliance.md", "Fintech compliance case study", "case_study"),
        ("retail-notes.txt", "Retail notes", "blog_post")]
    assert shallow["skipped"] == [{"file": "logo.png", "reason": "unsupported file type .png"}]
    deep = js(capsys, db, "content", "import", str(docs), "--json")
    assert [a["file_name"] for a in deep["added"]] == ["broken.pdf"]
    assert deep["added"][0]["error"].startswith("text not extracted:")
    assert sorted(s["reason"] for s in deep["skipped"]) == ["duplicate content already in library"] * 2 + [
        "unsupported file type .png"]
    _write(docs, "more.txt", "More notes.\n")
    code, out, _ = run(capsys, "--db", db, "content", "import", str(docs))
    assert code == 0 and out.startswith("Added 1 item(s), skipped 4.") and "+ #" in out and "More" in out


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_import_reports_an_unreadable_file_and_adds_the_rest(capsys, sqlite_workspace, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "notes.txt", "Quarterly notes.\n")
    (docs / "unreadable.txt").symlink_to("/proc/self/mem")  # a regular file whose first read fails (EIO)
    res = js(capsys, sqlite_workspace.url, "content", "import", str(docs), "--json")
    assert [a["file_name"] for a in res["added"]] == ["notes.txt"]
    assert res["errors"] == [{"file": "unreadable.txt", "message": "Input/output error"}]
    code, out, _ = run(capsys, "--db", sqlite_workspace.url, "content", "import", str(docs))
    assert code == 0 and "  ! unreadable.txt: Input/output error" in out


@pytest.fixture
def library(capsys, sqlite_workspace, tmp_path):
    """Items added through the CLI: a title hit, a body-only hit and three that do not match (so that "churn" is
    a rare word and bm25 gives the two hits scores that differ)."""
    db = sqlite_workspace.url
    ids = {}
    for key, title, body, kind, industry in [
        ("title", "Churn reduction playbook", "Retention tactics for subscription businesses.", "deck", "software"),
        ("body", "Onboarding guide", "Our customers reduce churn in the first ninety days with guided tours "
                                     "and retention emails.", "whitepaper", "fintech"),
        ("other", "Pricing page teardown", "Anchoring and decoy pricing.", "whitepaper", "software"),
        ("security", "Security questionnaire answers", "SOC 2 and penetration tests.", "one_pager", "fintech"),
        ("hiring", "Hiring webinar", "Interview loops for account executives.", "webinar", "retail"),
    ]:
        doc = _write(tmp_path, f"{key}.md", body)
        ids[key] = js(capsys, db, "content", "add", doc, "--title", title, "--type", kind, "--industry", industry,
                      "--json")["id"]
    return db, ids


def test_search_ranks_filters_and_counts(capsys, library):
    db, ids = library
    res = js(capsys, db, "search", "churn", "--json")
    assert [r["id"] for r in res["results"]] == [ids["title"], ids["body"]]  # the title hit ranks first
    assert res["results"][0]["score"] > res["results"][1]["score"] and res["total"] == 2
    assert all({"id", "title", "score", "snippet"} <= set(r) for r in res["results"])
    assert "**churn**" in res["results"][1]["snippet"].lower()
    assert res["facets"]["industry"] == {"fintech": 1, "software": 1}
    assert res["facets"]["type"] == {"deck": 1, "whitepaper": 1}
    narrowed = js(capsys, db, "search", "churn", "--industry", "Fintech", "--json")
    assert [r["id"] for r in narrowed["results"]] == [ids["body"]]
    assert narrowed["facets"]["industry"] == {"fintech": 1, "software": 1}  # disjunctive: other choices shown
    assert [r["id"] for r in js(capsys, db, "search", "churn", "--type", "deck", "--json")["results"]] == [ids["title"]]
    limited = js(capsys, db, "search", "churn", "--limit", "1", "--json")
    assert [r["id"] for r in limited["results"]] == [ids["title"]] and limited["total"] == 2
    assert [r["id"] for r in js(capsys, db, "search", "churn", "-playbook", "--json")["results"]] == [ids["body"]]
    assert js(capsys, db, "search", "churn", "--industry", "retail", "--json")["results"] == []


def test_hostile_queries_never_break_the_search(capsys, library):
    db, _ = library
    for query in ['"unbalanced', "NEAR(", "a AND", "*", "-x", "x" * 5000, "🚀 churn 📈", "churn OR", "title:churn",
                  "'; DROP TABLE content_items; --", "\x00churn", "(((", "^churn"]:
        code, out, err = run(capsys, "--db", db, "search", query, "--json")
        assert code == 0 and "Traceback" not in err and err == "", (query[:20], err)
        res = json.loads(out)
        assert isinstance(res["results"], list) and isinstance(res["facets"], dict), query[:20]
    assert len(js(capsys, db, "search", "🚀 churn 📈", "--json")["results"]) == 2  # the emoji are ignored
    assert js(capsys, db, "search", "Pricing", "--json")["total"] == 1  # the table is still there


def test_recommend_on_the_demo_workspace(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    with sqlite_workspace.session() as s:
        industries: dict[int, set[str]] = {}
        for item_id, term in s.execute(select(ContentFacet.item_id, ContentFacet.term)
                                       .join(ContentItem, ContentItem.id == ContentFacet.item_id)
                                       .where(ContentFacet.vocabulary == "industry",
                                              ContentItem.status == "published")):
            industries.setdefault(item_id, set()).add(term)
    covered = set().union(*industries.values())
    accounts = [a for a in js(capsys, db, "accounts", "list", "--json") if a["industry"] in covered]
    assert len(accounts) >= 10
    for account in accounts:
        out = js(capsys, db, "content", "recommend", account["domain"], "--json")
        assert out["account_id"] == account["id"] and out["recommendations"]
        top = out["recommendations"][0]
        assert {"id", "title", "type", "url", "score", "reason", "reasons", "used_for_account"} <= set(top)
        assert account["industry"] in industries[top["id"]], (account["name"], top["title"])
        assert "same industry" in top["reasons"] and all(r["reasons"] for r in out["recommendations"])
        scores = [r["score"] for r in out["recommendations"]]
        assert scores == sorted(scores, reverse=True)
    code, out, _ = run(capsys, "--db", db, "content", "recommend", str(accounts[0]["id"]))
    assert code == 0 and "same industry" in out


def test_gaps_and_a_request_moves_its_cell_up(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    cells = js(capsys, db, "content", "gaps", "--limit", "0", "--json")["cells"]
    assert cells and all(set(c) == {"industry", "size_band", "pain", "requests", "empty_searches",
                                    "target_accounts", "demand", "supply", "gap_score", "open_requests"}
                         for c in cells)
    assert [c["gap_score"] for c in cells] == sorted((c["gap_score"] for c in cells), reverse=True)
    key = ("industry", "size_band", "pain")
    # the lowest full cell that one more request (3 demand points) lifts past its neighbour above
    at = max(i for i, c in enumerate(cells) if i and all(c[k] for k in key) and c["supply"] == 0
             and cells[i - 1]["gap_score"] < c["gap_score"] + 3)
    cell = cells[at]
    filed = js(capsys, db, "content", "request", "--title", "Need this cell covered", "--industry",
               cell["industry"], "--size", cell["size_band"], "--pain", cell["pain"], "--json")
    assert set(filed) == {"id", "title", "status"} and filed["status"] == "open"
    after = js(capsys, db, "content", "gaps", "--limit", "0", "--json")["cells"]
    moved = next(i for i, c in enumerate(after) if tuple(c[k] for k in key) == tuple(cell[k] for k in key))
    assert moved < at and after[moved]["requests"] == cell["requests"] + 1
    assert {"id": filed["id"], "title": "Need this cell covered"} in after[moved]["open_requests"]
    listed = js(capsys, db, "content", "requests", "--json")
    assert any(r["id"] == filed["id"] and r["industry"] == cell["industry"] for r in listed)


def test_bad_input_is_one_line_and_changes_nothing(capsys, sqlite_workspace, tmp_path):
    db = sqlite_workspace.url
    assert run(capsys, "--db", db, "demo")[0] == 0
    doc = _write(tmp_path, "a.md", "# A\n\nbody\n")
    before = _counts(sqlite_workspace)
    for args, named in [
        (("content", "add", doc, "--type", "podcast"), "podcast"),
        (("content", "add", doc, "--industry", "Underwater basket weaving"), "Underwater basket weaving"),
        (("content", "add", doc, "--pain", "Gremlins"), "Gremlins"),
        (("content", "add", str(tmp_path / "missing.md")), "missing.md"),
        (("content", "add", "ftp://files.example.com/deck.pdf"), "ftp://files.example.com/deck.pdf"),
        (("content", "import", str(tmp_path / "no-such-folder")), "no-such-folder"),
        (("content", "recommend", "nowhere.example.com"), "nowhere.example.com"),
        (("content", "recommend", "999999"), "999999"),
        (("content", "request", "--title", "x", "--industry", "Atlantis"), "Atlantis"),
        (("content", "request", "--title", "x", "--account", "nowhere.example.com"), "nowhere.example.com"),
        (("search", "churn", "--type", "podcast"), "podcast"),
        (("search", "churn", "--industry", "Atlantis"), "Atlantis"),
    ]:
        code, out, err = run(capsys, "--db", db, *args)
        assert code == 1 and out == "", args
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and named in err, (args, err)
    assert _counts(sqlite_workspace) == before
