"""Exporting account plans: one account to a file (the format follows the suffix), or a whole target list into
a folder — one file per account, or one combined PDF — as a job with progress and cancel.

Files are written atomically (a temporary file beside the target, then a rename): a failed or cancelled export
leaves no half-written file, and a cancelled batch leaves no file at all. Each plan written records an
"exported" usage event for every library item it shows (recommended and used content).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.account_detail import AccountNotFound
from accounts.bulk import find_list
from accounts.models import Account
from accounts.queries import AccountFilter, account_ids
from bdr_desk.db import Workspace
from bdr_desk.export.plan_blocks import NO_SNAPSHOT, PlanDocument
from bdr_desk.export.plan_data import PlanData, gather_plan
from bdr_desk.export.plan_document import build_document
from bdr_desk.export.plan_format import slug, unique_file_name
from bdr_desk.export.plan_templates import PlanTemplateError, resolve_plan_template
from bdr_desk.export.snapshots import comparable, diff, list_snapshots
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress
from bdr_desk.taxonomy import Taxonomy
from content_library.models import ContentItem
from content_library.usage import record_usage

FORMATS = {".pdf": "pdf", ".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "md": ".md", "html": ".html"}
CHART_SCALE, PDF_CHART_SCALE = 2.0, 1.5  # org chart pixels per CSS pixel (the PDF re-encodes it as JPEG)
SINCE_LAST = "since-last"  # ``diff=SINCE_LAST``: compare with the account's latest snapshot


class PlanExportError(ValueError):
    """A plan cannot be exported: bad account, format, path, list or template; one line naming it."""


@dataclass(frozen=True)
class PlanExport:
    path: Path
    format: str
    account_id: int
    account_name: str
    sections: tuple[str, ...]
    content_recorded: int  # "exported" usage events written


@dataclass
class BatchExport:
    list_name: str
    format: str
    combined: bool
    accounts: int = 0
    files: list[Path] = field(default_factory=list)
    content_recorded: int = 0


def format_for(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = f"suffix {suffix!r}" if suffix else "no suffix"
        raise PlanExportError(f"cannot export a plan as {Path(path).name!r} ({shown}): use .pdf, .docx, .md or .html")
    return FORMATS[suffix]


def _format_name(fmt: str) -> str:
    key = (fmt or "").lower().lstrip(".")
    key = {"markdown": "md", "htm": "html"}.get(key, key)
    if key not in SUFFIXES:
        raise PlanExportError(f"unknown plan format {fmt!r}: use pdf, docx, md or html")
    return key


def check_target(path: str | os.PathLike[str]) -> Path:
    """``path`` when a file can be written there (its folder exists, it is not a folder)."""
    out = Path(path).expanduser()
    folder = out.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise PlanExportError(f"cannot write {out}: {folder} {problem}")
    if out.is_dir():
        raise PlanExportError(f"cannot write {out}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise PlanExportError(f"cannot write {out}: permission denied")
    return out


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; renamed over it when the block succeeds, removed when it fails.
    The writer creates the file itself, so it gets the usual permissions (mkstemp's would be 0600)."""
    tmp = target.parent / f".{target.stem[:40]}-{secrets.token_hex(6)}.part"
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_document(doc: PlanDocument, fmt: str, path: Path) -> None:
    """Write ``doc`` to ``path`` (not atomically: callers pass a temporary path)."""
    if fmt == "md":
        from bdr_desk.export.plan_markdown import render_markdown

        path.write_text(render_markdown(doc), encoding="utf-8")
    elif fmt == "html":
        from bdr_desk.export.plan_html import render_html

        path.write_text(render_html(doc), encoding="utf-8")
    elif fmt == "docx":
        from bdr_desk.export.plan_docx import write_docx

        write_docx(doc, path)
    else:
        from bdr_desk.export.plan_pdf import write_pdf

        write_pdf(doc, path)


def _collateral_links(session: Session, plan: PlanData) -> dict[int, str]:
    ids = {item_id for b in plan.message_map for line in b.lines for item_id, _ in line.collateral}
    if not ids:
        return {}
    return {i: u for i, u in session.execute(select(ContentItem.id, ContentItem.url).where(ContentItem.id.in_(ids)))
            if u}


def plan_document(session: Session, account_id: int, fmt: str, *, sections: tuple[str, ...] | None = None,
                  diff_with: Any = None, taxonomy: Taxonomy | None = None,
                  now: dt.datetime | None = None) -> PlanDocument:
    """Gather one account's plan and build its document (with the org chart picture unless Markdown)."""
    try:
        plan = gather_plan(session, account_id, **({"sections": sections} if sections else {}), now=now)
    except AccountNotFound as exc:
        raise PlanExportError(str(exc)) from None
    if diff_with == SINCE_LAST:
        snaps = list_snapshots(session, account_id)
        diff_with = diff(snaps[0].data, comparable(plan), snaps[0].label) if snaps else NO_SNAPSHOT
    chart = None
    if fmt != "md" and "stakeholders" in plan.sections:
        from bdr_desk.export.plan_image import chart_image

        chart = chart_image(plan.stakeholders, taxonomy or Taxonomy.load(session),
                            scale=PDF_CHART_SCALE if fmt == "pdf" else CHART_SCALE)
    return build_document(plan, diff=diff_with, chart=chart, links=_collateral_links(session, plan))


def _record(session: Session, doc: PlanDocument, account_id: int, user_id: int | None) -> int:
    for item_id in doc.content_ids:
        record_usage(session, item_id, "exported", account_id=account_id, user_id=user_id)
    return len(doc.content_ids)


def _sections(session: Session, template: str | None) -> tuple[str, ...]:
    try:
        return resolve_plan_template(session, template)
    except PlanTemplateError as exc:
        raise PlanExportError(str(exc)) from None


def export_plan(target: Workspace | Session, account_id: int, path: str | os.PathLike[str], *,
                template: str | None = None, diff: Any = None, user_id: int | None = None,
                now: dt.datetime | None = None) -> PlanExport:
    """Export one account's plan to ``path`` (.pdf, .docx, .md or .html). ``diff`` adds the "since the last
    snapshot" block: a ``PlanDiff``, or :data:`SINCE_LAST` to compare with the latest snapshot. With a
    Workspace the usage events are committed; with a Session the caller commits."""
    fmt = format_for(path)
    out = check_target(path)
    if isinstance(target, Session):
        return _export_one(target, account_id, out, fmt, template, diff, user_id, now)
    with target.session() as session:
        return _export_one(session, account_id, out, fmt, template, diff, user_id, now)


def _export_one(session: Session, account_id: int, out: Path, fmt: str, template: str | None, diff_with: Any,
                user_id: int | None, now: dt.datetime | None) -> PlanExport:
    sections = _sections(session, template)
    doc = plan_document(session, account_id, fmt, sections=sections, diff_with=diff_with, now=now)
    try:
        with atomic_path(out) as tmp:
            write_document(doc, fmt, tmp)
    except OSError as exc:
        raise PlanExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    recorded = _record(session, doc, account_id, user_id)
    return PlanExport(out, fmt, account_id, doc.account_name, sections, recorded)


def _list_accounts(session: Session, list_name_or_id: int | str) -> tuple[str, list[tuple[int, str]]]:
    ref: int | str = list_name_or_id
    if isinstance(ref, str) and ref.strip().isdigit():
        ref = int(ref)
    lst = find_list(session, ref)
    if lst is None and isinstance(ref, int):  # a list may be named "2026"
        lst = find_list(session, str(ref))
    if lst is None:
        raise PlanExportError(f"no target list named {str(list_name_or_id)!r}")
    ids = account_ids(session, AccountFilter(list_id=lst.id))
    rows: list[tuple[int, str]] = []
    for i in range(0, len(ids), 500):
        rows += [(a, n) for a, n in session.execute(select(Account.id, Account.name)
                                                    .where(Account.id.in_(ids[i:i + 500])))]
    rows.sort(key=lambda r: (r[1].casefold(), r[0]))
    if not rows:
        raise PlanExportError(f"target list {lst.name!r} has no accounts")
    return lst.name, rows


def export_list(ws: Workspace, list_name_or_id: int | str, out: str | os.PathLike[str], fmt: str = "pdf",
                progress: ProgressFn = no_progress, cancel: CancelToken | None = None, *, combined: bool = False,
                template: str | None = None, user_id: int | None = None,
                now: dt.datetime | None = None) -> BatchExport:
    """Export the plan of every account of a target list: one file per account into the folder ``out``
    (created if missing; names from account names, made unique), or with ``combined`` one PDF — ``out`` itself
    when it ends in .pdf, else ``<list>.pdf`` in that folder. A job: opens its own Session, reports progress,
    and on cancel (or any failure) leaves no file behind and records no usage."""
    cancel = cancel or CancelToken()
    fmt = _format_name(fmt)
    if combined and fmt != "pdf":
        raise PlanExportError(f"a combined export is one PDF; {fmt} plans are written one file per account")
    target = Path(out).expanduser()
    with ws.session() as session:
        list_name, rows = _list_accounts(session, list_name_or_id)
        sections = _sections(session, template)
        taxonomy = Taxonomy.load(session)
        result = BatchExport(list_name, fmt, combined)
        single = combined and target.suffix.lower() == ".pdf"
        folder = target.parent if single else target
        made = _prepare_folder(folder)
        total = len(rows)
        progress(0, total, f"Exporting {total} account plans")
        try:
            if combined:
                from bdr_desk.export.plan_pdf import PdfBook

                path = target if single else folder / f"{slug(list_name) or 'account-plans'}.pdf"
                check_target(path)
                with atomic_path(path) as tmp:
                    with PdfBook(tmp, f"Account plans: {list_name}") as book:
                        for i, (account_id, name) in enumerate(rows):
                            cancel.raise_if_cancelled()
                            doc = plan_document(session, account_id, fmt, sections=sections, taxonomy=taxonomy,
                                                now=now)
                            book.add(doc)
                            result.content_recorded += _record(session, doc, account_id, user_id)
                            progress(i + 1, total, name)
                    cancel.raise_if_cancelled()
                result.files.append(path)
            else:
                _one_file_each(session, rows, folder, fmt, sections, taxonomy, result, progress, cancel, user_id,
                               now)
        except OSError as exc:
            if made:
                shutil.rmtree(folder, ignore_errors=True)
            raise PlanExportError(f"cannot write into {folder}: {exc.strerror or exc}") from None
        except BaseException:
            if made:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        result.accounts = total
        return result


def _prepare_folder(folder: Path) -> bool:
    """Make sure ``folder`` exists; True when this call created it (so a failed export can remove it)."""
    if folder.is_dir():
        if not os.access(folder, os.W_OK):
            raise PlanExportError(f"cannot write into {folder}: permission denied")
        return False
    if folder.exists():
        raise PlanExportError(f"cannot write into {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise PlanExportError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    return True


def _one_file_each(session: Session, rows: list[tuple[int, str]], folder: Path, fmt: str,
                   sections: tuple[str, ...], taxonomy: Taxonomy, result: BatchExport, progress: ProgressFn,
                   cancel: CancelToken, user_id: int | None, now: dt.datetime | None) -> None:
    """Write every plan into a hidden staging folder, then move them all into ``folder`` (all or nothing)."""
    taken: set[str] = set()  # unique within the batch; a file of the same name from an earlier export is replaced
    names: list[str] = []
    total = len(rows)
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=".bdr-plans-", dir=folder))
        for i, (account_id, name) in enumerate(rows):
            cancel.raise_if_cancelled()
            doc = plan_document(session, account_id, fmt, sections=sections, taxonomy=taxonomy, now=now)
            file_name = unique_file_name(slug(name), SUFFIXES[fmt], taken, f"account-{account_id}")
            write_document(doc, fmt, staging / file_name)
            names.append(file_name)
            result.content_recorded += _record(session, doc, account_id, user_id)
            progress(i + 1, total, name)
        cancel.raise_if_cancelled()
        for file_name in names:
            os.replace(staging / file_name, folder / file_name)
            result.files.append(folder / file_name)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
