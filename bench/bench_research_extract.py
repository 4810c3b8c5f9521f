"""Research extraction per page (``accounts.research.extract.extract_page``: parse, main text, links,
structured data, company facts, people, technologies, signals) over every real fixture page
(``web/trafilatura``, ``web/extruct``, ``web/webstruct_team``), against trafilatura's metadata extraction
(``trafilatura.metadata.extract_metadata``: title, author, date, site name, description …) on the same pages in
the same run, and trafilatura's ``bare_extraction`` (main text + metadata) for reference. Goal: ≤ 1× the
metadata extraction. The BeautifulSoup (lxml) parse alone is shown too: it is the floor of our figure
(trafilatura builds a plain lxml tree, several times cheaper than BeautifulSoup's Python tree).

Each page runs once to warm up, then ``ROUNDS`` times interleaved (ours, theirs, ours, …); a page's figure is
its fastest round, the summary the mean and median over pages.

``python -m bench.bench_research_extract``; from ``run_all``:
``summary += bench_research_extract.report(bench_research_extract.measure())``. The fixtures come from
``BDR_DESK_FIXTURES`` (else ``../shared/fixtures`` beside the project); trafilatura from the ``dev`` extra — each
missing piece is said, not hidden.
"""

from __future__ import annotations

import glob
import json
import os
import re
import statistics
import time
import warnings

from bench._common import ROOT, ratio, table

ROUNDS = 5
FOLDERS = ("web/trafilatura", "web/extruct", "web/webstruct_team")


def _fixtures() -> str:
    return os.environ.get("BDR_DESK_FIXTURES") or str(ROOT.parent / "shared" / "fixtures")


def load_pages(base: str | None = None) -> list[tuple[str, str, str]]:
    """(name, url, html) of every fixture page; the URL from the corpus where it is known."""
    base = base or _fixtures()
    urls: dict[str, str] = {}
    meta = os.path.join(base, "web", "trafilatura", "evaldata_subset.json")
    if os.path.exists(meta):
        with open(meta, encoding="utf-8") as fh:
            urls = {k: v.get("url") for k, v in json.load(fh).items() if v.get("url")}
    pages = []
    for folder in FOLDERS:
        for path in sorted(glob.glob(os.path.join(base, folder, "**", "*.html"), recursive=True)):
            with open(path, encoding="utf-8", errors="replace") as fh:
                html = fh.read()
            rel = os.path.relpath(path, os.path.join(base, folder)).replace(os.sep, "/")
            m = re.search(r"<base\s+href=[\"']([^\"']+)", html[:20000], re.I)
            url = urls.get(rel) or (m.group(1) if m else f"https://example.com/{rel}")
            pages.append((f"{folder.split('/')[-1]}/{rel}", url, html))
    return pages


def _best(fn, html: str, url: str, times: list[float]) -> None:
    t0 = time.perf_counter()
    fn(html, url)
    times.append((time.perf_counter() - t0) * 1000)


def measure(rounds: int = ROUNDS) -> dict:
    pages = load_pages()
    if not pages:
        return {"skipped": f"no fixture pages under {_fixtures()} (set BDR_DESK_FIXTURES)"}
    from accounts.research.extract import extract_page

    def ours(html: str, url: str) -> None:
        extract_page(html, url)

    try:
        import trafilatura
        from trafilatura.metadata import extract_metadata
    except ImportError:
        trafilatura = None
    baselines = {}
    if trafilatura is not None:
        baselines["trafilatura extract_metadata"] = lambda html, url: extract_metadata(html, default_url=url)
        baselines["trafilatura bare_extraction"] = lambda html, url: trafilatura.bare_extraction(
            html, url=url, with_metadata=True)
    from bs4 import BeautifulSoup

    def soup_only(html: str, url: str) -> None:
        BeautifulSoup(html, "lxml", multi_valued_attributes=None)

    results: dict[str, list[float]] = {"ours": [], "soup": [], **{k: [] for k in baselines}}
    nodes = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _name, url, html in pages:
            runs: dict[str, list[float]] = {k: [] for k in results}
            ours(html, url)
            for fn in baselines.values():
                fn(html, url)
            for _ in range(rounds):
                _best(ours, html, url, runs["ours"])
                _best(soup_only, html, url, runs["soup"])
                for k, fn in baselines.items():
                    _best(fn, html, url, runs[k])
            for k, v in runs.items():
                results[k].append(min(v))
            nodes += len(html)
    return {"pages": len(pages), "chars": nodes, "ms": results,
            "trafilatura": getattr(trafilatura, "__version__", None) if trafilatura else None}


def report(r: dict) -> list[list[str]]:
    if "skipped" in r:
        print(f"Research extraction: skipped — {r['skipped']}")
        return [["research extraction per page", "skipped", r["skipped"], ""]]
    ours = r["ms"]["ours"]
    print(f"Research extraction per page over {r['pages']} real fixture pages ({r['chars'] / 1e6:.1f} MB of HTML; "
          f"fastest of {ROUNDS} rounds per page, interleaved): extract_page vs trafilatura"
          + (f" {r['trafilatura']}" if r["trafilatura"] else ""))
    mean, med = statistics.fmean(ours), statistics.median(ours)
    soup = r["ms"]["soup"]
    rows = [["extract_page (ours: everything)", f"{mean:.1f} ms", f"{med:.1f} ms", f"{max(ours):.1f} ms", ""],
            ["  of which BeautifulSoup(lxml) parse", f"{statistics.fmean(soup):.1f} ms",
             f"{statistics.median(soup):.1f} ms", f"{max(soup):.1f} ms", ""]]
    summary: list[list[str]] = []
    if r["trafilatura"] is None:
        print("  trafilatura is NOT installed (pip install -e '.[dev]' or pip install trafilatura): "
              "no baseline, no ratio")
        print(table(rows, ["case", "mean", "median", "max", "ratio (mean)"]))
        return [["research extraction per page", f"{mean:.1f} ms", "trafilatura missing", "n/a"]]
    for k in ("trafilatura extract_metadata", "trafilatura bare_extraction"):
        v = r["ms"][k]
        rows.append([k, f"{statistics.fmean(v):.1f} ms", f"{statistics.median(v):.1f} ms", f"{max(v):.1f} ms",
                     ""])
        rows[0][4] = rows[0][4] or f"{mean / statistics.fmean(v):.2f}x"
    base = statistics.fmean(r["ms"]["trafilatura extract_metadata"])
    full = statistics.fmean(r["ms"]["trafilatura bare_extraction"])
    print(table(rows, ["case", "mean", "median", "max", "ratio (mean)"]))
    slower = sum(1 for a, b in zip(ours, r["ms"]["trafilatura extract_metadata"], strict=True) if a > b)
    med_base = statistics.median(r["ms"]["trafilatura extract_metadata"])
    print(f"  ours / metadata: {mean / base:.2f}x by the mean (goal ≤ 1x), {med / med_base:.2f}x by the median; "
          f"ours / bare_extraction: {ratio(mean, full)}; pages where ours was slower than the metadata extraction: "
          f"{slower} of {len(ours)}; the BeautifulSoup parse alone is {statistics.fmean(soup) / base:.2f}x of the "
          "metadata extraction")
    summary.append([f"research: extract_page, {r['pages']} pages", f"{mean:.1f} ms/page",
                    f"{base:.1f} ms trafilatura metadata", f"{mean / base:.2f}x"])
    return summary


def main() -> list[list[str]]:
    return report(measure())


if __name__ == "__main__":
    main()
