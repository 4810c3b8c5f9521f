"""Account plans (bdr_desk.export.plans): the four formats, isolation between accounts, templates, snapshot
diffs, batch export as a job, usage events and bad input — on small hand-made data and the demo workspace."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from accounts.hypotheses import set_status
from accounts.models import Account, Contact, Signal, TargetList, TargetListMember
from bdr_desk.db import Workspace, open_workspace
from bdr_desk.demo import seed_demo
from bdr_desk.export import plans
from bdr_desk.export.plan_data import SECTION_TITLES, SECTIONS
from bdr_desk.export.plan_templates import save_plan_template
from bdr_desk.export.plans import SINCE_LAST, PlanExportError, export_list, export_plan
from bdr_desk.export.snapshots import diff_since_last, take_snapshot
from bdr_desk.jobs import CancelToken, JobCancelled
from content_library.models import ContentItem, ContentUsage
from tests.plan_factories import CORVINA_STRINGS, NOW, build_world

FORMATS = ("pdf", "docx", "md", "html")
HALCYON_PEOPLE = ("Ottoline Vasquez-Brandt", "Peregrin Ashdown", "Ludmila Farthingale")
STAKEHOLDER_HEAD = ["Name", "Title", "Buying role", "Sentiment", "Coverage status", "Left company"]


def norm(text: str) -> str:
    """Extracted text compared loosely: ligatures unfolded, no-break spaces and tabs as single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def pdf_text(path: Path) -> str:
    return norm("\n".join(page.extract_text() for page in PdfReader(str(path)).pages))


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return norm("\n".join([p.text for p in doc.paragraphs] + cells))


def text_of(path: Path) -> str:
    suffix = path.suffix
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix == ".docx":
        return docx_text(path)
    return norm(path.read_text(encoding="utf-8"))


@pytest.fixture
def world(sqlite_workspace):
    return build_world(sqlite_workspace)


@pytest.fixture
def halcyon_files(sqlite_workspace, world, tmp_path):
    return {fmt: export_plan(sqlite_workspace, world.halcyon, tmp_path / f"plan.{fmt}", now=NOW).path
            for fmt in FORMATS}


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("demo-plans") / "w.db"
    shutil.copyfile(sqlite_template, path)
    ws = open_workspace(f"sqlite:///{path}")
    with ws.session() as s:
        seed_demo(s, today=dt.date(2026, 12, 4))
    yield ws
    ws.dispose()


# ---- the four formats -------------------------------------------------------------------------------------

def test_pdf_has_name_contacts_and_section_headings(halcyon_files):
    reader = PdfReader(str(halcyon_files["pdf"]))
    assert len(reader.pages) >= 2
    text = pdf_text(halcyon_files["pdf"])
    assert "Halcyon Mirrorworks" in text
    for name in HALCYON_PEOPLE:
        assert name in text
    for key in SECTIONS:
        assert SECTION_TITLES[key] in text
    assert "Page 1 of" in text
    assert reader.metadata.title == "Account plan: Halcyon Mirrorworks"


def test_pdf_links_to_sources_and_content(halcyon_files):
    uris = {a.get_object()["/A"]["/URI"] for page in PdfReader(str(halcyon_files["pdf"])).pages
            for a in page.get("/Annots") or () if "/A" in a.get_object()}
    assert {"https://halcyon-mirror.example/news/vp-finance", "https://content.example/close-faster"} <= uris


def test_docx_headings_and_stakeholder_table(halcyon_files):
    doc = Document(str(halcyon_files["docx"]))
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert h1 == [SECTION_TITLES[k] for k in SECTIONS]
    assert {"Signals", "Buying committee", "Roles and gaps", "Recommended content"} <= set(h2)
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == ["Halcyon Mirrorworks"]
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == STAKEHOLDER_HEAD)
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows == [
        ["Ottoline Vasquez-Brandt", "Chief Financial Officer", "Economic buyer", "Supporter", "Meeting held", "No"],
        ["Peregrin Ashdown", "Group Controller", "Champion", "Champion", "Engaged", "No"],
        ["Ludmila Farthingale", "IT Director", "Technical evaluator", "Neutral", "Contacted", "Yes"]]
    assert doc.inline_shapes and doc.inline_shapes[0].width > 0  # the org chart picture
    rels = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    assert "https://halcyon-mirror.example/news/vp-finance" in rels


def test_html_is_self_contained_with_the_org_chart(halcyon_files):
    html = halcyon_files["html"].read_text(encoding="utf-8")
    assert "<link" not in html and "<script" not in html and "@import" not in html and "url(" not in html
    srcs = re.findall(r'\ssrc="([^"]*)"', html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    png = base64.b64decode(srcs[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG") and len(png) > 5000
    assert 'alt="Org chart of Halcyon Mirrorworks"' in html
    hrefs = re.findall(r'\shref="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://", "mailto:")) for h in hrefs)
    assert '<a href="https://halcyon-mirror.example/news/vp-finance">' in html
    for key in SECTIONS:
        assert f"<h2>{SECTION_TITLES[key]}</h2>" in html


def test_markdown_headings_tables_and_links(halcyon_files):
    md = halcyon_files["md"].read_text(encoding="utf-8")
    assert md.startswith("# Account plan: Halcyon Mirrorworks\n")
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == [SECTION_TITLES[k] for k in SECTIONS]
    assert "### Buying committee" in md
    assert "| " + " | ".join(STAKEHOLDER_HEAD) + " |" in md
    assert "| Ludmila Farthingale | IT Director | Technical evaluator | Neutral | Contacted | Yes |" in md
    assert "[halcyon-mirror.example/news/vp-finance](<https://halcyon-mirror.example/news/vp-finance>)" in md
    assert "[The close-faster guide for finance teams](<https://content.example/close-faster>)" in md
    assert "  - **Peregrin Ashdown**, Group Controller · Champion" in md  # the org chart as an outline


def test_values_are_escaped(sqlite_workspace, tmp_path):
    with sqlite_workspace.session() as s:
        acc = Account(name="Evil <b>Co</b> | *x* & [y](javascript:alert(1))", domain="evil.example",
                      website="javascript:alert(1)")
        s.add(acc)
        s.flush()
        s.add(Contact(account_id=acc.id, first_name="<img src=x>", last_name="Pipe|Name", title="A\nB"))
        aid = acc.id
    html = export_plan(sqlite_workspace, aid, tmp_path / "e.html").path.read_text(encoding="utf-8")
    assert "<b>Co</b>" not in html and "&lt;b&gt;Co&lt;/b&gt;" in html
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    assert not [h for h in re.findall(r'href="([^"]*)"', html) if not h.startswith("https://")]
    md = export_plan(sqlite_workspace, aid, tmp_path / "e.md").path.read_text(encoding="utf-8")
    assert "Pipe\\|Name" in md and "\\<img src=x\\>" in md and not re.search(r"(?<!\\)\]\(javascript", md)
    assert "Evil" in docx_text(export_plan(sqlite_workspace, aid, tmp_path / "e.docx").path)


# ---- isolation ------------------------------------------------------------------------------------------------

def test_plan_carries_no_other_accounts_data(halcyon_files):
    for fmt, path in halcyon_files.items():
        text = text_of(path)
        assert "Halcyon Mirrorworks" in text, fmt
        leaked = [s for s in CORVINA_STRINGS if s.casefold() in text.casefold()]
        assert not leaked, f"{fmt} plan of Halcyon shows {leaked}"


def test_demo_plan_carries_no_other_accounts_data(demo_ws, tmp_path):
    with demo_ws.sessions() as s:
        acc = s.scalar(select(Account).where(Account.name == "Northwind Ledger"))
        own = {c.full_name for c in s.scalars(select(Contact).where(Contact.account_id == acc.id))}
        people = {c.full_name for c in s.scalars(select(Contact).where(Contact.account_id != acc.id))} - own
        titles = " ".join(s.scalars(select(ContentItem.title)))
        # other accounts' names, except those the shared library's case studies carry in their titles
        others = [a for a in s.scalars(select(Account.name).where(Account.id != acc.id)) if a not in titles]
    assert len(others) > 30 and len(people) > 150
    for fmt in FORMATS:
        text = text_of(export_plan(demo_ws, acc.id, tmp_path / f"n.{fmt}").path)
        assert all(name in text for name in own), fmt
        leaked = [p for p in people if p in text] + [a for a in others if a in text]
        assert not leaked, f"{fmt}: other accounts' data {leaked[:5]}"


# ---- templates --------------------------------------------------------------------------------------------------

def test_template_with_fewer_sections_omits_the_others(sqlite_workspace, world, tmp_path):
    brief = ("overview", "stakeholders", "messaging", "next_steps")
    for fmt in FORMATS:
        res = export_plan(sqlite_workspace, world.halcyon, tmp_path / f"b.{fmt}", template="one-page brief")
        assert res.sections == brief
        text = text_of(res.path)
        for key in SECTIONS:
            assert (SECTION_TITLES[key] in text) == (key in brief), (fmt, key)
        assert "Halcyon close automation" not in text  # opportunities left out
    with sqlite_workspace.session() as s:
        save_plan_template(s, "Deal review", ["next_steps", "opportunities", "overview"])
    md = export_plan(sqlite_workspace, world.halcyon, tmp_path / "d.md", template="Deal review").path.read_text()
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == [
        "Next steps", "Opportunities", "Overview and firmographics"]


# ---- snapshots ------------------------------------------------------------------------------------------------------

def _change_halcyon(ws: Workspace, world) -> None:
    with ws.session() as s:
        s.get(Contact, world.contacts["Peregrin Ashdown"]).left_company = True
        s.add(Contact(account_id=world.halcyon, first_name="Wilhelmina", last_name="Strand", title="VP Finance",
                      buying_role="technical_evaluator", email="w.strand@halcyon-mirror.example"))
        acc = s.get(Account, world.halcyon)
        acc.tier, acc.abm_stage = 1, "engaged"
        set_status(s, world.hypothesis, "confirmed", note="CFO confirmed on the discovery call")
        s.add(Signal(account_id=world.halcyon, kind="funding", title="Halcyon Mirrorworks raises a Series C",
                     occurred_on=dt.date(2026, 11, 1)))


def test_snapshot_diff_on_hand_made_changes(sqlite_workspace, world, tmp_path):
    with sqlite_workspace.session() as s:
        snap = take_snapshot(s, world.halcyon, label="2026-Q3", now=NOW - dt.timedelta(days=60))
        assert snap.label == "2026-Q3"
        assert diff_since_last(s, world.halcyon).empty
    _change_halcyon(sqlite_workspace, world)
    with sqlite_workspace.session() as s:
        d = diff_since_last(s, world.halcyon)
    assert d.since == "2026-Q3"
    assert d.left == ["Peregrin Ashdown"] and d.joined == ["Wilhelmina Strand"]
    assert d.tier == (2, 1) and d.stage == ("researching", "engaged")
    assert d.new_signals == ["Halcyon Mirrorworks raises a Series C"]
    assert d.hypotheses == ["Hypothesis confirmed (Manual processes): Month-end close at Halcyon runs on spreadsheets"]
    assert d.coverage == (0.625, 0.5)  # champion (2 of 8) left, technical evaluator (1 of 8) joined
    # the plan starts with the same changes
    for fmt in FORMATS:
        text = text_of(export_plan(sqlite_workspace, world.halcyon, tmp_path / f"s.{fmt}", diff=SINCE_LAST).path)
        for line in ("Since the last snapshot (2026-Q3)", "Left: Peregrin Ashdown", "Joined: Wilhelmina Strand",
                     "Tier 2 → 1", "ABM stage researching → engaged", "Committee coverage 62% → 50%",
                     "New signal: Halcyon Mirrorworks raises a Series C", "Hypothesis confirmed (Manual processes)"):
            assert line in text, (fmt, line)
        if fmt != "docx":  # (docx_text reads the paragraphs first, then the tables: the callout is a table)
            assert text.index("Since the last snapshot") < text.index("Overview and firmographics")
    assert Document(str(tmp_path / "s.docx")).tables[0].cell(0, 0).text.startswith("Since the last snapshot")


def test_since_last_snapshot_without_a_snapshot_says_so(sqlite_workspace, world, tmp_path):
    md = export_plan(sqlite_workspace, world.halcyon, tmp_path / "n.md", diff=SINCE_LAST).path.read_text()
    assert "No snapshot of this plan yet" in md
    assert "Since the last snapshot" not in export_plan(sqlite_workspace, world.halcyon,
                                                        tmp_path / "p.md").path.read_text()


# ---- usage events -------------------------------------------------------------------------------------------------

def _exported(ws: Workspace, account_id: int) -> list[int]:
    with ws.sessions() as s:
        return sorted(s.scalars(select(ContentUsage.item_id).where(ContentUsage.kind == "exported",
                                                                   ContentUsage.account_id == account_id)))


def test_export_records_an_exported_usage_per_content_item(sqlite_workspace, world, tmp_path):
    res = export_plan(sqlite_workspace, world.halcyon, tmp_path / "u.md")
    assert res.content_recorded == 2
    assert _exported(sqlite_workspace, world.halcyon) == sorted([world.items["guide"], world.items["story"]])
    export_plan(sqlite_workspace, world.halcyon, tmp_path / "b.md", template="One-page brief")  # no content section
    assert len(_exported(sqlite_workspace, world.halcyon)) == 2
    assert _exported(sqlite_workspace, world.corvina) == []


# ---- batch ----------------------------------------------------------------------------------------------------------------

def _list(ws: Workspace, name: str, account_ids: list[int]) -> None:
    with ws.session() as s:
        lst = TargetList(name=name, kind="static")
        s.add(lst)
        s.flush()
        s.add_all(TargetListMember(list_id=lst.id, account_id=a) for a in account_ids)


def test_batch_export_writes_one_file_per_account(demo_ws, tmp_path):
    seen: list[tuple[int, int]] = []
    for fmt in FORMATS:
        out = tmp_path / fmt
        res = export_list(demo_ws, "Q1 Fintech Tier 1", out, fmt, lambda d, t, m="": seen.append((d, t)))
        names = sorted(p.name for p in out.iterdir())
        assert res.accounts == 4 and len(res.files) == 4 and names == sorted(p.name for p in res.files)
        assert names == sorted(f"{s}.{fmt}" for s in ("brassbridge-capital-tech", "marlwood-clearing",
                                                      "northwind-ledger", "quillfeather-payments"))
    assert seen[-1] == (4, 4)
    assert "Quillfeather Payments" in text_of(tmp_path / "pdf" / "quillfeather-payments.pdf")


def test_batch_file_names_are_safe_and_unique(sqlite_workspace, tmp_path):
    with sqlite_workspace.session() as s:
        accs = [Account(name=n, domain=d) for n, d in (("Acme / Co", "acme1.example"), ("ACME co", "acme2.example"),
                                                      ("Ünïcode Straße", "u.example"), ("???", "q.example"))]
        s.add_all(accs)
        s.flush()
        ids = [a.id for a in accs]
    _list(sqlite_workspace, "Odd names", ids)
    res = export_list(sqlite_workspace, "odd names", tmp_path / "out", "md")
    assert sorted(p.name for p in res.files) == sorted(["acme-co.md", "acme-co-2.md", "unicode-strasse.md",
                                                        f"account-{ids[3]}.md"])


def test_cancelled_batch_leaves_no_files_and_no_usage(demo_ws, tmp_path):
    token = CancelToken()
    out = tmp_path / "cancelled"
    before = len(_all_exported(demo_ws))

    def progress(done, total, message=""):
        if done == 2:
            token.cancel()
    for combined in (False, True):
        with pytest.raises(JobCancelled):
            export_list(demo_ws, "Q1 Fintech Tier 1", out, "pdf", progress, token, combined=combined)
        assert not out.exists()  # the folder it created is gone, staging files and all
        token = CancelToken()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    token.cancel()
    with pytest.raises(JobCancelled):
        export_list(demo_ws, "Q1 Fintech Tier 1", existing, "md", cancel=token)
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]
    assert len(_all_exported(demo_ws)) == before


def _all_exported(ws: Workspace) -> list[int]:
    with ws.sessions() as s:
        return list(s.scalars(select(ContentUsage.id).where(ContentUsage.kind == "exported")))


def test_combined_pdf_has_every_account_each_on_new_pages(demo_ws, tmp_path):
    res = export_list(demo_ws, "Q1 Fintech Tier 1", tmp_path / "all.pdf", "pdf", combined=True)
    assert res.files == [tmp_path / "all.pdf"] and res.combined
    reader = PdfReader(str(res.files[0]))
    firsts = [norm(p.extract_text()) for p in reader.pages if "Page 1 of" in norm(p.extract_text())]
    starts = sorted(t.split("Account plan ", 1)[1].split(" ")[0] for t in firsts)
    assert starts == ["Brassbridge", "Marlwood", "Northwind", "Quillfeather"]
    res = export_list(demo_ws, "Q1 Fintech Tier 1", tmp_path / "folder", combined=True)
    assert res.files == [tmp_path / "folder" / "q1-fintech-tier-1.pdf"]


# ---- bad input ----------------------------------------------------------------------------------------------------------

def test_bad_input_is_one_clear_error(sqlite_workspace, world, tmp_path):
    cases = [
        (lambda: export_plan(sqlite_workspace, 9999, tmp_path / "x.pdf"), "account 9999 does not exist"),
        (lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path / "x.txt"), "'.txt'"),
        (lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path / "plan"), "no suffix"),
        (lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path / "no" / "x.pdf"), "does not exist"),
        (lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path, template=None), "suffix"),
        (lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path / "x.md", template="Nope"), "'Nope'"),
        (lambda: export_list(sqlite_workspace, "No such list", tmp_path / "o"), "'No such list'"),
        (lambda: export_list(sqlite_workspace, "x", tmp_path / "o", "odt"), "'odt'"),
        (lambda: export_list(sqlite_workspace, "x", tmp_path / "o", "md", combined=True), "one PDF"),
    ]
    (tmp_path / "file.txt").write_text("x")
    cases.append((lambda: export_plan(sqlite_workspace, world.halcyon, tmp_path / "file.txt" / "x.pdf"),
                  "is not a folder"))
    for call, words in cases:
        with pytest.raises(PlanExportError) as err:
            call()
        assert words in str(err.value) and "\n" not in str(err.value)
    _list(sqlite_workspace, "Empty", [])
    with pytest.raises(PlanExportError, match="has no accounts"):
        export_list(sqlite_workspace, "Empty", tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_a_failed_write_leaves_no_half_file(sqlite_workspace, world, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "plan.md"
    target.write_text("the previous plan")

    def broken(doc, fmt, path):
        path.write_text("half a plan")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(plans, "write_document", broken)
    with pytest.raises(PlanExportError, match="No space left"):
        export_plan(sqlite_workspace, world.halcyon, target)
    assert target.read_text() == "the previous plan"
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.md"]
    assert _exported(sqlite_workspace, world.halcyon) == []


def test_export_into_a_session_leaves_the_commit_to_the_caller(sqlite_workspace, world):
    buf = io.BytesIO()
    with sqlite_workspace.sessions() as s:
        doc = plans.plan_document(s, world.halcyon, "docx", now=NOW)
        assert doc.content_ids and doc.sections[0].key == "overview"
        from bdr_desk.export.plan_docx import write_docx

        write_docx(doc, buf)
        s.rollback()
    assert Document(buf).paragraphs
