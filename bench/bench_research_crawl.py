"""Research crawl: a local 8-page company site (served on 127.0.0.1 by a threaded server started here) crawled
with the research fetcher (politeness delay 0) against a baseline measured in the same run — plain sequential
``requests.get`` of the same 8 URLs.

The crawl does more than the baseline: robots.txt, link discovery and ranking on every page, the byte cap and
time bound while streaming, charset detection. A second baseline, one ``requests.Session`` (keep-alive, as the
crawler uses), shows what connection reuse alone is worth. When the extractors are installed, the crawl with
extraction (``research_site``) is reported too.

``python -m bench.bench_research_crawl``; from ``run_all``:
``summary += bench_research_crawl.report(bench_research_crawl.measure(root))``.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench._common import median, ms, ratio, table, temp_root

REPEAT = 7
PAGES = ("/", "/about-us", "/company/leadership", "/careers", "/newsroom", "/customers", "/contact", "/impressum")
NAV = ("<nav><a href='/products'>Products</a> <a href='/about-us'>About us</a> <a href='/company/leadership'>"
       "Leadership</a> <a href='/careers'>Careers</a> <a href='/newsroom'>Newsroom</a> <a href='/customers'>"
       "Customers</a> <a href='/contact'>Contact</a> <a href='/impressum'>Impressum</a> "
       "<a href='https://www.linkedin.com/company/acme-robotics'>LinkedIn</a></nav>")
HEAD = ("<meta name='description' content='Acme Robotics builds warehouse robots.'>"
        "<script async src='https://js.hs-scripts.com/123456.js'></script>"
        "<script async src='https://www.googletagmanager.com/gtm.js?id=GTM-ABC123'></script>")


def _page(path: str) -> bytes:
    """A page of typical size (~40 kB): navigation, a few sections of prose, people on the team page."""
    paras = "".join(f"<section><h2>Section {i}</h2><p>{'Acme Robotics builds autonomous warehouse robots. ' * 40}"
                    f"</p></section>" for i in range(18))
    people = "".join(f"<div class='member'><h3>Person {i} Example</h3><p>VP of Operations</p></div>"
                     for i in range(12)) if "leadership" in path else ""
    doc = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Acme Robotics {path}</title>{HEAD}"
           f"</head><body>{NAV}<main><h1>{path}</h1>{people}{paras}</main><footer>{NAV}</footer></body></html>")
    return doc.encode()


class _Site:
    def __init__(self) -> None:
        bodies = {p: _page(p) for p in PAGES}
        bodies["/products"] = _page("/products")
        bodies["/robots.txt"] = b"User-agent: *\nAllow: /\n"

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                body = bodies.get(self.path)
                status = 200 if body is not None else 404
                body = body if body is not None else b"not found"
                ctype = "text/plain" if self.path.endswith(".txt") or status == 404 else "text/html; charset=utf-8"
                head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\nContent-Type: {ctype}\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n").encode()
                self.wfile.write(head + body)  # one write: no Nagle/delayed-ACK stalls in either client

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.page_bytes = sum(len(bodies[p]) for p in PAGES)

    def __enter__(self) -> _Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"


def measure(root: Path | None = None, repeat: int = REPEAT) -> dict[str, Any]:
    import requests

    from accounts.research.fetch import CrawlOptions, crawl

    options = CrawlOptions(delay=0, max_pages=8)
    out: dict[str, Any] = {"repeat": repeat}
    with _Site() as site:
        urls = [site.url(p) for p in PAGES]
        out["page_kb"] = site.page_bytes / len(PAGES) / 1000
        crawl(site.url("/"), options)  # warm-up: imports, lxml, tldextract's suffix list
        for u in urls:
            requests.get(u, timeout=10)
        crawl_t, plain_t, session_t, research_t = [], [], [], []
        fetched: list[str] = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            res = crawl(site.url("/"), options)
            crawl_t.append(time.perf_counter() - t0)
            fetched = [p.final_url for p in res.pages if p.ok]
            t0 = time.perf_counter()
            for u in urls:
                _ = requests.get(u, timeout=10).content
            plain_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with requests.Session() as http:
                for u in urls:
                    _ = http.get(u, timeout=10).content
            session_t.append(time.perf_counter() - t0)
        assert sorted(fetched) == sorted(urls), f"the crawl fetched {fetched}"
        try:
            from accounts.research.pipeline import research_site

            research_site(site.url("/"), options)
            for _ in range(repeat):
                t0 = time.perf_counter()
                research_site(site.url("/"), options)
                research_t.append(time.perf_counter() - t0)
        except ImportError:
            research_t = []
    out.update(crawl=median(crawl_t), plain=median(plain_t), session=median(session_t),
               research=median(research_t) if research_t else None)
    return out


def report(r: dict[str, Any]) -> list[list[str]]:
    print(f"Research crawl: a local 8-page site (~{r['page_kb']:.0f} kB a page, 127.0.0.1, politeness delay 0; "
          f"median of {r['repeat']} runs); baseline = plain sequential requests.get of the same 8 URLs")
    rows = [["crawl (robots.txt, link ranking, caps, charset)", ms(r["crawl"] * 1000), ms(r["plain"] * 1000),
             ratio(r["crawl"], r["plain"])],
            ["one requests.Session, same 8 URLs (keep-alive only)", ms(r["session"] * 1000), ms(r["plain"] * 1000),
             ratio(r["session"], r["plain"])]]
    if r.get("research") is not None:
        rows.append(["crawl + extraction (research_site)", ms(r["research"] * 1000), ms(r["plain"] * 1000),
                     ratio(r["research"], r["plain"])])
    print(table(rows, ["case", "time", "requests.get x8", "ratio"]))
    summary = [["research: crawl of a local 8-page site", ms(r["crawl"] * 1000),
                ms(r["plain"] * 1000) + " requests.get x8", ratio(r["crawl"], r["plain"])]]
    if r.get("research") is not None:
        summary.append(["research: crawl + extraction, 8 pages", ms(r["research"] * 1000),
                        ms(r["plain"] * 1000) + " requests.get x8", ratio(r["research"], r["plain"])])
    return summary


def main() -> list[list[str]]:
    with temp_root() as root:
        return report(measure(root))


if __name__ == "__main__":
    main()
