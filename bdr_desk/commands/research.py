"""``research``: polite web research of a company's website, from the command line.

    bdr-desk research URL_OR_DOMAIN [--account ACCOUNT] [--max-pages N] [--delay S] [--json]
    bdr-desk research --account ACCOUNT [--refresh | --reextract] [--json]
    bdr-desk research --html FILE [--url BASE_URL] [--json]
    bdr-desk research queue [--list NAME | --account ACCOUNT] [--retry-failed] [--clear] [--json]
    bdr-desk research run-queue [--limit N] [--max-pages N] [--delay S] [--json]

JSON is ``ResearchResult.as_json()`` (``company``, ``people``, ``technologies``, ``signals``, ``pages``); with
``--account`` a ``stored`` object says what was written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bdr_desk.commands import CliError, open_ws, print_json
from bdr_desk.config import Settings

MAX_HTML_FILE = 20_000_000
ACTIONS = ("queue", "run-queue")


def _options(args: argparse.Namespace, settings: Settings) -> Any:
    from accounts.research.fetch import CrawlOptions
    from bdr_desk.config import load_profile

    profile = load_profile(settings)
    try:
        return CrawlOptions(max_pages=args.max_pages, delay=args.delay, page_timeout=args.timeout,
                            contact=profile.email if profile else None)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _account(session: Any, ref: str) -> int:
    from accounts.stakeholders import StakeholderError, resolve_account

    try:
        return resolve_account(session, ref)
    except StakeholderError as exc:
        raise CliError(str(exc)) from None


def _refuse(args: argparse.Namespace, allowed: set[str], what: str) -> None:
    given = {"account": args.account, "html": args.html, "url": args.url, "refresh": args.refresh,
             "reextract": args.reextract, "list": args.list, "retry_failed": args.retry_failed,
             "clear": args.clear, "limit": args.limit}
    bad = ["--" + k.replace("_", "-") for k, v in given.items() if v not in (None, False) and k not in allowed]
    if bad:
        raise CliError(f"{', '.join(bad)}: not used with {what}")


def cmd_research(args: argparse.Namespace, settings: Settings) -> int:
    if args.target in ACTIONS:
        if args.extra:
            raise CliError(f"`research {args.target}` takes no other argument, not {args.extra!r}")
        return cmd_queue(args, settings) if args.target == "queue" else cmd_run_queue(args, settings)
    if args.extra:
        raise CliError(f"unexpected argument {args.extra!r}")
    if args.html:
        _refuse(args, {"html", "url"}, "--html (it reads one saved page and stores nothing)")
        if args.target:
            raise CliError("give either a URL or domain, or --html FILE, not both")
        return cmd_html(args)
    if args.url:
        raise CliError("--url goes with --html FILE")
    _refuse(args, {"account", "refresh", "reextract"}, "research of a site")
    if not args.target and not args.account:
        raise CliError("name a URL or domain to research, --account ACCOUNT, or --html FILE")
    if (args.refresh or args.reextract) and not args.account:
        raise CliError("--refresh and --reextract work on the stored research of an --account")
    if args.refresh and args.reextract:
        raise CliError("choose --refresh (fetch stale pages) or --reextract (offline), not both")
    if args.account:
        return cmd_account(args, settings)
    return cmd_site(args, settings)


def cmd_html(args: argparse.Namespace) -> int:
    from accounts.research.fetch import sniff_body
    from accounts.research.links import start_url
    from accounts.research.pipeline import research_html

    path = Path(args.html).expanduser()
    if not path.exists():
        raise CliError(f"{path}: no such file")
    if not path.is_file():
        raise CliError(f"{path}: not a file")
    size = path.stat().st_size
    if size > MAX_HTML_FILE:
        raise CliError(f"{path}: {size:,} bytes is larger than the {MAX_HTML_FILE:,} a saved page may have")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    kind = sniff_body(body[:2048])
    if kind in ("pdf", "image"):
        raise CliError(f"{path}: {'a PDF document' if kind == 'pdf' else 'an image'}, not an HTML page")
    if args.url:
        try:
            url = start_url(args.url)
        except ValueError as exc:
            raise CliError(f"--url {exc}") from None
    else:
        url = path.resolve().as_uri()
    result = research_html(body, url)
    if args.json:
        print_json(result.as_json())
    else:
        _print_result(result.as_json())
    return 0


def cmd_site(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.research.pipeline import research_site
    from bdr_desk.jobs import run_inline

    options = _options(args, settings)
    try:
        site = run_inline(lambda progress, cancel: research_site(args.target, options, progress=progress,
                                                                 cancel=cancel))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not site.ok:
        raise CliError(site.first_error() or f"{args.target}: no page could be read")
    if args.json:
        print_json(site.result.as_json())
    else:
        _print_result(site.result.as_json())
    return 0


def cmd_account(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.research.pipeline import research_account
    from accounts.research.store import ResearchError, reextract
    from bdr_desk.jobs import run_inline

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            aid = _account(s, args.account)
        if args.reextract:
            if args.target:
                raise CliError("--reextract re-reads stored pages; it takes no URL")
            try:
                with ws.session() as s:
                    result, summary = reextract(s, aid)
            except ResearchError as exc:
                raise CliError(str(exc)) from None
            out = result.as_json()
            out["stored"] = {"account_id": aid, "kind": "reextract", **summary.as_json()}
        else:
            options = _options(args, settings)
            try:
                res = run_inline(lambda progress, cancel: research_account(
                    ws, aid, options=options, start=args.target, refresh=args.refresh, progress=progress,
                    cancel=cancel))
            except (ResearchError, ValueError) as exc:
                raise CliError(str(exc)) from None
            out = res.as_json()
            if res.summary.status != "done":
                first = next((p["error"] for p in out["pages"] if p.get("error")), None)
                raise CliError(first or f"account {aid}: no page could be read")
    finally:
        ws.dispose()
    if args.json:
        print_json(out)
    else:
        _print_result(out)
        _print_stored(out["stored"])
    return 0


def cmd_queue(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.research import queue as Q
    from bdr_desk.commands.core import list_id_by_name

    _refuse(args, {"list", "account", "retry_failed", "clear"}, "`research queue`")
    ws = open_ws(settings)
    try:
        with ws.session() as s:
            added = None
            if args.list:
                added = Q.enqueue_list(s, list_id_by_name(s, args.list))
            if args.account:
                one = Q.enqueue(s, [_account(s, args.account)])
                added = one if added is None else Q.EnqueueResult(
                    added.added + one.added, added.requeued + one.requeued, added.already + one.already,
                    added.skipped + one.skipped)
            retried = Q.retry_failed(s) if args.retry_failed else 0
            cleared = Q.remove(s) if args.clear else 0
            status = Q.queue_status(s)
    finally:
        ws.dispose()
    if args.json:
        out = status.as_json()
        out["enqueued"] = added.as_json() if added else None
        out["retried"], out["cleared"] = retried, cleared
        print_json(out)
        return 0
    if added:
        print(f"Queued {added.added} account(s), {added.requeued} again; {added.already} were queued already")
        for line in added.skipped[:20]:
            print(f"  skipped: {line}")
    if retried:
        print(f"{retried} failed account(s) queued again")
    if cleared:
        print(f"{cleared} finished row(s) removed")
    c = status.counts
    print(f"Research queue: {c['queued']} queued, {c['running']} running, {c['done']} done, {c['failed']} failed")
    for r in status.rows[:50]:
        why = f" — {r.error}" if r.error else ""
        print(f"  {r.status:<8} {r.account_name} ({r.domain or 'no domain'}){why}")
    return 0


def cmd_run_queue(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.research.queue import run_queue
    from bdr_desk.jobs import run_inline

    _refuse(args, {"limit"}, "`research run-queue`")
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    options = _options(args, settings)
    ws = open_ws(settings)
    try:
        res = run_inline(lambda progress, cancel: run_queue(ws, options=options, limit=args.limit,
                                                            progress=progress, cancel=cancel))
    finally:
        ws.dispose()
    if args.json:
        print_json(res.as_json())
    else:
        back = f"; {res.recovered} interrupted run(s) resumed" if res.recovered else ""
        print(f"Researched {res.done} account(s), {res.failed} failed, {res.remaining} still queued{back}")
        for line in res.errors[:20]:
            print(f"  failed: {line}")
    return 0


# ---- printing --------------------------------------------------------------------------------------------------

def _print_result(out: dict[str, Any]) -> None:
    company = out["company"]
    name = company.get("name") or "(no company name found)"
    print(f"{name}{' — ' + company['website'] if company.get('website') else ''}")
    if company.get("description"):
        print(f"  {company['description'][:300]}")
    extras = [f"{k}: {company[k]}" for k in ("address", "city", "country", "phone", "email", "founded", "employees")
              if company.get(k)]
    if extras:
        print("  " + "; ".join(str(e) for e in extras))
    if company.get("social"):
        print("  Social: " + ", ".join(f"{k} {v}" for k, v in company["social"].items()))
    print(f"People ({len(out['people'])}):")
    for p in out["people"]:
        print(f"  - {p['name']}{', ' + p['title'] if p.get('title') else ''}  [{p['source_url']}]")
    print(f"Technologies ({len(out['technologies'])}):")
    for t in out["technologies"]:
        print(f"  - {t['name']} ({t['category']}): {t['evidence']}")
    print(f"Signals ({len(out['signals'])}):")
    for sig in out["signals"]:
        print(f"  - {sig['date'] or 'undated'} {sig['kind']}: {sig['text'][:200]}  [{sig['source_url']}]")
    print(f"Pages ({len(out['pages'])}):")
    for page in out["pages"]:
        status = page["status"] if page["status"] is not None else "---"
        note = page.get("error") or page.get("title") or ""
        print(f"  {status} {page['url']}{'  ' + note if note else ''}")


def _print_stored(st: dict[str, Any]) -> None:
    added = f" (added: {', '.join(st['technologies_added'])})" if st.get("technologies_added") else ""
    removed = f" (removed: {', '.join(st['technologies_removed'])})" if st.get("technologies_removed") else ""
    print(f"Stored for account {st['account_id']} ({st['kind']}): {st['pages_stored']} page(s), "
          f"{st['technologies']} technolog{'y' if st['technologies'] == 1 else 'ies'}{added}{removed}, "
          f"{st['signals_added']} new signal(s), {st['people_new']} new stakeholder candidate(s)")


def register(sub: Any) -> None:
    p = sub.add_parser("research", help="research a company's website (people, technologies, signals)",
                       description="Fetch and read a company's website politely (robots.txt, a delay per "
                       "host, at most --max-pages pages), or a saved page with --html. `research queue` and "
                       "`research run-queue` research a whole target list.")
    p.add_argument("target", nargs="?", metavar="URL_OR_DOMAIN",
                   help="a domain or URL to research; or `queue` / `run-queue`")
    p.add_argument("extra", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--account", metavar="ACCOUNT", help="store the research on this account (id, domain or name)")
    p.add_argument("--max-pages", type=int, default=8, metavar="N", help="pages to fetch at most (default 8)")
    p.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                   help="wait between two requests to one host (default 1)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                   help="time bound for one page, retries included (default 20)")
    p.add_argument("--refresh", action="store_true", help="with --account: fetch only stale pages again")
    p.add_argument("--reextract", action="store_true",
                   help="with --account: re-read the stored pages offline with the current extractors")
    p.add_argument("--html", metavar="FILE", help="extract a saved HTML page; no network")
    p.add_argument("--url", metavar="BASE_URL", help="with --html: the address the page was saved from")
    p.add_argument("--list", metavar="NAME", help="queue: add every account of this target list")
    p.add_argument("--retry-failed", action="store_true", help="queue: queue the failed accounts again")
    p.add_argument("--clear", action="store_true", help="queue: remove finished rows")
    p.add_argument("--limit", type=int, metavar="N", help="run-queue: research at most N accounts")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_research)
