"""Account identity: matching import rows to accounts, finding duplicates, merging and dismissing them.

Matching order: exact registrable domain first; then the comparison name (:func:`accounts.normalize.name_key`)
exactly, then fuzzily with rapidfuzz — fuzzy only for rows without a domain (against every account) or with a
domain nobody has yet (against accounts that have no domain, so the row supplies it). Accounts with different
domains are never matched by name: they are left to the duplicate-review screen. Names whose numbers differ
("Store 12" / "Store 13") never match fuzzily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from accounts.history import FIELD_LABELS, record_changes, record_event, snapshot
from accounts.models import Account, DuplicateDismissal
from accounts.normalize import name_key

DEFAULT_THRESHOLD = 92
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Match:
    account_id: int
    how: Literal["domain", "name", "external_id"]
    score: float


def _block(key: str) -> str:
    """Blocking key for fuzzy comparison: the first three characters and the numbers of a name key (names
    whose numbers differ never match, so they need not be compared)."""
    return key[:3] + "|" + " ".join(_DIGITS.findall(key))


def _same_numbers(a: str, b: str) -> bool:
    """False when two similar names differ in what tells companies apart: their numbers, or a swapped short
    token ("Alphabet Class A" / "Alphabet Class C")."""
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    ta, tb = set(a.split()), set(b.split())
    only_a, only_b = ta - tb, tb - ta
    return not (only_a and only_b and any(len(t) <= 2 for t in only_a | only_b))


class AccountIndex:
    """An in-memory index of accounts (one query) that an import extends as it creates accounts."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_domain: dict[str, int] = {}
        self.by_key: dict[str, list[int]] = {}
        self.parent_of: dict[int, int | None] = {}
        self.domain_of: dict[int, str | None] = {}
        self._all: dict[str, tuple[list[str], list[int]]] = {}
        self._nodomain: dict[str, tuple[list[str], list[int]]] = {}

    @classmethod
    def load(cls, session: Session, threshold: float = DEFAULT_THRESHOLD) -> AccountIndex:
        idx = cls(threshold)
        for aid, name, domain, parent_id in session.execute(
            select(Account.id, Account.name, Account.domain, Account.parent_id)
        ):
            idx.add(aid, name, domain, parent_id)
        return idx

    def add(self, account_id: int, name: str | None, domain: str | None, parent_id: int | None = None) -> None:
        if domain:
            self.by_domain[domain] = account_id
        self.parent_of[account_id] = parent_id
        self.domain_of[account_id] = domain
        key = name_key(name)
        if not key:
            return
        self.by_key.setdefault(key, []).append(account_id)
        for blocks, wanted in ((self._all, True), (self._nodomain, not domain)):
            if wanted:
                keys, ids = blocks.setdefault(_block(key), ([], []))
                keys.append(key)
                ids.append(account_id)

    def set_domain(self, account_id: int, domain: str) -> None:
        self.by_domain[domain] = account_id
        self.domain_of[account_id] = domain

    def match(self, name: str | None, domain: str | None, *, exclude_children: bool = True) -> Match | None:
        if domain and domain in self.by_domain:
            return Match(self.by_domain[domain], "domain", 100.0)
        key = name_key(name)
        if not key:
            return None
        for aid in self.by_key.get(key, ()):
            if exclude_children and self.parent_of.get(aid) is not None and not self.domain_of.get(aid):
                continue  # a subsidiary without its own domain is found through its parent
            if domain is None or self.domain_of.get(aid) is None:
                return Match(aid, "name", 100.0)
        blocks = self._nodomain if domain else self._all
        keys, ids = blocks.get(_block(key), ([], []))
        if not keys:
            return None
        found = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=self.threshold)
        if found is None:
            return None
        choice, score, pos = found
        aid = ids[pos]
        if not _same_numbers(key, choice) or (domain and self.domain_of.get(aid)):
            return None
        if exclude_children and self.parent_of.get(aid) is not None and not self.domain_of.get(aid):
            return None
        return Match(aid, "name", float(score))

    def child_of(self, parent_id: int, name: str | None) -> int | None:
        for aid in self.by_key.get(name_key(name), ()):
            if self.parent_of.get(aid) == parent_id:
                return aid
        return None


def match_account(session_or_index: Session | AccountIndex, name: str | None, domain: str | None,
                  threshold: float = DEFAULT_THRESHOLD) -> Match | None:
    """The account a (name, domain) pair identifies, or None. Build an :class:`AccountIndex` once for many."""
    idx = session_or_index if isinstance(session_or_index, AccountIndex) \
        else AccountIndex.load(session_or_index, threshold)
    return idx.match(name, domain)


# ---- duplicate candidates ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DuplicateCandidate:
    a_id: int
    b_id: int
    a_name: str
    b_name: str
    a_domain: str | None
    b_domain: str | None
    score: float
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"a": {"id": self.a_id, "name": self.a_name, "domain": self.a_domain},
                "b": {"id": self.b_id, "name": self.b_name, "domain": self.b_domain},
                "score": round(self.score, 1), "reason": self.reason}


def find_duplicate_candidates(session: Session, threshold: float = 88, limit: int = 500) -> list[DuplicateCandidate]:
    """Pairs of existing accounts that look like one company, best first; dismissed pairs and parent/child
    pairs are left out."""
    rows = session.execute(select(Account.id, Account.name, Account.domain, Account.parent_id)).all()
    info = {r.id: r for r in rows}
    dismissed = set(session.execute(select(DuplicateDismissal.account_a_id, DuplicateDismissal.account_b_id)))
    blocks: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        key = name_key(r.name)
        if key:
            blocks.setdefault(_block(key), []).append((key, r.id))
    found: dict[tuple[int, int], DuplicateCandidate] = {}
    for items in blocks.values():
        keys = [k for k, _ in items]
        for key, aid in items:
            for choice, score, j in process.extract(key, keys, scorer=fuzz.token_sort_ratio,
                                                    score_cutoff=threshold, limit=20):
                bid = items[j][1]
                if bid == aid or not _same_numbers(key, choice):
                    continue
                pair = (min(aid, bid), max(aid, bid))
                if pair in found or pair in dismissed:
                    continue
                a, b = info[pair[0]], info[pair[1]]
                if a.parent_id == b.id or b.parent_id == a.id:
                    continue
                if score >= 100:
                    reason = "same name, different domains" if a.domain and b.domain else "same name"
                else:
                    reason = "similar names"
                    if a.domain and b.domain:
                        reason += ", different domains"
                found[pair] = DuplicateCandidate(a.id, b.id, a.name, b.name, a.domain, b.domain, float(score),
                                                 reason)
    out = sorted(found.values(), key=lambda c: (-c.score, c.a_id, c.b_id))
    return out[:limit]


def dismiss_pair(session: Session, a_id: int, b_id: int, user_id: int | None = None) -> None:
    """Remember that two accounts are not duplicates (idempotent)."""
    if a_id == b_id:
        raise ValueError("an account cannot be a duplicate of itself")
    lo, hi = min(a_id, b_id), max(a_id, b_id)
    for aid in (lo, hi):
        if session.get(Account, aid) is None:
            raise LookupError(f"account {aid} does not exist")
    exists = session.scalar(select(DuplicateDismissal.id).where(
        DuplicateDismissal.account_a_id == lo, DuplicateDismissal.account_b_id == hi))
    if exists is None:
        session.add(DuplicateDismissal(account_a_id=lo, account_b_id=hi, dismissed_by_id=user_id))
        session.flush()


# ---- merge -------------------------------------------------------------------------------------------------

MERGE_FIELDS = ("name", "domain", "website", "industry", "sub_industry", "employees", "annual_revenue",
                "hq_country", "hq_region", "hq_city", "tier", "abm_stage", "owner_id", "description", "notes")
# tables whose account_id simply moves to the kept account
_MOVED = ("contacts", "activities", "opportunities", "pain_hypotheses", "messages", "signals", "account_events",
          "content_usage", "content_requests")
# tables with a uniqueness that includes account_id: move what does not collide, the rest cascades away
_MOVED_UNIQUE = (("research_pages", "url"), ("account_technologies", "name"), ("target_list_members", "list_id"))


@dataclass(frozen=True)
class MergeResult:
    keep_id: int
    merged_id: int
    changed_fields: list[str]
    moved: dict[str, int]


def merge_accounts(session: Session, keep_id: int, merge_id: int, choices: dict[str, str] | None = None,
                   user_id: int | None = None) -> MergeResult:
    """Fold account ``merge_id`` into ``keep_id``: per field take ``choices[field]`` ('keep' or 'merge'; by
    default the kept value, or the merged one where the kept is empty), move everything that belongs to the
    account, keep both CRM references where possible, record it on the timeline, delete the merged account."""
    if keep_id == merge_id:
        raise ValueError("cannot merge an account into itself")
    keep, gone = session.get(Account, keep_id), session.get(Account, merge_id)
    if keep is None or gone is None:
        raise LookupError(f"account {keep_id if keep is None else merge_id} does not exist")
    choices = dict(choices or {})
    bad = {f: c for f, c in choices.items() if f not in MERGE_FIELDS or c not in ("keep", "merge")}
    if bad:
        raise ValueError(f"bad merge choices {bad}; fields: {', '.join(MERGE_FIELDS)}; values: keep or merge")
    before = snapshot(keep)
    gone_name, gone_domain = gone.name, gone.domain
    values = {}
    for f in MERGE_FIELDS:
        mine, theirs = getattr(keep, f), getattr(gone, f)
        choice = choices.get(f) or ("keep" if mine not in (None, "") else "merge")
        values[f] = theirs if choice == "merge" else mine
    if values["domain"] != keep.domain and values["domain"] is not None:
        gone.domain = None
        session.flush()
    for f, v in values.items():
        if getattr(keep, f) != v:
            setattr(keep, f, v)
    if values["employees"] != before["employees"]:
        from bdr_desk.taxonomy import Taxonomy
        band = Taxonomy.load(session).size_band(keep.employees)
        keep.size_band, keep.segment = (band.key, band.segment) if band else (None, None)
    if keep.parent_id == merge_id:
        keep.parent_id = gone.parent_id if gone.parent_id != keep_id else None
    session.flush()
    moved: dict[str, int] = {}
    params = {"keep": keep_id, "gone": merge_id}
    for table in _MOVED:
        moved[table] = session.execute(
            text(f"UPDATE {table} SET account_id = :keep WHERE account_id = :gone"), params).rowcount
    for table, col in _MOVED_UNIQUE:
        moved[table] = session.execute(text(
            f"UPDATE {table} SET account_id = :keep WHERE account_id = :gone AND {col} NOT IN "
            f"(SELECT {col} FROM {table} WHERE account_id = :keep)"), params).rowcount
    moved["children"] = session.execute(text(
        "UPDATE accounts SET parent_id = :keep WHERE parent_id = :gone AND id <> :keep"), params).rowcount
    refs = session.execute(text(
        "SELECT id, system, external_id FROM external_refs WHERE object_type = 'account' AND local_id = :gone"),
        params).all()
    kept_systems = set(session.scalars(text(
        "SELECT system FROM external_refs WHERE object_type = 'account' AND local_id = :keep"), params))
    for ref_id, system, external_id in refs:
        if system in kept_systems:
            session.execute(text("DELETE FROM external_refs WHERE id = :id"), {"id": ref_id})
            record_event(session, keep_id, "merged", f"{system} record {external_id} of merged account "
                         f"{gone_name} was dropped; this account keeps its own {system} record",
                         user_id=user_id, source="merge", field="external_id", old=external_id)
        else:
            session.execute(text("UPDATE external_refs SET local_id = :keep WHERE id = :id"),
                            {"keep": keep_id, "id": ref_id})
    session.execute(text("DELETE FROM duplicate_dismissals WHERE account_a_id = :gone OR account_b_id = :gone"),
                    params)
    session.expunge(gone)
    session.execute(delete(Account).where(Account.id == merge_id))
    changed = [f for f in before if FIELD_LABELS and str(before[f]) != str(getattr(keep, f))]
    record_changes(session, keep, before, user_id=user_id, source="merge")
    label = f"{gone_name} ({gone_domain})" if gone_domain else gone_name
    record_event(session, keep_id, "merged", f"Merged {label} into this account", user_id=user_id,
                 source="merge", old=merge_id)
    session.flush()
    return MergeResult(keep_id, merge_id, changed, moved)
