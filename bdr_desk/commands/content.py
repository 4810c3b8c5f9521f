"""``search QUERY`` and ``content add|import|recommend|gaps|requests|request|reindex``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bdr_desk.commands import CliError, current_user_id, open_ws, print_json
from bdr_desk.config import Settings


def _facets(args: argparse.Namespace) -> dict[str, list[str]]:
    return {v: list(getattr(args, v) or []) for v in ("industry", "size_band", "pain", "persona", "funnel_stage",
                                                        "competitor") if getattr(args, v, None)}


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.taxonomy import Taxonomy
    from content_library.items import ContentError, normalize_type, resolve_facets
    from content_library.requests import log_search
    from content_library.search import SearchRequest, search

    ws = open_ws(settings)
    user_id = current_user_id(ws, settings)
    try:
        with ws.session() as s:
            facets = resolve_facets(Taxonomy.load(s), _facets(args))
            types = tuple(normalize_type(t) for t in args.type or ())
            statuses = ("draft", "published", "archived") if args.all else ("draft", "published")
            req = SearchRequest(text=" ".join(args.query), facets={k: tuple(v) for k, v in facets.items()}, types=types,
                                statuses=("published",) if args.published else statuses, sort=args.sort,
                                limit=args.limit)
            results = search(s, req)
            log_search(s, req, results, user_id=user_id)
    except ContentError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    if args.json:
        print_json(results.as_json())
        return 0
    if not results.hits:
        print("No content matches. Ask marketing for it: `bdr-desk content request --title …`.")
        return 0
    note = " (no item has every word; showing items with any of them)" if results.match == "any" else ""
    print(f"{results.total} item{'s' if results.total != 1 else ''}{note}")
    for h in results.hits:
        print(f"{h.id:>6}  {h.score:7.3f}  {h.title}  [{h.type.replace('_', ' ')}, {h.status}]")
        if h.snippet:
            print(f"        {h.snippet[:160]}")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from content_library.importer import add_path_or_url
    from content_library.items import ContentError

    target = args.target
    if "://" not in target and not Path(target).exists():
        raise CliError(f"{target}: no such file (give a file path or an http(s) URL)")
    ws = open_ws(settings)
    try:
        item = add_path_or_url(ws, target, title=args.title, type=args.type, facets=_facets(args),
                               status=args.status, user_id=current_user_id(ws, settings))
    except ContentError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    out = {"id": item.id, "title": item.title, "type": item.type, "file_name": item.file_name,
           "text_extracted": item.error is None, "error": item.error, "facets": item.facets}
    if args.json:
        print_json(out)
    else:
        print(f"Added #{item.id} “{item.title}” ({item.type.replace('_', ' ')})")
        if item.error:
            print(f"  {item.error}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.jobs import run_inline
    from content_library.importer import import_folder
    from content_library.items import ContentError

    folder = Path(args.folder)
    if not folder.is_dir():
        raise CliError(f"{folder}: not a folder")
    ws = open_ws(settings)
    user_id = current_user_id(ws, settings)
    try:
        result = run_inline(lambda progress, cancel: import_folder(
            ws, folder, progress, cancel, user_id=user_id, status=args.status, recursive=not args.no_recursive))
    except ContentError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    out = {
        "added": [{"id": i.id, "title": i.title, "file_name": i.file_name, "type": i.type, "error": i.error}
                  for i in result.added],
        "skipped": [{"file": f, "reason": r} for f, r in result.skipped],
        "errors": [{"file": f, "message": m} for f, m in result.errors],
    }
    if args.json:
        print_json(out)
        return 0
    print(f"Added {len(result.added)} item(s), skipped {len(result.skipped)}.")
    for i in result.added:
        print(f"  + #{i.id} {i.title}" + (f"  ({i.error})" if i.error else ""))
    for f, r in result.skipped:
        print(f"  - {f}: {r}")
    for f, m in result.errors:
        print(f"  ! {f}: {m}")
    return 0


def _account_id(session: Any, ref: str) -> int:
    from accounts.stakeholders import StakeholderError, resolve_account

    try:
        return resolve_account(session, ref)
    except StakeholderError as exc:
        raise CliError(str(exc)) from None


def cmd_recommend(args: argparse.Namespace, settings: Settings) -> int:
    from content_library.items import ContentError
    from content_library.recommend import recommend

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            account_id = _account_id(s, args.account)
            recs = recommend(s, account_id, contact_id=args.contact, persona=args.persona, limit=args.limit)
    except ContentError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    if args.json:
        print_json({"account_id": account_id, "recommendations": [r.as_json() for r in recs]})
        return 0
    if not recs:
        print("Nothing in the library fits this account yet. File a request: `bdr-desk content request`.")
    for r in recs:
        print(f"{r.score:5.1f}  #{r.id} {r.title}\n       {r.reason}")
    return 0


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    from bdr_desk.taxonomy import INDUSTRY, PAIN, SIZE_BAND, Taxonomy
    from content_library.gaps import gap_report

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            cells = gap_report(s, limit=args.limit)
            tax = Taxonomy.load(s)
    finally:
        ws.dispose()
    if args.json:
        print_json({"cells": [c.as_json() for c in cells]})
        return 0
    if not cells:
        print("No demand recorded yet: no open requests, weak searches or target accounts with pains.")
    for c in cells:
        seg = " × ".join(tax.label(v, k) if k else "any" for v, k in
                         ((INDUSTRY, c.industry), (SIZE_BAND, c.size_band), (PAIN, c.pain)))
        print(f"gap {c.gap:5.1f}  {seg}: {c.requests} request(s), {c.searches} weak search(es), "
              f"{c.accounts} target account(s); {c.supply} published item(s)")
        for _, title in c.open_requests:
            print(f"            · {title}")
    return 0


def cmd_request(args: argparse.Namespace, settings: Settings) -> int:
    from content_library.items import ContentError
    from content_library.requests import RequestDraft, file_request

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            account_id = _account_id(s, args.account) if args.account else None
            r = file_request(s, RequestDraft(
                title=args.title, description=args.description, type=args.type, industry=args.industry,
                size_band=args.size_band, pain=args.pain, persona=args.persona, competitor=args.competitor,
                buyer_question=args.question, account_id=account_id), user_id=current_user_id(ws, settings))
            out = {"id": r.id, "title": r.title, "status": r.status}
    except ContentError as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()
    print_json(out) if args.json else print(f"Request #{out['id']} filed: {out['title']}")
    return 0


def cmd_requests(args: argparse.Namespace, settings: Settings) -> int:
    from content_library.requests import list_requests

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            rows = list_requests(s, status=None if args.status == "all" else args.status)
    finally:
        ws.dispose()
    if args.json:
        print_json([{"id": r.id, "title": r.title, "industry": r.industry, "size_band": r.size_band,
                     "pain": r.pain, "persona": r.persona, "account": r.account, "requested_by": r.requested_by,
                     "status": r.status, "created_at": r.created_at} for r in rows])
        return 0
    for r in rows:
        print(f"#{r.id} [{r.status}] {r.title}" + (f" — for {r.account}" if r.account else ""))
    return 0


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from content_library.search import rebuild_index

    ws = open_ws(settings)
    try:
        with ws.session() as s:
            rebuild_index(s)
    finally:
        ws.dispose()
    print("Search index rebuilt.")
    return 0


_SEARCH_PARSER: list[argparse.ArgumentParser] = []


def free_query_argv(argv: list[str]) -> list[str]:
    """``search -x`` or ``search fin -retail``: words after ``search`` that are not its options are the query,
    even when they start with a dash, so a query never turns into a usage error."""
    if not _SEARCH_PARSER or "search" not in argv:
        return argv
    at = argv.index("search")
    options = _SEARCH_PARSER[0]._option_string_actions  # noqa: SLF001 - argparse has no public accessor
    head, known, words = argv[:at + 1], [], []
    rest = iter(argv[at + 1:])
    for token in rest:
        if token == "--":
            words.extend(rest)
            break
        action = options.get(token.split("=", 1)[0]) if token.startswith("-") else None
        if action is None:
            words.append(token)
            continue
        known.append(token)
        if action.nargs != 0 and "=" not in token:
            known.append(next(rest, ""))
    return [*head, *known, "--", *words] if words else argv


def _facet_args(p: argparse.ArgumentParser, *, many: bool = True) -> None:
    action = "append" if many else "store"
    for flag, dest in (("--industry", "industry"), ("--size", "size_band"), ("--pain", "pain"),
                       ("--persona", "persona"), ("--funnel-stage", "funnel_stage"), ("--competitor", "competitor")):
        p.add_argument(flag, dest=dest, action=action, metavar="X",
                       help="repeatable; a taxonomy key or label" if many else "a taxonomy key or label")


def register(sub: Any) -> None:
    s = sub.add_parser("search", help="full-text search of the content library",
                       description="QUERY: words (all must match), \"an exact phrase\", -excluded, a OR b, prefix*")
    s.add_argument("query", metavar="QUERY", nargs="+")
    _facet_args(s)
    s.add_argument("--type", action="append", metavar="T", help="content type (repeatable)")
    s.add_argument("--sort", choices=("relevance", "newest", "most_used"), default="relevance")
    s.add_argument("--limit", type=int, default=20, metavar="N")
    s.add_argument("--published", action="store_true", help="published items only")
    s.add_argument("--all", action="store_true", help="include archived items")
    s.add_argument("--json", action="store_true", help="print JSON: results and facet counts")
    s.set_defaults(func=cmd_search)
    _SEARCH_PARSER[:] = [s]

    c = sub.add_parser("content", help="the content library: add, import, recommend, gaps, requests")
    actions = c.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="add a file or a URL as a library item")
    a.add_argument("target", metavar="PATH_OR_URL")
    a.add_argument("--title", metavar="T")
    a.add_argument("--type", metavar="TYPE", help="case_study, whitepaper, deck, one_pager, battlecard, …")
    a.add_argument("--status", choices=("draft", "published"), default="published")
    _facet_args(a)
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_add)

    i = actions.add_parser("import", help="add every supported file in a folder (PDF, DOCX, PPTX, HTML, MD, TXT, XLSX)")
    i.add_argument("folder", metavar="DIR")
    i.add_argument("--status", choices=("draft", "published"), default="published")
    i.add_argument("--no-recursive", action="store_true", help="only the folder itself, not its sub-folders")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=cmd_import)

    r = actions.add_parser("recommend", help="published content ranked for an account, with the reasons")
    r.add_argument("account", metavar="ACCOUNT", help="account id, domain or exact name")
    r.add_argument("--contact", type=int, metavar="ID", help="rank for this contact's persona")
    r.add_argument("--persona", metavar="KEY", help="rank for this persona")
    r.add_argument("--limit", type=int, default=10, metavar="N")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_recommend)

    g = actions.add_parser("gaps", help="industry × size × pain cells ranked by demand against supply")
    g.add_argument("--limit", type=int, default=30, metavar="N")
    g.add_argument("--json", action="store_true")
    g.set_defaults(func=cmd_gaps)

    q = actions.add_parser("request", help="ask marketing for content the library lacks")
    q.add_argument("--title", required=True, metavar="T")
    q.add_argument("--description", metavar="TEXT")
    q.add_argument("--type", metavar="TYPE", help="the kind of piece wanted")
    _facet_args(q, many=False)
    q.add_argument("--question", metavar="TEXT", help="the question the buyer asked")
    q.add_argument("--account", metavar="ACCOUNT", help="account id or domain it is for")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_request)

    rs = actions.add_parser("requests", help="list content requests")
    rs.add_argument("--status", choices=("open", "in_progress", "fulfilled", "declined", "all"), default="open")
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(func=cmd_requests)

    x = actions.add_parser("reindex", help="rebuild the full-text search index")
    x.set_defaults(func=cmd_reindex)
