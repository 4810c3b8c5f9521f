"""Explainable ICP scoring over the database: versioned rule sets, a what-moves preview, bulk rescoring as a
job, and scoring one account after an edit. The rules themselves live in :mod:`accounts.scoring_rules`.

* **Versions are append-only.** :func:`save_rule_set` adds version n+1 and makes it the active one;
  :func:`restore_version` does the same with a copy of an older version's rules (note "Restored from
  version k"), so the list of versions is a complete history of what was in force.
* **Manual tiers are kept.** When ``tier_is_manual`` is set, rescoring updates the score, the explanation and
  ``suggested_tier`` but never ``tier``.
* **Rescoring is one transaction** (:func:`rescore_all`): accounts are read in id-ordered chunks of the needed
  columns only, technology and signal facts come from one grouped query per chunk, rules run in Python, and
  changed rows are written with one executemany UPDATE per chunk. Cancel → nothing is written.
* **Optimistic locking holds.** The bulk UPDATE is Core (``version = version + 1`` in SQL, ``WHERE version =``
  the version read), not ORM bulk-by-primary-key, which would bypass ``version_id_col``: an editor who loaded an
  account before the rescoring gets ``StaleDataError`` on save; if an editor saved in between, the rescoring
  notices the missing row and fails (nothing written) instead of overwriting. ``updated_at`` is left alone:
  a rescoring is not an edit of the account.
* **The timeline is not flooded**: at most one event per account and rescoring — ``tier_changed`` when the tier
  moved, otherwise ``scored`` when the score moved by 5 points or more (or was scored for the first time).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import bdr_desk.users  # noqa: F401 - registers the users table that icp_rule_sets.created_by_id refers to
from accounts.history import record_event
from accounts.models import Account, AccountEvent, AccountTechnology, IcpRuleSet, Signal
from accounts.scoring_results import AccountScore, RescorePreview, RescoreResult, RuleSetVersion, TierMove
from accounts.scoring_rules import (
    DEFAULT_THRESHOLDS,
    Compiled,
    Evaluation,
    ScoringError,
    compile_rules,
    default_rules,
    evaluate,
    validate_rules,
    validate_thresholds,
)
from bdr_desk.db import Workspace, utcnow
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress
from bdr_desk.taxonomy import Taxonomy

__all__ = ["AccountScore", "RescorePreview", "RescoreResult", "RuleSetVersion", "ScoringError", "TierMove",
           "active_rule_set", "explain_account", "list_versions", "preview_rescore", "preview_job",
           "rescore_all", "rescore_in_session", "restore_version", "save_and_rescore", "restore_and_rescore", "save_rule_set",
           "score_account"]

CHUNK = 5_000
EVENT_MIN_DELTA = 5
_COLUMNS = (Account.id, Account.name, Account.industry, Account.sub_industry, Account.employees,
            Account.annual_revenue, Account.hq_country, Account.hq_region, Account.segment, Account.size_band,
            Account.abm_stage, Account.tier, Account.tier_is_manual, Account.icp_score, Account.suggested_tier,
            Account.icp_explanation, Account.icp_version, Account.version)
_EMPTY: frozenset[str] = frozenset()


# ---- versions ---------------------------------------------------------------------------------------------

def active_rule_set(session: Session) -> IcpRuleSet:
    """The rule set in force; version 1 (:func:`default_rules`) is created on first use."""
    rs = session.scalar(select(IcpRuleSet).where(IcpRuleSet.active.is_(True)).order_by(IcpRuleSet.version.desc()))
    if rs is not None:
        return rs
    latest = session.scalar(select(IcpRuleSet).order_by(IcpRuleSet.version.desc()).limit(1))
    if latest is not None:  # versions exist but none is active (hand-edited database): the newest wins
        latest.active = True
        return latest
    rs = IcpRuleSet(version=1, rules=default_rules(), tier_thresholds=dict(DEFAULT_THRESHOLDS), active=True,
                    note="Default ICP: target industries, core size, revenue, geography, CRM stack, triggers")
    # no SAVEPOINT here: with pysqlite's default transaction handling, RELEASE would commit version 1 even if
    # the caller's transaction (a dry run, a cancelled save) is rolled back; a concurrent first use fails on the
    # unique version and is simply retried by the user
    session.add(rs)
    session.flush()
    return rs


def list_versions(session: Session) -> list[RuleSetVersion]:
    active_rule_set(session)
    return [RuleSetVersion.of(rs) for rs in session.scalars(select(IcpRuleSet).order_by(IcpRuleSet.version.desc()))]


def save_rule_set(session: Session, rules: Sequence[Mapping[str, Any]], thresholds: Mapping[str, Any],
                  note: str | None = None, user_id: int | None = None) -> IcpRuleSet:
    """Validate every rule (:class:`ScoringError` names the first bad one) and add it as the active version."""
    clean = validate_rules(rules, Taxonomy.load(session))
    limits = validate_thresholds(thresholds)
    current = active_rule_set(session)
    last = session.scalar(select(func.max(IcpRuleSet.version))) or current.version
    session.execute(update(IcpRuleSet).where(IcpRuleSet.active.is_(True)).values(active=False))
    rs = IcpRuleSet(version=last + 1, rules=clean, tier_thresholds=limits, active=True,
                    note=(note or "").strip()[:500] or None, created_by_id=user_id)
    session.add(rs)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ScoringError(f"version {last + 1} was saved by someone else meanwhile; reload and try again") from exc
    return rs


def restore_version(session: Session, version: int, user_id: int | None = None, note: str | None = None) -> IcpRuleSet:
    """Make an older version's rules current again, as a new version (history stays append-only)."""
    old = session.scalar(select(IcpRuleSet).where(IcpRuleSet.version == version))
    if old is None:
        raise ScoringError(f"there is no ICP rule-set version {version}")
    text = f"Restored from version {version}" + (f": {note.strip()}" if note and note.strip() else "")
    return save_rule_set(session, old.rules, old.tier_thresholds, text, user_id)


# ---- evaluation over the database ------------------------------------------------------------------------

def _facts(session: Session, compiled: Compiled, where: Any, today: dt.date
           ) -> tuple[dict[int, frozenset[str]], dict[int, dict[str, dt.date]]]:
    """Technology names and latest signal dates per account for the accounts matched by ``where(column)``."""
    techs: dict[int, frozenset[str]] = {}
    if compiled.technologies:
        found: defaultdict[int, set[str]] = defaultdict(set)
        lowered = func.lower(AccountTechnology.name)
        for aid, name in session.execute(select(AccountTechnology.account_id, lowered).where(
                where(AccountTechnology.account_id), lowered.in_(sorted(compiled.technologies)))):
            found[aid].add(name)
        techs = {k: frozenset(v) for k, v in found.items()}
    signals: defaultdict[int, dict[str, dt.date]] = defaultdict(dict)
    if compiled.signal_kinds:
        undated = case((Signal.occurred_on.is_(None), Signal.detected_at))
        stmt = (select(Signal.account_id, Signal.kind, func.max(Signal.occurred_on), func.max(undated))
                .where(where(Signal.account_id), Signal.kind.in_(sorted(compiled.signal_kinds)))
                .group_by(Signal.account_id, Signal.kind))
        for aid, kind, occurred, detected in session.execute(stmt):
            dates = [d for d in (occurred, detected.date() if detected is not None else None) if d is not None]
            if dates:
                signals[aid][kind] = max(dates)
    return techs, signals


@dataclass(frozen=True)
class _Outcome:
    row: Any
    ev: Evaluation
    tier: int | None  # the tier after rescoring (unchanged when manual)


def _outcomes(session: Session, compiled: Compiled, progress: ProgressFn, cancel: CancelToken | None,
              chunk: int | None = None) -> Iterator[list[_Outcome]]:
    chunk = chunk or CHUNK
    total = session.scalar(select(func.count(Account.id))) or 0
    today, last, done = dt.datetime.now(dt.UTC).date(), 0, 0
    progress(0, total, "Scoring accounts")
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = session.execute(select(*_COLUMNS).where(Account.id > last).order_by(Account.id).limit(chunk)).all()
        if not rows:
            return
        lo, hi = rows[0].id, rows[-1].id
        techs, signals = _facts(session, compiled, lambda col, lo=lo, hi=hi: col.between(lo, hi), today)
        out = []
        for r in rows:
            ev = evaluate(compiled, r, techs.get(r.id, _EMPTY), signals.get(r.id))
            out.append(_Outcome(r, ev, r.tier if r.tier_is_manual else ev.suggested_tier))
        yield out
        last, done = hi, done + len(rows)
        progress(done, total, f"Scored {done:,} of {total:,} accounts")


def _tier_move(o: _Outcome) -> TierMove | None:
    r = o.row
    if r.tier_is_manual:
        before = r.suggested_tier if r.suggested_tier is not None else r.tier
        if o.ev.suggested_tier == before:
            return None
    elif o.tier == r.tier:
        return None
    return TierMove(r.id, r.name, r.tier, o.ev.suggested_tier, r.icp_score, o.ev.score, bool(r.tier_is_manual))


def preview_rescore(session: Session, rules: Sequence[Mapping[str, Any]], thresholds: Mapping[str, Any],
                    progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> RescorePreview:
    """What rescoring with ``rules`` would do, without writing anything."""
    clean = validate_rules(rules, Taxonomy.load(session))
    compiled = compile_rules(clean, validate_thresholds(thresholds))
    scored = changed = 0
    moves: list[TierMove] = []
    deciles = [0] * 10
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for chunk in _outcomes(session, compiled, progress, cancel):
        for o in chunk:
            scored += 1
            changed += o.ev.score != o.row.icp_score
            deciles[min(o.ev.score // 10, 9)] += 1
            before[str(o.row.tier or "none")] += 1
            after[str(o.tier or "none")] += 1
            if (move := _tier_move(o)) is not None:
                moves.append(move)
    keys = ("1", "2", "3", "none")
    return RescorePreview(scored, changed, moves, deciles, {k: before[k] for k in keys}, {k: after[k] for k in keys})


def _event(o: _Outcome, version: int, now: dt.datetime, user_id: int | None) -> dict[str, Any] | None:
    r, score = o.row, o.ev.score
    base = {"account_id": r.id, "occurred_at": now, "user_id": user_id, "source": "scoring"}
    if o.tier != r.tier:
        return {**base, "kind": "tier_changed", "field": "tier", "old_value": None if r.tier is None else str(r.tier),
                "new_value": str(o.tier), "summary": f"Tier: {r.tier or '—'} → {o.tier} (ICP {score}, rules v{version})"}
    if r.icp_score is None or abs(score - r.icp_score) >= EVENT_MIN_DELTA:
        kept = ""
        if r.tier_is_manual and o.ev.suggested_tier != r.tier:
            kept = f"; suggests tier {o.ev.suggested_tier}, manual tier {r.tier} kept"
        return {**base, "kind": "scored", "field": "icp_score",
                "old_value": None if r.icp_score is None else str(r.icp_score), "new_value": str(score),
                "summary": f"ICP score: {r.icp_score if r.icp_score is not None else '—'} → {score} "
                           f"(rules v{version}){kept}"}
    return None


def _rescore(session: Session, rs: IcpRuleSet, progress: ProgressFn, cancel: CancelToken | None,
             user_id: int | None) -> RescoreResult:
    t0 = time.perf_counter()
    compiled = compile_rules(rs.rules, rs.tier_thresholds)
    table = Account.__table__
    stmt = (update(table)
            .where(and_(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version")))
            .values(icp_score=bindparam("b_score"), icp_explanation=bindparam("b_expl", type_=table.c.icp_explanation.type),
                    suggested_tier=bindparam("b_suggested"), tier=bindparam("b_tier"), icp_version=rs.version,
                    version=table.c.version + 1, updated_at=table.c.updated_at))
    checked = session.get_bind().dialect.supports_sane_multi_rowcount
    now = utcnow()
    scored = changed = tier_changes = written = manual_kept = 0
    for chunk in _outcomes(session, compiled, progress, cancel):
        params, events = [], []
        for o in chunk:
            r, ev = o.row, o.ev
            scored += 1
            changed += ev.score != r.icp_score
            tier_changes += o.tier != r.tier
            manual_kept += bool(r.tier_is_manual) and ev.suggested_tier != r.tier
            if (ev.score, ev.suggested_tier, o.tier, rs.version) == (r.icp_score, r.suggested_tier, r.tier,
                                                                      r.icp_version) and ev.explanation == r.icp_explanation:
                continue
            params.append({"b_id": r.id, "b_version": r.version, "b_score": ev.score, "b_expl": ev.explanation,
                           "b_suggested": ev.suggested_tier, "b_tier": o.tier})
            if (e := _event(o, rs.version, now, user_id)) is not None:
                events.append(e)
        if params:
            result = session.execute(stmt, params)
            if checked and result.rowcount != len(params):
                raise ScoringError(f"{len(params) - result.rowcount} account(s) were edited or deleted while "
                                   "rescoring; nothing was written — run the rescoring again")
            written += len(params)
        if events:
            session.execute(insert(AccountEvent.__table__), events)
    return RescoreResult(scored, changed, tier_changes, rs.version, round(time.perf_counter() - t0, 3), written,
                         manual_kept)


def rescore_all(workspace: Workspace, progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                user_id: int | None = None) -> RescoreResult:
    """The job: rescore every account with the active rule set, in one transaction."""
    with workspace.session() as session:
        return rescore_in_session(session, progress, cancel, user_id)


def rescore_in_session(session: Session, progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                       user_id: int | None = None) -> RescoreResult:
    """Rescore every account inside the caller's transaction (an import or the demo seed scores what it wrote)."""
    return _rescore(session, active_rule_set(session), progress, cancel, user_id)


def save_and_rescore(workspace: Workspace, rules: Sequence[Mapping[str, Any]], thresholds: Mapping[str, Any],
                     note: str | None, user_id: int | None, progress: ProgressFn = no_progress,
                     cancel: CancelToken | None = None) -> RescoreResult:
    """Save a new version and rescore with it, in one transaction (cancel → no version, no scores)."""
    with workspace.session() as session:
        rs = save_rule_set(session, rules, thresholds, note, user_id)
        return _rescore(session, rs, progress, cancel, user_id)


def restore_and_rescore(workspace: Workspace, version: int, user_id: int | None,
                        progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> RescoreResult:
    with workspace.session() as session:
        rs = restore_version(session, version, user_id)
        return _rescore(session, rs, progress, cancel, user_id)


def preview_job(workspace: Workspace, rules: Sequence[Mapping[str, Any]], thresholds: Mapping[str, Any],
                progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> RescorePreview:
    """:func:`preview_rescore` in its own (read-only, rolled back) session, for a background job."""
    with workspace.sessions() as session:
        try:
            return preview_rescore(session, rules, thresholds, progress, cancel)
        finally:
            session.rollback()


# ---- one account -------------------------------------------------------------------------------------------

def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise ScoringError(f"there is no account with id {account_id}")
    return account


def score_account(session: Session, account_id: int, user_id: int | None = None) -> AccountScore:
    """Rescore one account (after an edit) through the ORM, so its version is checked and bumped as usual."""
    rs = active_rule_set(session)
    compiled = compile_rules(rs.rules, rs.tier_thresholds)
    acc = _account(session, account_id)
    techs, signals = _facts(session, compiled, lambda col: col == account_id, dt.datetime.now(dt.UTC).date())
    ev = evaluate(compiled, acc, techs.get(account_id, _EMPTY), signals.get(account_id))
    o = _Outcome(acc, ev, acc.tier if acc.tier_is_manual else ev.suggested_tier)
    if (e := _event(o, rs.version, utcnow(), user_id)) is not None:
        record_event(session, account_id, e["kind"], e["summary"], user_id=user_id, source="scoring",
                     field=e["field"], old=e["old_value"], new=e["new_value"])
    if (acc.icp_score, acc.icp_explanation, acc.suggested_tier, acc.tier, acc.icp_version) != (
            ev.score, ev.explanation, ev.suggested_tier, o.tier, rs.version):
        acc.icp_score, acc.icp_explanation, acc.suggested_tier = ev.score, ev.explanation, ev.suggested_tier
        acc.tier, acc.icp_version = o.tier, rs.version
        session.flush()
    return _score_of(acc, rs.version)


def _score_of(acc: Account, active_version: int) -> AccountScore:
    return AccountScore(acc.id, acc.name, acc.icp_score, acc.tier, acc.suggested_tier, bool(acc.tier_is_manual),
                        list(acc.icp_explanation or []), acc.icp_version, active_version)


def explain_account(session: Session, account_id: int) -> AccountScore:
    """The stored score and why (``up_to_date`` is False when it came from an older rule-set version)."""
    return _score_of(_account(session, account_id), active_rule_set(session).version)
