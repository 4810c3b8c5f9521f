"""Research fetching against real HTTP servers on 127.0.0.1: the crawl's order and bounds, robots.txt, the
per-host delay, retries, and misbehaving servers — each ends within its bound with a message naming the URL."""

from __future__ import annotations

import datetime as dt
import socket
import time
import tracemalloc

import pytest

from accounts.research import links as L
from accounts.research.fetch import CrawlOptions, Fetcher, crawl, decode_html, fetch_pages
from accounts.research.ratecontrol import HostThrottle, backoff_delay, parse_retry_after
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.research_server import SiteServer, drip, html, huge, robots

FAST = dict(delay=0, backoff=0.05, connect_timeout=2, read_timeout=2, page_timeout=5)

NAV = ("<nav><a href='/products'>Products</a> <a href='/pricing'>Pricing</a> <a href='/about-us'>About us</a> "
       "<a href='/company/leadership'>Leadership</a> <a href='/careers'>Careers</a> "
       "<a href='/newsroom'>Newsroom</a> <a href='/customers'>Customers</a> <a href='/contact'>Contact</a> "
       "<a href='/impressum'>Impressum</a> <a href='/blog/2024/05/our-new-office'>Blog</a> "
       "<a href='https://other.example.org/about'>Partner</a> <a href='mailto:hi@acme.test'>Mail</a> "
       "<a href='/logo.png'>Logo</a> <a href='#top'>Top</a> <a href='/about-us?utm_source=nav'>About again</a> "
       "<a href='tel:+4912345'>Call</a> <a href='/wp-login.php'>Log in</a></nav>")


def site_routes(extra: dict | None = None) -> dict:
    routes = {"/robots.txt": robots("User-agent: *\nAllow: /\n"), "/": html(NAV, title="Acme")}
    for path in ("/products", "/pricing", "/about-us", "/company/leadership", "/careers", "/newsroom", "/customers",
                 "/contact", "/impressum", "/blog/2024/05/our-new-office"):
        routes[path] = html(f"<h1>{path}</h1><a href='/'>Home</a>", title=path)
    routes.update(extra or {})
    return routes


def test_crawl_follows_the_most_promising_links_same_site_only_within_max_pages():
    with SiteServer(site_routes()) as srv:
        res = crawl(srv.url("/"), CrawlOptions(max_pages=8, **FAST))
        fetched = [p for p in srv.paths() if p != "/robots.txt"]
    assert fetched[0] == "/" and len(res.pages) == 8 == len(fetched)
    assert fetched[1:] == ["/company/leadership", "/about-us", "/careers", "/impressum", "/newsroom", "/customers",
                           "/contact"], fetched
    assert len(set(fetched)) == len(fetched), "every page once (tracking parameters and fragments ignored)"
    assert not {"/products", "/pricing", "/logo.png", "/wp-login.php"} & set(fetched)
    assert all(p.status == 200 and p.ok and p.error is None for p in res.pages)
    assert all(ua.startswith("BDR-Desk/") and "account research" in ua for _t, _p, ua in srv.log)
    with SiteServer(site_routes()) as srv:
        res = crawl(srv.url("/"), CrawlOptions(max_pages=3, **FAST))
        assert [p for p in srv.paths() if p != "/robots.txt"] == ["/", "/company/leadership", "/about-us"]
    assert len(res.pages) == 3


def test_robots_txt_disallow_is_honoured_and_fetched_once():
    routes = site_routes({"/robots.txt": robots("User-agent: *\nDisallow: /careers\nDisallow: /impressum\n")})
    with SiteServer(routes) as srv:
        res = crawl(srv.url("/"), CrawlOptions(max_pages=8, **FAST))
        paths = srv.paths()
    assert "/careers" not in paths and "/impressum" not in paths
    assert paths.count("/robots.txt") == 1
    blocked = [p for p in res.pages if p.robots_blocked]
    assert {p.final_url for p in blocked} == {srv.url("/careers"), srv.url("/impressum")}
    assert all(p.error == f"{p.final_url}: disallowed by robots.txt" for p in blocked)
    # disallowed pages do not use the budget: the blog post (less promising) takes a freed place
    assert sum(1 for p in res.pages if not p.robots_blocked) == 7 and "/blog/2024/05/our-new-office" in paths


@pytest.mark.parametrize("status,allowed", [(403, False), (401, False), (404, True), (500, True)])
def test_robots_status_codes(status, allowed):
    with SiteServer({"/robots.txt": robots("Disallow: /", status=status), "/": html("hi")}) as srv:
        with Fetcher(CrawlOptions(**FAST)) as f:
            page = f.fetch(srv.url("/"))
    assert page.ok is allowed
    if not allowed:
        assert page.error == f"{srv.url('/')}: disallowed by robots.txt"


def test_per_host_delay_spaces_requests():
    with SiteServer(site_routes()) as srv:
        crawl(srv.url("/"), CrawlOptions(max_pages=4, **{**FAST, "delay": 0.2}))
        times = [t for t, _p, _ua in srv.log]
    assert len(times) == 5  # robots.txt and four pages
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.17, gaps


def test_retries_on_503_with_retry_after_then_success_and_on_429():
    calls = {"503": 0, "429": 0}

    def flaky(kind: str, then: int):
        def answer():
            calls[kind] += 1
            if calls[kind] <= then:
                return int(kind), {"Retry-After": "1" if kind == "503" else "0", "Content-Type": "text/html"}, b"busy"
            return html("<h1>OK now</h1>")
        return answer

    with SiteServer({"/robots.txt": robots(""), "/a": flaky("503", 1), "/b": flaky("429", 2),
                     "/never": (429, {"Retry-After": "3600"}, b"")}) as srv:
        with Fetcher(CrawlOptions(**FAST)) as f:
            t0 = time.monotonic()
            a = f.fetch(srv.url("/a"))
            waited = time.monotonic() - t0
            b = f.fetch(srv.url("/b"))
            never = f.fetch(srv.url("/never"))
    assert a.ok and a.status == 200 and a.attempts == 2 and waited >= 0.9  # Retry-After honoured
    assert b.ok and b.attempts == 3 and calls["429"] == 3
    assert not never.ok and never.attempts == 1  # an hour's wait does not fit: give up at once
    assert never.error == f"{srv.url('/never')}: HTTP 429 Too Many Requests; asked to retry after 3600"


def test_404_500_and_connection_refused():
    with SiteServer({"/robots.txt": robots(""), "/boom": (500, {}, b"oops")}) as srv:
        with Fetcher(CrawlOptions(**FAST)) as f:
            missing = f.fetch(srv.url("/missing"))
            boom = f.fetch(srv.url("/boom"))
        assert srv.paths().count("/boom") == 3
    assert missing.status == 404 and missing.error == f"{srv.url('/missing')}: HTTP 404 Not Found"
    assert boom.error == f"{srv.url('/boom')}: HTTP 500 Internal Server Error after 3 attempts"
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    t0 = time.monotonic()
    res = crawl(url, CrawlOptions(**FAST))
    assert time.monotonic() - t0 < 3
    assert len(res.pages) == 1 and res.pages[0].error == f"{url}: connection refused"


def test_ten_megabyte_body_is_capped_and_memory_stays_bounded():
    with SiteServer({"/robots.txt": robots(""), "/big": huge(10_000_000)}) as srv:
        with Fetcher(CrawlOptions(**FAST, max_bytes=1_000_000)) as f:
            tracemalloc.start()
            try:
                page = f.fetch(srv.url("/big"))
                _cur, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert page.ok and page.truncated and len(page.body) == 1_000_000
    assert page.error == f"{srv.url('/big')}: larger than 1,000,000 bytes; only the first 1,000,000 were read"
    assert peak < 6_000_000, f"peak {peak:,} bytes while reading a 10 MB body capped at 1 MB"


def test_endless_redirects_and_redirect_to_file_are_refused():
    def loop(h):
        n = int(h.path.split("=")[-1]) if "=" in h.path else 0
        return 302, {"Location": f"/loop?n={n + 1}"}, b""

    with SiteServer({"/robots.txt": robots(""), "/loop": loop,
                     "/file": (301, {"Location": "file:///etc/passwd"}, b""),
                     "/ftp": (302, {"Location": "ftp://127.0.0.1/x"}, b"")}) as srv:
        with Fetcher(CrawlOptions(**FAST, max_redirects=5)) as f:
            t0 = time.monotonic()
            looped = f.fetch(srv.url("/loop"))
            assert time.monotonic() - t0 < 3
            to_file = f.fetch(srv.url("/file"))
            to_ftp = f.fetch(srv.url("/ftp"))
        assert srv.paths().count("/loop") + sum(p.startswith("/loop?") for p in srv.paths()) == 6
    assert looped.error == f"{srv.url('/loop')}: more than 5 redirects (last to {srv.url('/loop?n=6')})"
    assert to_file.error == f"{srv.url('/file')}: redirect to file:///etc/passwd refused (only http and https are followed)"
    assert to_ftp.error.startswith(f"{srv.url('/ftp')}: redirect to ftp://") and not to_ftp.ok


def test_slow_drip_ends_within_the_page_bound():
    with SiteServer({"/robots.txt": robots(""), "/slow": drip(every=0.1)}) as srv:
        with Fetcher(CrawlOptions(**{**FAST, "page_timeout": 1.5, "read_timeout": 1.0})) as f:
            t0 = time.monotonic()
            page = f.fetch(srv.url("/slow"))
            took = time.monotonic() - t0
    assert 1.4 <= took < 2.5, took
    assert not page.ok and page.error == f"{srv.url('/slow')}: gave up after 1.5 s (the time bound for one page)"


def test_wrong_content_types_are_skipped_with_a_reason():
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    with SiteServer({"/robots.txt": robots(""), "/doc": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 ..."),
                     "/pic": (200, {"Content-Type": "image/png"}, png),
                     "/fake": (200, {"Content-Type": "text/html"}, b"%PDF-1.4 not html"),
                     "/bare": (200, {}, b"<!doctype html><html><title>T</title></html>"),
                     "/json": (200, {"Content-Type": "application/json"}, b"{}")}) as srv:
        with Fetcher(CrawlOptions(**FAST)) as f:
            doc, pic, fake, bare, js = (f.fetch(srv.url(p)) for p in ("/doc", "/pic", "/fake", "/bare", "/json"))
    assert doc.skipped and doc.body is None and doc.error == \
        f"{srv.url('/doc')}: skipped, a PDF document (application/pdf), not read"
    assert pic.skipped and pic.error == f"{srv.url('/pic')}: skipped, an image (image/png), not read"
    assert fake.skipped and "a PDF document (text/html)" in fake.error
    assert bare.ok and "<title>T</title>" in bare.html()
    assert js.skipped and "not an HTML page (application/json)" in js.error


def test_charsets_header_bom_meta_and_fallbacks():
    cafe = "<p>Café Zürich – naïve</p>"
    assert decode_html(cafe.encode("cp1252"), None, "text/html; charset=no-such-charset")[0] == cafe
    assert decode_html(cafe.encode("cp1252"), None, "text/html; charset=utf-8") == (cafe, "cp1252")
    assert decode_html(b"\xef\xbb\xbf" + cafe.encode(), None, "text/html; charset=cp1252")[0] == cafe
    meta = f"<meta charset='iso-8859-15'>{cafe.replace('–', '-')}".encode("iso-8859-15")
    assert decode_html(meta, None, "text/html")[1] == "iso8859-15"
    assert decode_html(b"caf\xe9", None, "text/html; charset=iso-8859-1") == ("café", "cp1252")
    assert decode_html(b"\x81\x8d", None, None)[0]  # undecodable everywhere: replacement characters, no error
    body = cafe.encode("cp1252")
    with SiteServer({"/robots.txt": robots(""), "/x": (200, {"Content-Type": "text/html; charset=bogus"}, body)}) as srv:
        with Fetcher(CrawlOptions(**FAST)) as f:
            page = f.fetch(srv.url("/x"))
    assert page.ok and page.html() == cafe and page.encoding == "cp1252"


def test_cancel_stops_the_crawl():
    token = CancelToken()
    seen = []

    def progress(done, total, message=""):
        seen.append(message)
        if done >= 2:
            token.cancel()

    with SiteServer(site_routes()) as srv:
        with pytest.raises(JobCancelled):
            crawl(srv.url("/"), CrawlOptions(**FAST), progress=progress, cancel=token)
        assert len([p for p in srv.paths() if p != "/robots.txt"]) == 2


def test_fetch_pages_refetches_exactly_the_given_urls():
    with SiteServer(site_routes()) as srv:
        pages = fetch_pages([srv.url("/careers"), srv.url("/gone")], CrawlOptions(**FAST))
        assert [p for p in srv.paths() if p != "/robots.txt"] == ["/careers", "/gone"]
    assert pages[0].ok and pages[1].status == 404


def test_links_same_site_cleaning_and_scoring():
    assert L.site_of("https://careers.acme.co.uk/jobs") == "acme.co.uk" == L.site_of("http://www.acme.co.uk")
    assert L.site_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080" and L.site_of("ftp://acme.com") is None
    assert L.clean_url("https://acme.com/about?utm_source=x&gclid=1#team") == "https://acme.com/about"
    assert L.clean_url("https://acme.com/brochure.PDF") is None and L.clean_url("https://acme.com/?s=robots") is None
    assert L.dedupe_key("https://www.acme.com/index.html") == L.dedupe_key("http://acme.com/") == "acme.com/"
    assert L.score_link("https://acme.com/de/ueber-uns", "Über uns")[0] == "about"
    assert L.score_link("https://acme.com/company/careers", "")[0] == "careers"
    assert L.score_link("https://acme.com/unternehmen/geschaeftsfuehrung", "Geschäftsführung")[0] == "leadership"
    assert L.score_link("https://acme.com/products", "Products") == (None, 0.0)
    assert L.start_url("Acme.COM") == "https://acme.com/"
    for bad in ("file:///etc/passwd", "ftp://acme.com", "not a domain", "", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            L.start_url(bad)
    links = L.extract_links("<base href='/en/'><a href='team'>Team</a><a href='mailto:x@y'>m</a>"
                            "<a href='/x'><img alt='About'></a>", "https://acme.com/")
    assert [(x.url, x.anchor) for x in links] == [("https://acme.com/en/team", "Team"), ("https://acme.com/x", "About")]


def test_rate_control_rules():
    assert [backoff_delay(n, 0.5, 3) for n in (0, 1, 2, 3, 4)] == [0, 0.5, 1.0, 2.0, 3]
    assert parse_retry_after("120") == 120 and parse_retry_after("soon") is None and parse_retry_after(None) is None
    now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    clock = [100.0]
    slept: list[float] = []

    def sleep(s):
        slept.append(s)
        clock[0] += s

    t = HostThrottle(2.0, clock=lambda: clock[0], sleep=sleep)
    assert t.wait("a") == 0 and t.wait("b") == 0  # hosts are independent
    assert t.wait("a") == 2.0 and slept == [2.0]
    t.set_delay("a", 5.0)  # a robots.txt Crawl-delay
    assert t.wait("a") == 2.0 and t.wait("a") == 5.0


def test_home_may_move_to_another_site_but_other_pages_stay_on_site():
    with SiteServer({"/robots.txt": robots(""), "/": html("<a href='/about'>About us</a>", title="New brand"),
                     "/about": html("about")}) as new:
        old_routes = {"/robots.txt": robots(""), "/": (301, {"Location": new.url("/")}, b"")}
        with SiteServer(old_routes) as old:
            res = crawl(old.url("/"), CrawlOptions(**FAST))
            assert res.site == L.site_of(new.url("/")) and [p.final_url for p in res.pages] == [new.url("/"),
                                                                                              new.url("/about")]
            old.routes["/team"] = (302, {"Location": new.url("/about")}, b"")
            with Fetcher(CrawlOptions(**FAST)) as f:
                moved = f.fetch(old.url("/team"), site=L.site_of(old.url("/")))
    assert moved.skipped and moved.error == f"{old.url('/team')}: redirects to another site ({new.url('/about')}); not followed"
