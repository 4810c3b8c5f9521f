"""Runs every benchmark and prints a compact summary: ``python -m bench.run_all`` (``make bench``).

One private temp dir for the whole run (data, config, QSettings, byte-code cache, databases), removed at
the end. Order: start-up (bare vs app), the 100,000-account workspace (generation, page latency vs raw
SQL, RSS), start-up on that workspace, then GUI-thread stalls during a heavy job, rescoring, import, the org
chart, content search over the 38,404 tldr pages (SQLite, and PostgreSQL when a server is at hand), and
messaging (sandboxed template rendering, enrolment, the Today list) and account plan export.
"""

from __future__ import annotations

import os
import platform
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import (  # noqa: E402
    bench_accounts,
    bench_crm_push,
    bench_crm_sync,
    bench_dashboard,
    bench_import,
    bench_messaging,
    bench_orgchart,
    bench_outbox_capture,
    bench_plans,
    bench_research_crawl,
    bench_research_extract,
    bench_scoring,
    bench_search,
    bench_stall,
    bench_startup,
)
from bench._common import table, temp_root  # noqa: E402


def main() -> int:
    t0 = time.perf_counter()
    print(f"BDR Desk benchmarks — Python {platform.python_version()}, {platform.system()} "
          f"{platform.machine()}, {os.cpu_count()} CPUs, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}\n")
    summary: list[list[str]] = []
    with temp_root() as root:
        big_db, gen_s = bench_accounts.build_workspace(root)
        cases = bench_startup.measure(root, big_db=big_db)
        summary += bench_startup.report(cases)
        print()
        summary += bench_accounts.report(bench_accounts.measure(root, big_db), gen_s=gen_s)
        print()
        summary += bench_dashboard.report(bench_dashboard.measure(root, big_db))
        print()
        summary += bench_stall.report(bench_stall.measure(root))
        print()
        summary += bench_scoring.report(bench_scoring.measure(root))
        print()
        summary += bench_import.report(bench_import.measure(root))
        print()
        summary += bench_orgchart.report(bench_orgchart.measure(root))
        print()
        summary += bench_search.report(bench_search.measure(root))
        print()
        summary += bench_messaging.report(bench_messaging.measure(root))
        print()
        summary += bench_plans.report(bench_plans.measure(root))
        print()
        summary += bench_research_extract.report(bench_research_extract.measure())
        print()
        summary += bench_research_crawl.report(bench_research_crawl.measure(root))
        print()
        summary += bench_outbox_capture.report(bench_outbox_capture.measure(root))
        print()
        summary += bench_crm_push.report(bench_crm_push.measure())
        print()
        summary += bench_crm_sync.report(bench_crm_sync.measure(root))
    print(f"\nSummary (ratio = figure / baseline measured in this run; total {time.perf_counter() - t0:.0f} s)")
    print(table(summary, ["benchmark", "figure", "baseline", "ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
