"""The sync engine (Qt-free): one run against one CRM — pull, then push — journaled, with a dry-run preview.

``run_sync(workspace, connector, direction="both"|"push"|"pull", dry_run=…, progress=…, cancel=…)`` returns a
:class:`~bdr_desk.crm.journal.SyncResult` (per object type ``created``, ``updated``, ``deleted``,
``conflicts``, ``errors``, ``api_calls`` — the shape ``bdr-desk sync … --json`` prints). :func:`sync_job`
wraps it as a job for ``ui.jobs`` / ``jobs.run_inline``.

A two-way run pulls first: the CRM's changes since the cursor are merged (conflicts queued, our winners queued
for push), so the push that follows needs no extra reads to know the CRM still holds the merge base. A push-only
run reads the current CRM values of each batch it updates instead — nothing is silently overwritten either way.

A dry run uses the same planning code with every write switched off: no database write (its sessions are
rolled back), no CRM write (only lookups and reads), no journal row; the result carries the preview — what
push and pull would create, update, delete or link, field by field [old, new], and which conflicts would be
queued.

Credentials never reach this module: the connector holds them; the journal keeps counts, ids and the
connector's one-line messages, which never contain the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bdr_desk.crm import state
from bdr_desk.crm.connector import Connector
from bdr_desk.crm.context import SyncAborted, SyncContext
from bdr_desk.crm.journal import SyncResult, finish_run, start_run
from bdr_desk.crm.mapping import SyncMapping, Translator
from bdr_desk.crm.mapping_store import PICKLIST_VOCABULARIES, MappingError, load_mapping, validate_mapping
from bdr_desk.crm.pull import pull
from bdr_desk.crm.push import push
from bdr_desk.db import Workspace, utcnow
from bdr_desk.jobs import CancelToken, JobCancelled, ProgressFn, no_progress
from bdr_desk.taxonomy import INDUSTRY, Taxonomy

DIRECTIONS = ("both", "push", "pull")


class SyncError(Exception):
    """A run that could not start (bad direction, invalid mapping); one line, safe to show."""


def _resolver(taxonomy: Taxonomy) -> Callable[[str, str], str | None]:
    """Unknown CRM picklist values of a taxonomy vocabulary: match a term's key or label, for industries the
    importer's synonyms too ("Financial Services" → fintech)."""
    from accounts.normalize import map_industry

    def resolve(picklist: str, text: str) -> str | None:
        vocabulary = PICKLIST_VOCABULARIES.get(picklist)
        if vocabulary is None:
            return None
        if vocabulary == INDUSTRY:
            return map_industry(text.replace("_", " "), taxonomy)
        return taxonomy.resolve(vocabulary, text.replace("_", " "))

    return resolve


def run_sync(workspace: Workspace, connector: Connector, *, direction: str = "both", dry_run: bool = False,
             mapping: SyncMapping | None = None, progress: ProgressFn = no_progress,
             cancel: CancelToken | None = None) -> SyncResult:
    """One sync run. Raises :class:`SyncError` before anything happens for an invalid request, ``JobCancelled``
    (with ``.result``) when cancelled; a CRM that fails as a whole (auth, unreachable) ends the run ``failed``
    with the reason in ``result.failure`` — the journal row says so too."""
    if direction not in DIRECTIONS:
        raise SyncError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    cancel = cancel or CancelToken()
    system = connector.system
    with workspace.session() as s:
        mapping = mapping or load_mapping(s, system)
        taxonomy = Taxonomy.load(s)
        problems = validate_mapping(mapping, taxonomy)
        if mapping.system != system:
            problems.append(f"the mapping is for {mapping.system}, the connector for {system}")
        if problems:
            raise SyncError(f"the {system} mapping is invalid: {MappingError(problems)}")
        systems = state.systems_in_use(s)
        first_push = system not in systems
        if not dry_run:
            if direction != "pull":
                state.add_system(s, system)
                systems |= {system}
    result = SyncResult(system, direction, dry_run)
    if not dry_run:
        with workspace.session() as s:
            result.run_id = start_run(s, system, direction, dry_run)
    ctx = SyncContext(workspace, connector, mapping, Translator(mapping, _resolver(taxonomy)), taxonomy, result,
                      progress, cancel, dry_run=dry_run, run_id=result.run_id, systems=systems)
    calls0 = connector.api_calls
    try:
        if direction in ("both", "pull"):
            pull(ctx)
            # a page that could not be read means the CRM may hold changes we have not seen
            ctx.pulled = not dry_run and direction == "both" and not ctx.pull_incomplete
        if direction in ("both", "push"):
            push(ctx, first_push=first_push)
        result.status = "partial" if result.errors else "ok"
    except JobCancelled as exc:
        result.status = "cancelled"
        exc.result = result  # type: ignore[attr-defined]
        raise
    except SyncAborted as exc:
        result.status, result.failure = "failed", str(exc)
    except Exception as exc:
        result.status, result.failure = "failed", f"{type(exc).__name__}: {str(exc)[:300]}"
        raise
    finally:
        result.api_calls = connector.api_calls - calls0
        result.finished_at = utcnow()
        if not dry_run and result.run_id is not None:
            with workspace.session() as s:
                finish_run(s, result)
    return result


def sync_job(workspace: Workspace, connector_factory: Callable[[], Connector], **options: Any
             ) -> Callable[[ProgressFn, CancelToken], SyncResult]:
    """A job (``jobs.Job``): builds the connector on the worker thread, then :func:`run_sync`."""

    def job(progress: ProgressFn, cancel: CancelToken) -> SyncResult:
        return run_sync(workspace, connector_factory(), progress=progress, cancel=cancel, **options)

    return job
