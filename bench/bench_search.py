"""Content-library search over every tldr page (38,404 short Markdown pages in 39 languages, from the real-world
fixtures): build time with the full-text index, size on disk, peak RSS, and query latency through
``content_library.search.search()`` against the raw full-text query it is built on. SQLite always; PostgreSQL
too when a server is at hand (``BDR_DESK_TEST_POSTGRES_URL``, or the Debian binaries ``tests/postgres_server.py``
starts a throwaway server from).

Each engine runs in a child process (``python -m bench.bench_search child sqlite|postgresql DIR TARBALL``), so
the SQLite peak RSS is that work's own. A child:

- reads the tarball in memory (never extracted) and bulk-INSERTs the pages as library items — title, summary
  (the ``>`` lines), body — in one transaction, with three facets each (industry, funnel stage, platform as
  "competitor"); the FTS5 triggers / the generated tsvector column index them as any write does. Baseline:
  the same texts into a bare full-text table with the same tokenizer (FTS5 with the same options; a table with
  the same generated tsvector and a GIN index) by plain ``sqlite3`` / ``psycopg`` ``executemany``.
- draws 200 queries from the corpus (seeded): a word of a random page, a quarter of them two words of one
  page; then, as if typed, the first 1, 2 and 3 letters of 60 of those words (``prefix_last``).
- times each query (median of 3, interleaved) as (a) the raw ranked query on a plain driver connection —
  SQLite ``SELECT rowid FROM content_fts WHERE content_fts MATCH ? ORDER BY rank LIMIT 20`` with the MATCH
  expression ``search()`` builds, PostgreSQL the ``@@`` match ordered by the same ``ts_rank_cd`` —; (b)
  ``search()`` without facet counts (hits with snippets, the total); (c) ``search()`` with facet counts (the
  library page's call); (d) ``search()`` with ``prefix_last`` and facets. For (b)–(d) the statements
  ``search()`` issued are also replayed on the plain connection: the database's share of the time.

The fixtures come from ``BDR_DESK_FIXTURES`` (else ``../shared/fixtures`` beside the project); without them
the benchmark says so and reports nothing. ``python -m bench.bench_search``; from ``run_all``:
``summary += bench_search.report(bench_search.measure(root))``.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._common import ROOT, mib, ms, ratio, run_child, table, temp_root

N_QUERIES = 200
N_TYPED = 60  # words typed letter by letter (1, 2, 3 letters)
TWO_WORDS = 0.25
SEED = 38404
REPS = 3
LIMIT = 20
BATCH = 5000
TARBALL = Path("search") / "tldr_pages_all_languages.tar.xz"
CASES = ("raw", "search", "search_sql", "facets", "facets_sql")
GOALS = {"search": 1.3, "facets": 3.0}  # p50 ratio to the raw query the issue asks for
SQLITE_RAW = "SELECT rowid FROM content_fts WHERE content_fts MATCH ? ORDER BY rank LIMIT 20"
PG_RAW = ("SELECT id FROM content_items WHERE search_vector @@ to_tsquery('english', %(q)s) "
          "ORDER BY ts_rank_cd(search_vector, to_tsquery('english', %(q)s), 1) DESC LIMIT 20")
PG_DB = "bdr_bench_search"


def tarball() -> Path | None:
    base = os.environ.get("BDR_DESK_FIXTURES") or str(ROOT.parent / "shared" / "fixtures")
    path = Path(base) / TARBALL
    return path if path.is_file() else None


def measure(root: Path) -> dict:
    path = tarball()
    if path is None:
        return {"skipped": f"no {TARBALL} under BDR_DESK_FIXTURES"}
    folder = root / "search"
    folder.mkdir(parents=True, exist_ok=True)
    out = {"sqlite": run_child("bench.bench_search", "child", "sqlite", str(folder), str(path), root=root,
                               timeout=600)}
    try:
        out["postgresql"] = run_child("bench.bench_search", "child", "postgresql", str(folder), str(path),
                                      root=root, timeout=600)
    except RuntimeError as exc:  # a broken server must not cost the SQLite figures
        out["postgresql"] = {"skipped": str(exc).strip().splitlines()[-1][:300]}
    return out


# ---- the child ------------------------------------------------------------------------------------------

def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def _key(page: Any) -> int:
    return zlib.crc32(f"{page.lang}/{page.platform}/{page.name}".encode())


def _pick_queries(pages: list) -> tuple[list[str], list[str]]:
    """(queries, words to type): words of a seeded sample of pages (one in 50, chosen by a hash of the path)."""
    from content_library.query_parser import _split_words
    from content_library.stopwords import STOPWORDS

    rnd = random.Random(SEED)
    pools = [[w for w in _split_words(f"{p.summary} {p.body}")
              if len(w) >= 3 and not w.isdigit() and w.lower() not in STOPWORDS]
             for p in pages if _key(p) % 50 == 0]
    pools = [p for p in pools if len(p) >= 2]
    queries: list[str] = []
    while len(queries) < N_QUERIES:
        pool = rnd.choice(pools)
        queries.append(" ".join(rnd.sample(pool, 2)) if rnd.random() < TWO_WORDS else rnd.choice(pool))
    return queries, [q.split()[0] for q in queries][:N_TYPED]


def _build(ws, pages: list) -> float:
    """Seconds to bulk-INSERT every page as an item with three facets, in one transaction."""
    from sqlalchemy import insert

    from bdr_desk.taxonomy import Taxonomy
    from content_library.models import CONTENT_TYPES, ContentFacet, ContentItem

    with ws.session() as s:
        tax = Taxonomy.load(s)
        industries, stages = tax.keys("industry"), tax.keys("funnel_stage")
    t0 = time.perf_counter()
    with ws.session() as s:
        for start in range(0, len(pages), BATCH):
            items, facets = [], []
            for i, p in enumerate(pages[start:start + BATCH], start=start + 1):
                h = _key(p)
                items.append({"id": i, "title": p.title, "summary": p.summary, "body_text": p.body,
                              "type": CONTENT_TYPES[h % len(CONTENT_TYPES)],
                              "status": "archived" if h % 20 == 0 else "draft" if h % 7 == 0 else "published"})
                facets += [{"item_id": i, "vocabulary": "industry", "term": industries[h % len(industries)]},
                           {"item_id": i, "vocabulary": "funnel_stage", "term": stages[(h >> 8) % len(stages)]},
                           {"item_id": i, "vocabulary": "competitor", "term": p.platform}]
            s.execute(insert(ContentItem), items)
            s.execute(insert(ContentFacet), facets)
    return time.perf_counter() - t0


def _sqlite_bare(db: Path, pages: list) -> tuple[float, int]:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(title, summary, body_text, "
                "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')")
    t0 = time.perf_counter()
    con.execute("BEGIN")
    con.executemany("INSERT INTO f(rowid, title, summary, body_text) VALUES (?, ?, ?, ?)",
                    ((i, p.title, p.summary, p.body) for i, p in enumerate(pages, start=1)))
    con.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return elapsed, sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def _pg_bare(conn, pages: list) -> tuple[float, int]:
    conn.execute("""CREATE TABLE bare (id integer PRIMARY KEY, title text, summary text, body_text text,
        v tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
            setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
            setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')) STORED)""")
    conn.execute("CREATE INDEX bare_v ON bare USING gin (v)")
    conn.commit()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO bare (id, title, summary, body_text) VALUES (%s, %s, %s, %s)",
                        [(i, p.title, p.summary, p.body) for i, p in enumerate(pages, start=1)])
    conn.commit()
    elapsed = time.perf_counter() - t0
    size = conn.execute("SELECT pg_total_relation_size('bare')").fetchone()[0]
    conn.execute("DROP TABLE bare")
    conn.commit()
    return elapsed, size


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _latency(ws, raw_query: Callable[[str, bool], None], replay: Callable[[str, Any], None],
             queries: list[str], typed: list[str]) -> dict:
    """p50/p95/max of each case over the queries, and over the typed prefixes of 1, 2 and 3 letters."""
    from sqlalchemy import event

    from content_library.search import SearchRequest, search

    captured: list[tuple[str, Any]] = []

    @event.listens_for(ws.engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            captured.append((statement, parameters))

    def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
        t = time.perf_counter()
        out = fn()
        return (time.perf_counter() - t) * 1000, out

    def app(q: str, facets: bool, prefix: bool):  # noqa: ANN202
        captured.clear()
        with ws.session() as s:
            res = search(s, SearchRequest(text=q, limit=LIMIT, with_facets=facets, prefix_last=prefix))
        return res, list(captured)

    def one(q: str, prefix: bool = False) -> dict:
        modes = (("facets", True),) if prefix else (("search", False), ("facets", True))
        runs: dict[str, list[float]] = {}
        for _ in range(REPS):  # interleaved, so every case sees the same cache and machine state
            runs.setdefault("raw", []).append(timed(lambda: raw_query(q, prefix))[0])
            for case, facets in modes:
                elapsed, (res, stmts) = timed(lambda facets=facets: app(q, facets, prefix))
                runs.setdefault(case, []).append(elapsed)
                runs.setdefault(case + "_sql", []).append(timed(lambda stmts=stmts: [replay(*st) for st in stmts])[0])
        return {**{k: statistics.median(v) for k, v in runs.items()}, "total": res.total, "match": res.match}

    def stats(rows: list[dict]) -> dict:
        out: dict[str, Any] = {k: {"p50": _pct([r[k] for r in rows], 0.5), "p95": _pct([r[k] for r in rows], 0.95),
                                   "max": max(r[k] for r in rows)} for k in CASES if k in rows[0]}
        out["median_total"] = statistics.median(r["total"] for r in rows)
        out["max_total"] = max(r["total"] for r in rows)
        out["any_fallbacks"] = sum(r["match"] == "any" for r in rows)
        return out

    for q in queries[:20]:  # warm-up, untimed
        one(q)
    result = {"words": stats([one(q) for q in queries])}
    for n in (1, 2, 3):
        result[f"typing {n}"] = stats([one(word[:n], prefix=True) for word in typed])
    event.remove(ws.engine, "before_cursor_execute", _capture)
    return result


def child_sqlite(folder: Path, path: Path) -> dict:
    from bdr_desk.db import open_workspace
    from content_library.query_parser import parse, to_fts5
    from tests.corpora import iter_tldr

    rss_imports = _rss_kib("VmRSS")
    t0 = time.perf_counter()
    pages = list(iter_tldr(path))
    read_s = time.perf_counter() - t0
    rss_read = _rss_kib("VmRSS")
    queries, typed = _pick_queries(pages)
    db = folder / "workspace.db"
    ws = open_workspace(f"sqlite:///{db}")
    build_s = _build(ws, pages)
    with ws.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        fts_bytes = conn.exec_driver_sql("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'content_fts%'").scalar()
    db_bytes = sum(p.stat().st_size for p in folder.glob(db.name + "*"))
    bare_s, bare_bytes = _sqlite_bare(folder / "bare_fts.db", pages)
    info = {"engine": "sqlite", "pages": len(pages), "queries": len(queries), "typed": len(typed),
            "two_word": sum(" " in q for q in queries), "examples": queries[:8],
            "text_bytes": sum(len(f"{p.title}\n{p.summary}\n{p.body}".encode()) for p in pages)}
    del pages
    rss_built = _rss_kib("VmRSS")
    raw = sqlite3.connect(db)

    def raw_query(q: str, prefix: bool) -> None:
        parsed = parse(q, prefix_last=prefix)
        if not parsed.is_empty:
            raw.execute(SQLITE_RAW, (to_fts5(parsed),)).fetchall()

    try:
        latency = _latency(ws, raw_query, lambda stmt, params: raw.execute(stmt, params).fetchall(), queries, typed)
    finally:
        raw.close()
        ws.dispose()
    return {**info, "read_s": read_s, "build_s": build_s, "bare_s": bare_s, "db_bytes": db_bytes,
            "index_bytes": int(fts_bytes or 0), "bare_bytes": bare_bytes, "rss_imports_kib": rss_imports,
            "rss_read_kib": rss_read, "rss_built_kib": rss_built, "peak_rss_kib": _rss_kib("VmHWM"),
            "latency": latency}


def child_postgresql(path: Path) -> dict:
    import psycopg
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bdr_desk.db import open_workspace
    from content_library.query_parser import parse, to_tsquery
    from tests.corpora import iter_tldr
    from tests.postgres_server import PostgresServer

    server = None
    admin = os.environ.get("BDR_DESK_TEST_POSTGRES_URL")
    if not admin:
        server = PostgresServer()
        admin = server.start()
        if admin is None:
            return {"skipped": server.reason}
    t0 = time.perf_counter()
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    url = make_url(admin).set(database=PG_DB).render_as_string(hide_password=False)
    try:
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
        pages = list(iter_tldr(path))
        queries, typed = _pick_queries(pages)
        ws = open_workspace(url)
        build_s = _build(ws, pages)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        raw = psycopg.connect(dsn)
        try:
            raw.execute("ANALYZE")  # what autovacuum does soon after a bulk load
            raw.commit()
            sizes = raw.execute("SELECT pg_total_relation_size('content_items') + "
                                "pg_total_relation_size('content_facets'), "
                                "pg_relation_size('ix_content_items_search_vector')").fetchone()
            bare_s, bare_bytes = _pg_bare(raw, pages)
            n_pages = len(pages)
            del pages

            def raw_query(q: str, prefix: bool) -> None:
                parsed = parse(q, prefix_last=prefix)
                if not parsed.is_empty:
                    raw.execute(PG_RAW, {"q": to_tsquery(parsed)}).fetchall()

            latency = _latency(ws, raw_query, lambda stmt, params: raw.execute(stmt, params).fetchall(),
                               queries, typed)
        finally:
            raw.close()
            ws.dispose()
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            version = conn.execute(text("SHOW server_version")).scalar()
    finally:
        eng.dispose()
        if server:
            server.stop()
    return {"engine": "postgresql", "version": version, "pages": n_pages, "build_s": build_s, "bare_s": bare_s,
            "db_bytes": sizes[0], "index_bytes": sizes[1], "bare_bytes": bare_bytes, "latency": latency,
            "seconds": time.perf_counter() - t0}


# ---- report -------------------------------------------------------------------------------------------

def report(r: dict) -> list[list[str]]:
    if "skipped" in r:
        print(f"Search benchmark skipped: {r['skipped']}")
        return []
    sq = r["sqlite"]
    n = sq["pages"]
    print(f"Content search over {n:,} tldr pages ({sq['text_bytes'] / 1e6:.1f} MB of text, 39 languages); "
          f"read from the tarball in memory in {sq['read_s']:.1f} s")
    engines = [sq] + ([r["postgresql"]] if "skipped" not in r.get("postgresql", {"skipped": "not run"}) else [])
    rows = []
    for e in engines:
        name = "SQLite FTS5" if e["engine"] == "sqlite" else f"PostgreSQL {e['version'].split()[0]} tsvector+GIN"
        rows.append([f"{name}: build (INSERT + index + facets, 1 tx)", f"{e['build_s']:.1f} s",
                     f"{e['bare_s']:.1f} s", ratio(e["build_s"], e["bare_s"]), f"{n / e['build_s']:,.0f} pages/s"])
        rows.append([f"{name}: size", mib(e["db_bytes"] / 1024), mib(e["bare_bytes"] / 1024),
                     ratio(e["db_bytes"], e["bare_bytes"]), f"of it the index {mib(e['index_bytes'] / 1024)}"])
    print(table(rows, ["", "workspace", "bare full-text table", "ratio", "note"]))
    print(f"  SQLite child RSS: {mib(sq['rss_imports_kib'])} after imports, {mib(sq['rss_read_kib'])} with the "
          f"corpus in memory, {mib(sq['rss_built_kib'])} after the build; peak {mib(sq['peak_rss_kib'])}")
    if "postgresql" in r and "skipped" in r["postgresql"]:
        print(f"  PostgreSQL not measured: {r['postgresql']['skipped']}")
    words = sq["latency"]["words"]
    print(f"\n{sq['queries']} queries drawn from the corpus (seed {SEED}; {sq['two_word']} of two words; median "
          f"{words['median_total']:,.0f} matches, max {words['max_total']:,}), first page of {LIMIT}, median of "
          f"{REPS} runs each; (a) = the raw ranked query on a plain driver connection; 'SQL' = the statements "
          "search() issued, replayed there (the database's share)")
    for e in engines:
        _latency_table(e)
    print(f"  e.g. {', '.join(repr(q) for q in sq['examples'])}")
    return _summary(engines)


def _latency_table(e: dict) -> None:
    lat = e["latency"]
    rows = []
    for group, label in (("words", "words"), ("typing 1", "typed, 1 letter"), ("typing 2", "typed, 2 letters"),
                         ("typing 3", "typed, 3 letters")):
        g = lat[group]
        cases = (("raw", "(a) raw"), ("search", "(b) search()"), ("facets", "(c) + facets")) if group == "words" \
            else (("raw", "(a) raw"), ("facets", "(d) search() + facets"))
        for key, name in cases:
            c = g[key]
            sql = g.get(key + "_sql")
            rows.append([f"{label} ({g['median_total']:,.0f} matches): {name}" if key == "raw" else f"  {name}",
                         ms(c["p50"]), ms(c["p95"]), ms(c["max"]),
                         "" if key == "raw" else ratio(c["p50"], g["raw"]["p50"]),
                         "" if key == "raw" else ratio(c["p95"], g["raw"]["p95"]),
                         "" if sql is None else f"{ms(sql['p50'])} / {ms(sql['p95'])}",
                         f"≤{GOALS[key]}x" if group == "words" and key in GOALS else ""])
    title = "SQLite" if e["engine"] == "sqlite" else "PostgreSQL"
    print(f"\n{title}:")
    print(table(rows, ["query", "p50", "p95", "max", "p50 vs (a)", "p95 vs (a)", "SQL p50 / p95", "goal"]))


def _summary(engines: list[dict]) -> list[list[str]]:
    out = []
    for e in engines:
        tag = "search" if e["engine"] == "sqlite" else "search (pg)"
        words = e["latency"]["words"]
        raw50, raw95 = ms(words["raw"]["p50"]), ms(words["raw"]["p95"])
        typing = max(e["latency"][f"typing {n}"]["facets"]["p95"] for n in (1, 2, 3))
        out += [
            [f"{tag}: build {e['pages']:,} pages", f"{e['build_s']:.1f} s", f"{e['bare_s']:.1f} s bare index",
             ratio(e["build_s"], e["bare_s"])],
            [f"{tag}: size on disk", mib(e["db_bytes"] / 1024), mib(e["bare_bytes"] / 1024) + " bare index",
             ratio(e["db_bytes"], e["bare_bytes"])],
            [f"{tag}: p50 no facets", ms(words["search"]["p50"]), raw50 + " raw",
             ratio(words["search"]["p50"], words["raw"]["p50"])],
            [f"{tag}: p50 with facets", ms(words["facets"]["p50"]), raw50 + " raw",
             ratio(words["facets"]["p50"], words["raw"]["p50"])],
            [f"{tag}: p95 with facets", ms(words["facets"]["p95"]), raw95 + " raw",
             ratio(words["facets"]["p95"], words["raw"]["p95"])],
            [f"{tag}: p95 typing, worst of 1-3 letters", ms(typing), "", ""],
        ]
        if e["engine"] == "sqlite":
            out.append(["search: peak RSS (build + queries)", mib(e["peak_rss_kib"]),
                        mib(e["rss_imports_kib"]) + " after imports", ratio(e["peak_rss_kib"], e["rss_imports_kib"])])
    return out


def main() -> list[list[str]]:
    if len(sys.argv) > 4 and sys.argv[1] == "child":
        engine, folder, path = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        out = child_sqlite(folder, path) if engine == "sqlite" else child_postgresql(path)
        print(json.dumps(out))
        return []
    with temp_root() as root:
        t = time.perf_counter()
        rows = report(measure(root))
        print(f"({time.perf_counter() - t:.0f} s)")
        return rows


if __name__ == "__main__":
    main()
