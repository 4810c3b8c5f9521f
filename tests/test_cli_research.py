"""`bdr-desk research`: a saved page offline, a local site over real HTTP, storing on an account, the queue,
and bad input — JSON shapes, one-line errors, exit codes."""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import select

from accounts.models import Account, ResearchPage, TargetList, TargetListMember
from bdr_desk.cli import main
from tests.research_server import SiteServer, html, robots

TEAM = """<html><head><title>Acme Robotics — Leadership</title>
<meta name="description" content="Acme Robotics builds warehouse robots.">
<script async src="https://js.hs-scripts.com/123456.js"></script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Acme Robotics",
"url":"https://acme-robotics.example"}</script>
</head><body><h1>Our team</h1>
<div class="member"><h3>Jane Doe</h3><p>Chief Financial Officer</p></div>
<div class="member"><h3>John Smith</h3><p>VP of Engineering</p></div>
</body></html>"""
KEYS = {"company", "people", "technologies", "signals", "pages"}


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def site() -> dict:
    nav = "<a href='/team'>Our team</a> <a href='/about'>About</a> <a href='/pdf'>Brochure</a>"
    return {"/robots.txt": robots("User-agent: *\nDisallow: /private\n"),
            "/": html(nav + "<a href='/private'>Leadership</a>", title="Acme Robotics",
                      head='<script async src="https://js.hs-scripts.com/123456.js"></script>'),
            "/team": (200, {"Content-Type": "text/html; charset=utf-8"}, TEAM.encode()),
            "/about": html("<p>Acme Robotics builds warehouse robots.</p>", title="About us")}


def test_html_offline_json_and_text(capsys, tmp_path):
    page = tmp_path / "team.html"
    page.write_text(TEAM, encoding="utf-8")
    code, out, err = run(capsys, "research", "--html", str(page), "--url", "https://acme-robotics.example/team",
                         "--json")
    assert code == 0, err
    res = json.loads(out)
    assert KEYS <= set(res) and res["company"]["name"] == "Acme Robotics"
    assert {"Jane Doe", "John Smith"} <= {p["name"] for p in res["people"]}
    assert {"name", "title", "source_url"} <= set(res["people"][0])
    assert res["people"][0]["source_url"] == "https://acme-robotics.example/team"
    assert any("hubspot" in t["name"].lower() for t in res["technologies"])
    assert res["pages"] == [{"url": "https://acme-robotics.example/team", "status": None,
                             "title": res["pages"][0]["title"], "error": None, "fetched_at": None}]
    code, out, _ = run(capsys, "research", "--html", str(page))
    assert code == 0 and "Acme Robotics" in out and "Jane Doe" in out and page.resolve().as_uri() in out


@pytest.mark.parametrize("args,message", [
    (("research",), "name a URL or domain"),
    (("research", "--html", "/no/such/file.html"), "/no/such/file.html: no such file"),
    (("research", "--html", "."), "not a file"),
    (("research", "--html", "{pdf}"), "a PDF document, not an HTML page"),
    (("research", "--html", "{page}", "--url", "ftp://acme.com/"), "only http and https"),
    (("research", "--html", "{page}", "--account", "1"), "--account: not used with --html"),
    (("research", "acme.com", "--html", "{page}"), "not both"),
    (("research", "file:///etc/passwd"), "file:///etc/passwd: only http and https addresses can be researched"),
    (("research", "not a domain"), "not a web address"),
    (("research", "acme.com", "--max-pages", "0"), "max pages must be at least 1"),
    (("research", "acme.com", "--refresh"), "--refresh and --reextract work on the stored research"),
    (("research", "--url", "https://acme.com/"), "--url goes with --html"),
    (("research", "queue", "extra"), "takes no other argument"),
    (("research", "run-queue", "--list", "x"), "--list: not used with `research run-queue`"),
])
def test_bad_input_is_one_line_exit_1(capsys, tmp_path, sqlite_workspace, args, message):
    pdf = tmp_path / "brochure.html"
    pdf.write_bytes(b"%PDF-1.7 binary")
    page = tmp_path / "p.html"
    page.write_text("<html><title>x</title></html>")
    argv = [a.format(pdf=pdf, page=page) for a in args]
    code, _out, err = run(capsys, "--db", sqlite_workspace.url, *argv)
    assert code == 1 and message in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_crawl_a_local_site_over_http(capsys, sqlite_workspace):
    with SiteServer(site()) as srv:
        code, out, err = run(capsys, "--db", sqlite_workspace.url, "research", srv.url("/"), "--delay", "0",
                             "--json")
        assert "/private" not in srv.paths()
    assert code == 0, err
    res = json.loads(out)
    assert KEYS <= set(res) and "stored" not in res
    pages = {p["url"]: p for p in res["pages"]}
    assert pages[srv.url("/")]["status"] == 200 and pages[srv.url("/team")]["status"] == 200
    assert pages[srv.url("/private")]["error"] == f"{srv.url('/private')}: disallowed by robots.txt"
    assert {"Jane Doe", "John Smith"} <= {p["name"] for p in res["people"]}
    assert any(p["source_url"] == srv.url("/team") for p in res["people"])
    with SiteServer(site()) as srv:
        code, out, _ = run(capsys, "--db", sqlite_workspace.url, "research", srv.url("/"), "--delay", "0",
                           "--max-pages", "2")
        assert len([p for p in srv.paths() if p != "/robots.txt"]) == 2
    assert code == 0 and "Technologies" in out and "200 " + srv.url("/team") in out


def test_dead_site_is_one_line_naming_the_url(capsys, sqlite_workspace):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _out, err = run(capsys, "--db", sqlite_workspace.url, "research", f"http://127.0.0.1:{port}/",
                          "--delay", "0")
    assert code == 1 and err.strip() == f"bdr-desk: error: http://127.0.0.1:{port}/: connection refused"


def test_research_an_account_stores_and_reextracts(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    with SiteServer(site()) as srv:
        with sqlite_workspace.session() as s:
            acc = Account(name="Acme Robotics", website=srv.url("/"))
            s.add(acc)
            s.flush()
            aid = acc.id
        code, out, err = run(capsys, "--db", db, "research", "--account", str(aid), "--delay", "0", "--json")
        assert code == 0, err
        res = json.loads(out)
        assert KEYS <= set(res) and res["stored"]["account_id"] == aid and res["stored"]["status"] == "done"
        assert res["stored"]["pages_stored"] == 3 and res["stored"]["people_new"] >= 2
        code, out, _ = run(capsys, "--db", db, "research", "--account", "Acme Robotics", "--refresh", "--delay", "0")
        assert code == 0 and "Stored for account" in out and "(refresh)" in out
    code, out, _ = run(capsys, "--db", db, "research", "--account", str(aid), "--reextract", "--json")
    assert code == 0 and json.loads(out)["stored"]["kind"] == "reextract"
    with sqlite_workspace.session() as s:
        assert len(s.scalars(select(ResearchPage).where(ResearchPage.account_id == aid)).all()) == 4
    code, _out, err = run(capsys, "--db", db, "research", "--account", "nowhere.example.com")
    assert code == 1 and "nowhere.example.com" in err


def test_queue_a_list_and_run_it(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    with SiteServer(site()) as srv:
        with sqlite_workspace.session() as s:
            accs = [Account(name="Acme", website=srv.url("/")), Account(name="Nowhere")]
            s.add_all(accs)
            lst = TargetList(name="Q4 Robots", kind="static")
            s.add(lst)
            s.flush()
            s.add_all(TargetListMember(list_id=lst.id, account_id=a.id) for a in accs)
        code, out, err = run(capsys, "--db", db, "research", "queue", "--list", "q4 robots", "--json")
        assert code == 0, err
        q = json.loads(out)
        assert q["enqueued"]["added"] == 1 and q["enqueued"]["skipped"] == ["Nowhere has no website or domain"]
        assert q["counts"]["queued"] == 1 and q["items"][0]["account"] == "Acme"
        code, out, _ = run(capsys, "--db", db, "research", "run-queue", "--delay", "0", "--json")
        assert code == 0 and json.loads(out) == {"done": 1, "failed": 0, "recovered": 0, "remaining": 0,
                                                 "errors": []}
    code, out, _ = run(capsys, "--db", db, "research", "queue")
    assert code == 0 and "1 done" in out and "Acme" in out
    code, _out, err = run(capsys, "--db", db, "research", "queue", "--list", "No such list")
    assert code == 1 and "No such list" in err
