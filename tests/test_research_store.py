"""Research storage on both engines: pages with their raw HTML compressed, offline re-extraction, refresh of
stale pages only, technology changes between runs, applying company facts and people, and the research queue
surviving a crash — against real HTTP servers on 127.0.0.1 where a crawl is involved."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import zlib

import pytest
from sqlalchemy import func, select, update

from accounts.account_detail import AccountEditError, EditConflict
from accounts.models import Account, AccountEvent, AccountTechnology, Contact, ResearchPage, Signal
from accounts.models.research import ResearchPerson, ResearchQueueItem, ResearchRun
from accounts.research import queue as Q
from accounts.research.facts import CompanyFacts, Fact, PersonFact, ResearchResult, SignalFact, TechHit
from accounts.research.fetch import CrawlOptions
from accounts.research.pipeline import research_account
from accounts.research.store import (
    PageCapture,
    accept_people,
    apply_company_fields,
    reextract,
    research_view,
    save_research,
    split_name,
)
from bdr_desk.db import utcnow
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.research_server import SiteServer, html, robots

NOW = utcnow()
URL = "https://acme-robotics.example.com/"
FAST = CrawlOptions(delay=0, backoff=0.05, connect_timeout=2, read_timeout=2, page_timeout=5)
HUBSPOT = "<script async src='https://js.hs-scripts.com/123456.js'></script>"
GTM = "<script async src='https://www.googletagmanager.com/gtm.js?id=GTM-ABC123'></script>"


def tech(name: str, category: str = "marketing_automation") -> TechHit:
    return TechHit(name, category, f"script src {name.lower()}.js", URL, NOW, 0.9)


def person(name: str, title: str | None, email: str | None = None) -> PersonFact:
    return PersonFact(name, title, URL + "team", NOW, 0.8, evidence=f"{name}, {title}", email=email)


def result(techs=(), people=(), signals=(), **company) -> ResearchResult:
    facts = CompanyFacts(fields={k: Fact(v, URL + "about", NOW, 0.9, "JSON-LD") for k, v in company.items()})
    return ResearchResult(company=facts, people=list(people), technologies=list(techs), signals=list(signals))


def capture(path: str = "", body: bytes | None = b"<html><title>Acme</title></html>", **kw) -> PageCapture:
    return PageCapture(url=URL + path, fetched_at=kw.pop("fetched_at", NOW), status=kw.pop("status", 200),
                       title="Acme", text="Acme builds robots", body=body, encoding="utf-8",
                       content_type="text/html", headers={"server": "nginx"}, cookies={"hubspotutk": "secret"}, **kw)


def new_account(ws, name="Acme Robotics", website=URL, domain="acme-robotics.example.com") -> int:
    with ws.session() as s:
        acc = Account(name=name, website=website, domain=domain)
        s.add(acc)
        s.flush()
        return acc.id


def test_pages_are_stored_with_compressed_html_and_facts(workspace):
    aid = new_account(workspace)
    body = ("<html><head><title>Acme</title></head><body>" + "robots " * 5000 + "</body></html>").encode()
    res = result([tech("HubSpot")], [person("Dr. Jane Doe", "Chief Financial Officer")],
                 [SignalFact("funding", dt.date(2026, 3, 1), "Acme raises $20M Series B", URL + "news", NOW, 0.7)],
                 name="Acme Robotics", city="Berlin")
    with workspace.session() as s:
        summary = save_research(s, aid, res, [capture(body=body), capture("careers", body=None, status=404,
                                                                            error=URL + "careers: HTTP 404 Not Found")],
                                start_url=URL)
    assert summary.status == "done" and summary.pages_stored == 1 and summary.pages_failed == 1
    assert summary.technologies == 1 and summary.signals_added == 1 and summary.people_new == 1
    assert summary.technologies_added == []  # a first run reports no changes
    with workspace.session() as s:
        page = s.scalar(select(ResearchPage).where(ResearchPage.url == URL))
        assert zlib.decompress(page.html_zlib) == body and len(page.html_zlib) < len(body) / 10
        assert page.html_sha256 == hashlib.sha256(body).hexdigest() and page.encoding == "utf-8"
        assert page.http_meta == {"headers": {"server": "nginx"}, "cookies": {"hubspotutk": ""}}  # no cookie values
        failed = s.scalar(select(ResearchPage).where(ResearchPage.url == URL + "careers"))
        assert failed.html_zlib is None and failed.status_code == 404 and "HTTP 404" in failed.error
        t = s.scalar(select(AccountTechnology).where(AccountTechnology.account_id == aid))
        assert (t.name, t.category, t.source_url) == ("HubSpot", "marketing_automation", URL)
        sig = s.scalar(select(Signal).where(Signal.account_id == aid))
        assert (sig.kind, sig.occurred_on, sig.confidence, sig.source_url) == ("funding", dt.date(2026, 3, 1), 70,
                                                                              URL + "news")
        p = s.scalar(select(ResearchPerson).where(ResearchPerson.account_id == aid))
        assert (p.name, p.seniority, p.function, p.buying_role, p.status) == (
            "Dr. Jane Doe", "c_level", "finance", "economic_buyer", "candidate")
        run = s.scalar(select(ResearchRun).where(ResearchRun.account_id == aid))
        assert run.pages == 1 and run.pages_failed == 1 and run.technologies == ["HubSpot"]
        assert run.company["name"] == "Acme Robotics"
        view = research_view(s, aid, days=30)
    assert [c.field for c in view.company] == ["name", "city"] and view.company[1].account_field == "hq_city"
    assert not any(c.stale for c in view.company) and view.last_run.status == "done"
    with workspace.session() as s:  # a failed refetch keeps the stored HTML and its time; it notes the problem
        save_research(s, aid, res, [capture(body=None, status=503, error=URL + ": HTTP 503"),
                                    capture("about", fetched_at=NOW)])
        page = s.scalar(select(ResearchPage).where(ResearchPage.url == URL))
        assert zlib.decompress(page.html_zlib) == body and page.status_code == 200 and "503" in page.error
        later = research_view(s, aid, days=1, now=NOW + dt.timedelta(days=3))
    assert all(c.stale for c in later.company) and all(p.stale for p in later.pages)


def test_run_without_a_readable_page_is_stored_as_failed_and_changes_nothing(workspace):
    aid = new_account(workspace)
    with workspace.session() as s:
        summary = save_research(s, aid, result([tech("HubSpot")]),
                                [capture(body=None, status=None, error=URL + ": connection refused")])
        assert summary.status == "failed"
        assert s.scalar(select(func.count()).select_from(AccountTechnology)) == 0
        assert s.scalar(select(ResearchRun.error)) == URL + ": connection refused"


def test_technology_changes_between_runs_become_signals(workspace):
    aid = new_account(workspace)
    news = SignalFact("product_launch", None, "Acme launches the R2 picker", URL + "news", NOW, 0.6)
    with workspace.session() as s:
        save_research(s, aid, result([tech("HubSpot"), tech("Marketo")], signals=[news]), [capture()])
        s2 = save_research(s, aid, result([tech("HubSpot"), tech("Salesforce", "crm")], signals=[news]), [capture()])
        assert (s2.technologies_added, s2.technologies_removed) == (["Salesforce"], ["Marketo"])
        changes = s.scalars(select(Signal.title).where(Signal.kind == "technology_change").order_by(Signal.title)).all()
        assert changes == ["Added Salesforce", "Removed Marketo"]
        names = s.scalars(select(AccountTechnology.name).where(AccountTechnology.account_id == aid)
                          .order_by(AccountTechnology.name)).all()
        assert names == ["HubSpot", "Salesforce"]
        s3 = save_research(s, aid, result([tech("HubSpot"), tech("Salesforce", "crm")], signals=[news]), [capture()])
        assert s3.signals_added == 0 and s3.technologies_added == s3.technologies_removed == []
        assert s.scalar(select(func.count()).select_from(Signal).where(Signal.kind == "product_launch")) == 1


def test_apply_company_fields_goes_through_the_account_history(workspace):
    aid = new_account(workspace)
    with workspace.session() as s:
        version = s.get(Account, aid).version
        acc = apply_company_fields(s, aid, {"city": "Berlin", "country": "Germany", "employees": "about 1,200 staff",
                                            "description": "Warehouse robots."}, version)
        assert (acc.hq_city, acc.hq_country, acc.employees, acc.description) == ("Berlin", "DE", 1200,
                                                                              "Warehouse robots.")
        fields = set(s.scalars(select(AccountEvent.field).where(AccountEvent.account_id == aid)))
        assert {"hq_city", "hq_country", "employees", "description"} <= fields
        with pytest.raises(EditConflict):
            apply_company_fields(s, aid, {"city": "Munich"}, version)
        with pytest.raises(AccountEditError, match="logo: accounts have no such field"):
            apply_company_fields(s, aid, {"logo": "https://x/logo.png"}, acc.version)
        with pytest.raises(AccountEditError, match="two-letter ISO code"):
            apply_company_fields(s, aid, {"country": "Atlantis"}, acc.version)


def test_accept_people_creates_contacts_once(workspace):
    aid = new_account(workspace)
    people = [person("Jane Doe", "Chief Financial Officer", "jane@acme-robotics.example.com"),
              person("Hans van der Berg", "VP Engineering"), person("Ada Lovelace", "Head of IT")]
    with workspace.session() as s:
        s.add(Contact(account_id=aid, first_name="Ada", last_name="Lovelace", title="IT lead"))
        save_research(s, aid, result(people=people), [capture()])
        save_research(s, aid, result(people=people), [capture()])  # a second run: the same three candidates
        rows = {r.name: r for r in s.scalars(select(ResearchPerson).where(ResearchPerson.account_id == aid))}
        assert len(rows) == 3 and rows["Ada Lovelace"].status == "accepted"  # already a contact
        ids = [r.id for r in rows.values()]
        first = accept_people(s, aid, ids)
        assert len(first.created) == 2 and len(first.skipped) == 1
        again = accept_people(s, aid, ids)
        assert again.created == [] and len(again.skipped) == 3
        contacts = {c.last_name: c for c in s.scalars(select(Contact).where(Contact.account_id == aid))}
        assert set(contacts) == {"Doe", "van der Berg", "Lovelace"}
        jane = contacts["Doe"]
        assert (jane.first_name, jane.email, jane.source, jane.buying_role, jane.seniority) == (
            "Jane", "jane@acme-robotics.example.com", "research", "economic_buyer", "c_level")
        assert contacts["van der Berg"].first_name == "Hans"
    assert split_name("Prof. Dr. Maria de la Cruz") == ("Maria", "de la Cruz")


def _site(extra_head: str = "") -> dict:
    nav = "<a href='/about'>About us</a> <a href='/team'>Our team</a> <a href='/careers'>Careers</a>"
    return {"/robots.txt": robots("User-agent: *\nAllow: /\n"),
            "/": html(nav, title="Acme Robotics", head=HUBSPOT + extra_head),
            "/about": html("<h1>About Acme Robotics</h1><p>Acme Robotics builds warehouse robots.</p>", title="About"),
            "/team": html("<h1>Our team</h1><div class='member'><h3>Jane Doe</h3><p>Chief Financial Officer</p></div>"
                          "<div class='member'><h3>John Smith</h3><p>VP of Engineering</p></div>", title="Team"),
            "/careers": html("<h1>Careers</h1>", title="Careers")}


def test_crawl_store_reextract_offline_and_refresh_only_stale_pages(workspace):
    with SiteServer(_site(GTM)) as srv:
        aid = new_account(workspace, website=srv.url("/"), domain=None)
        first = research_account(workspace, aid, options=FAST)
        assert first.summary.status == "done" and first.pages_fetched == 4 and first.kind == "crawl"
        assert "HubSpot" in {t.name for t in first.result.technologies}
        with workspace.session() as s:  # one page is old; the others are fresh
            s.execute(update(ResearchPage).where(ResearchPage.url == srv.url("/careers"))
                      .values(fetched_at=NOW - dt.timedelta(days=90)))
        before = len(srv.paths())
        again = research_account(workspace, aid, options=FAST, refresh=True, stale_days=30)
        assert [p for p in srv.paths()[before:] if p != "/robots.txt"] == ["/careers"]
    assert again.kind == "refresh" and again.pages_fetched == 1 and again.pages_reread == 3
    assert {p.url for p in again.result.pages} == {srv.url(p) for p in ("/", "/about", "/team", "/careers")}
    with workspace.session() as s:  # the server is gone: re-extraction reads the stored HTML only
        res, summary = reextract(s, aid)
        assert summary.pages_stored == 4 and summary.signals_added == 0
        assert {t.name for t in res.technologies} >= {"HubSpot"}
        assert {"Jane Doe", "John Smith"} <= {p.name for p in res.people}
        assert s.scalar(select(func.count()).select_from(ResearchRun).where(ResearchRun.account_id == aid)) == 3
        careers = s.scalar(select(ResearchPage).where(ResearchPage.url == srv.url("/careers")))
        assert careers.fetched_at > NOW - dt.timedelta(days=1)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_queue_is_resumable_after_a_crash_and_cancel_leaves_it_consistent(workspace):
    with SiteServer(_site()) as a, SiteServer(_site()) as b:
        ids = [new_account(workspace, f"Site {i}", url, None)
               for i, url in enumerate((a.url("/"), b.url("/"), f"http://127.0.0.1:{_closed_port()}/"))]
        nowhere = new_account(workspace, "No Site", None, None)
        with workspace.session() as s:
            added = Q.enqueue(s, ids + [nowhere])
            assert (added.added, added.skipped) == (3, ["No Site has no website or domain"])
            assert Q.enqueue(s, ids).already == 3
            assert Q.claim_next(s)[1] == ids[0]  # a worker took the first account … and the app crashed
        with workspace.session() as s:
            assert Q.queue_status(s).counts["running"] == 1
        res = Q.run_queue(workspace, options=FAST)
        assert (res.recovered, res.done, res.failed, res.remaining) == (1, 2, 1, 0)
        with workspace.session() as s:
            rows = {r.account_id: r for r in s.scalars(select(ResearchQueueItem))}
            assert [rows[i].status for i in ids] == ["done", "done", "failed"]
            assert "connection refused" in rows[ids[2]].error and rows[ids[2]].attempts == 1
            assert rows[ids[0]].attempts == 2 and rows[ids[0]].run_id is not None
            assert Q.retry_failed(s) == 1 and Q.enqueue(s, ids[:2]).requeued == 2
        token = CancelToken()

        def progress(done, total, message=""):
            if "Fetching" in message:
                token.cancel()

        with pytest.raises(JobCancelled):
            Q.run_queue(workspace, options=FAST, progress=progress, cancel=token)
        with workspace.session() as s:
            counts = Q.queue_status(s).counts
            assert counts == {"queued": 3, "running": 0, "done": 0, "failed": 0}
        res = Q.run_queue(workspace, options=FAST, limit=1)  # the cancelled row kept its place in the queue
        assert (res.done + res.failed, res.remaining, res.recovered) == (1, 2, 0)
