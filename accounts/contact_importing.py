"""Import contacts from a :class:`accounts.tabular.Table` — a job with progress and Cancel, built on the
account importer's machinery (tables, row errors, result shape, domain normalization, the account index).

Matching a row to its account: the account CRM id column, then a domain/website column, then the domain of
the e-mail address (free-mail domains such as gmail.com are ignored), then the company-name column (exact
comparison name, then fuzzy). A row with no account is rejected, or — with ``create_accounts`` — creates it.

Matching a row to a contact: lower-cased e-mail first, then the full name (fuzzy) among the account's
contacts that have no other e-mail. ``updated`` counts rows matched by e-mail that changed something,
``merged`` rows matched by name, or repeating an e-mail seen earlier in the file (folded into the first
row). A "Reports To"/"Manager" column (name, e-mail or CRM id) is resolved once all rows are in; a manager
who cannot be found, works at another account or would close a reporting cycle is left out and reported as
a row error (the contact itself is imported). Transactions, dry run and cancel work as for accounts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.column_mapping import guess_system
from accounts.contact_mapping import (  # noqa: F401 - re-exported with the importer
    FREE_MAIL,
    ContactImportOptions,
    contact_system,
    guess_contact_mapping,
    is_free_mail,
    validate_contact_mapping,
)
from accounts.dedupe import AccountIndex
from accounts.domains import normalize_domain
from accounts.history import record_event
from accounts.import_results import ImportOptions, ImportResult, PlannedChange, RowError
from accounts.import_writer import CHUNK, run_import, table_sha
from accounts.models import BUYING_ROLES, SENTIMENTS, Account, Contact, ImportRun
from accounts.normalize import clean_name, name_key
from accounts.seniority import classify_title
from accounts.stakeholders import EMAIL_RE, reporting_cycle
from bdr_desk.db import Workspace, utcnow
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress
from bdr_desk.taxonomy import slugify

VALUE_FIELDS = ("first_name", "last_name", "email", "title", "phone", "linkedin_url", "buying_role", "influence",
                "sentiment", "notes")


def import_contacts(target: Workspace | Session, table: Any, mapping: dict[str, str | None],
                    options: ImportOptions | None = None, progress: ProgressFn = no_progress,
                    cancel: CancelToken | None = None) -> ImportResult:
    """Import contacts; one transaction (a SAVEPOINT when given a Session); dry run and cancel roll back."""
    return run_import(target, table, mapping, options or ContactImportOptions(), progress, cancel,
                      validate=validate_contact_mapping, importer=_ContactImporter, object_type="contact")


def _person_key(first: str | None, last: str | None) -> str:
    return name_key(" ".join(p for p in (first, last) if p))


class _ContactImporter:
    def __init__(self, session: Session, table: Any, mapping: dict[str, str | None], options: ImportOptions,
                 progress: ProgressFn, cancel: CancelToken) -> None:
        self.s, self.table, self.options, self.progress, self.cancel = session, table, options, progress, cancel
        self.mapping = {h: f for h, f in mapping.items() if f}
        self.col = {f: table.headers.index(h) for h, f in self.mapping.items()}
        self.header = {f: h for h, f in self.mapping.items()}
        self.result = ImportResult(dry_run=options.dry_run)
        self.system = options.external_system or guess_system(table.headers) or contact_system(table.headers)
        self.threshold = options.threshold

    def _cell(self, row: list[str], f: str) -> str:
        i = self.col.get(f)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _error(self, rownum: int, f: str | None, message: str) -> None:
        self.result.errors.append(RowError(rownum, self.header.get(f) if f else None, message))

    # -- phase 0 ----------------------------------------------------------------------------------------------
    def _load(self) -> None:
        self.index = AccountIndex.load(self.s, self.threshold)
        self.account_names = {aid: name for aid, name in self.s.execute(select(Account.id, Account.name))}
        self.acc_ext: dict[str, int] = {}
        if self.system:
            for local_id, external_id in self.s.execute(text(
                    "SELECT local_id, external_id FROM external_refs WHERE object_type = 'account' AND system = :s"),
                    {"s": self.system}):
                self.acc_ext[external_id] = local_id
        # contact state: id → values; temp ids (negative) for contacts this file creates
        self.state: dict[int, dict[str, Any]] = {}
        self.by_email: dict[str, int] = {}
        self.by_account: dict[int, list[int]] = {}
        self.parent: dict[int, int | None] = {}
        cols = [getattr(Contact, f) for f in VALUE_FIELDS]
        for row in self.s.execute(select(Contact.id, Contact.account_id, Contact.reports_to_id, *cols)):
            cid, aid, rid = row[0], row[1], row[2]
            self._remember(cid, aid, dict(zip(VALUE_FIELDS, row[3:], strict=True)))
            self.parent[cid] = rid

    def _remember(self, cid: int, aid: int, values: dict[str, Any]) -> None:
        values["account_id"] = aid
        self.state[cid] = values
        if values.get("email"):
            self.by_email[values["email"].lower()] = cid
        self.by_account.setdefault(aid, []).append(cid)
        self.parent.setdefault(cid, None)

    # -- phase 1: parse and match -----------------------------------------------------------------------------
    def _parse(self, row: list[str], rownum: int) -> dict[str, Any] | None:
        v: dict[str, Any] = {f: (self._cell(row, f) or None) for f in
                             ("first_name", "last_name", "title", "phone", "linkedin_url", "notes")}
        full = clean_name(self._cell(row, "full_name"))
        if full and not (v["first_name"] or v["last_name"]):
            first, _, last = full.rpartition(" ")
            v["first_name"], v["last_name"] = (first, last) if first else (None, last)
        email = self._cell(row, "email").lower() or None
        if email and (len(email) > 320 or not EMAIL_RE.match(email)):
            self._error(rownum, "email", f"{email[:80]!r} is not an e-mail address")
            return None
        v["email"] = email
        if not (email or v["first_name"] or v["last_name"]):
            self._error(rownum, None, "no name and no e-mail address")
            return None
        for f, n in (("first_name", 120), ("last_name", 120), ("title", 300), ("phone", 64), ("linkedin_url", 2048)):
            if v[f] and len(v[f]) > n:
                v[f] = v[f][:n]
        raw = self._cell(row, "influence")
        if raw:
            try:
                v["influence"] = int(float(raw))
            except ValueError:
                v["influence"] = None
            if v["influence"] is None or not 1 <= v["influence"] <= 5:
                self._error(rownum, "influence", f"influence {raw!r} must be a whole number from 1 to 5")
                return None
        for f, allowed in (("buying_role", BUYING_ROLES), ("sentiment", SENTIMENTS)):
            raw = self._cell(row, f)
            if raw:
                key = slugify(raw)
                if key not in allowed:
                    self._error(rownum, f, f"unknown {f.replace('_', ' ')} {raw!r}; expected one of "
                                f"{', '.join(allowed)}")
                    return None
                v[f] = key
        return v

    def _account_for(self, row: list[str], v: dict[str, Any], rownum: int) -> int | None:
        ext = self._cell(row, "account_external_id")
        if ext and ext in self.acc_ext:
            return self.acc_ext[ext]
        raw_domain = self._cell(row, "account_domain")
        domain = normalize_domain(raw_domain) if raw_domain else None
        if domain and domain in self.index.by_domain:
            return self.index.by_domain[domain]
        mail_domain = normalize_domain(v["email"]) if v["email"] else None
        if is_free_mail(mail_domain):
            mail_domain = None
        if mail_domain and mail_domain in self.index.by_domain:
            return self.index.by_domain[mail_domain]
        company = clean_name(self._cell(row, "account_name"))
        if company:
            m = self.index.match(company, None, exclude_children=False)
            if m:
                return m.account_id
        if getattr(self.options, "create_accounts", False) and (company or domain or mail_domain):
            acc = Account(name=(company or domain or mail_domain or "")[:300], domain=domain or mail_domain)
            self.s.add(acc)
            self.s.flush()
            record_event(self.s, acc.id, "imported", f"Created by a contact import from {self.table.source}",
                         user_id=self.options.user_id, source="import")
            self.index.add(acc.id, acc.name, acc.domain)
            self.account_names[acc.id] = acc.name
            self.result.warnings.append(f"row {rownum}: created account {acc.name}")
            return acc.id
        what = " / ".join(x for x in (company and repr(company), domain or mail_domain, ext and f"CRM id {ext}") if x)
        self._error(rownum, "account_name" if company else ("email" if v["email"] else None),
                    f"no account matches {what}; import the account first" if what
                    else "no company, domain or work e-mail to find the account by")
        return None

    def _match_name(self, account_id: int, v: dict[str, Any]) -> int | None:
        key = _person_key(v["first_name"], v["last_name"])
        if not key:
            return None
        cands = [cid for cid in self.by_account.get(account_id, ())
                 if not (v["email"] and self.state[cid].get("email"))]
        keys = [_person_key(self.state[c]["first_name"], self.state[c]["last_name"]) for c in cands]
        found = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=self.threshold)
        return cands[found[2]] if found else None

    def _apply(self, rownum: int, row: list[str], v: dict[str, Any]) -> None:
        account_id = self._account_for(row, v, rownum)
        if account_id is None:
            self.result.rejected += 1
            return
        target, how = None, None
        if v["email"] and v["email"] in self.by_email:
            target = self.by_email[v["email"]]
            how = "email"  # the e-mail decides identity; a known contact stays at its account
        else:
            target = self._match_name(account_id, v)
            how = "name" if target is not None else None
        ext = self._cell(row, "external_id")
        if target is None:
            target = -(len(self.new) + 1)
            self.new.append(target)
            self._remember(target, account_id, {f: v.get(f) for f in VALUE_FIELDS})
            self.rows_of[target] = rownum
            action, changed = "create", []
        else:
            cur = self.state[target]
            changed = [f for f in VALUE_FIELDS if v.get(f) not in (None, "") and cur.get(f) != v[f]]
            if target in self.seen_in_file:  # a repeat inside the file only fills what the first row left blank
                changed = [f for f in changed if cur.get(f) in (None, "")]
            if changed and target > 0 and target not in self.original:
                self.original[target] = dict(cur)
            for f in changed:
                cur[f] = v[f]
            if "email" in changed:
                self.by_email[v["email"]] = target
            if changed and target > 0:
                self.dirty.setdefault(target, set()).update(changed)
            if target < 0 or target in self.seen_in_file:
                action = "merge"
            elif not changed:
                action = "unchanged"
            else:
                action = "update" if how == "email" else "merge"
        self.seen_in_file.add(target)
        if ext:
            self.ext_in_file.setdefault(ext, target)
        boss = self._cell(row, "reports_to")
        if boss:
            self.managers.append((rownum, target, boss))
        counts = {"create": "created", "update": "updated", "merge": "merged", "unchanged": "unchanged"}
        setattr(self.result, counts[action], getattr(self.result, counts[action]) + 1)
        name = " ".join(p for p in (v["first_name"], v["last_name"]) if p) or v["email"] or ""
        self.result.planned.append(PlannedChange(rownum, action, target if target > 0 else None, name,
                                                 v["email"], changed))
        self.touched_accounts[self.state[target]["account_id"]][action] += 1

    # -- phase 2: write ---------------------------------------------------------------------------------------
    def _write(self) -> dict[int, int]:
        real: dict[int, int] = {}
        src = "import"
        for start in range(0, len(self.new), CHUNK):
            self.cancel.raise_if_cancelled()
            objs = []
            for tmp in self.new[start:start + CHUNK]:
                st = self.state[tmp]
                info = classify_title(st["title"])
                objs.append(Contact(account_id=st["account_id"], source=src,
                                    seniority=info.seniority if st["title"] else None, function=info.function,
                                    persona=info.persona, **{f: st[f] for f in VALUE_FIELDS if st[f] is not None}))
            self.s.add_all(objs)
            self.s.flush()
            real.update(zip(self.new[start:start + CHUNK], (o.id for o in objs), strict=True))
        ids = sorted(self.dirty)
        for start in range(0, len(ids), 500):
            self.cancel.raise_if_cancelled()
            for c in self.s.scalars(select(Contact).where(Contact.id.in_(ids[start:start + 500]))):
                for f in self.dirty[c.id]:
                    setattr(c, f, self.state[c.id][f])
                if "title" in self.dirty[c.id]:
                    info = classify_title(c.title)
                    c.seniority, c.function, c.persona = info.seniority, info.function, info.persona
            self.s.flush()
        return real

    def _resolve_managers(self, real: dict[int, int]) -> None:
        changes: dict[int, int] = {}
        for rownum, tmp, boss in self.managers:
            aid = self.state[tmp]["account_id"]
            who = " ".join(p for p in (self.state[tmp]["first_name"], self.state[tmp]["last_name"]) if p) \
                or self.state[tmp]["email"]
            mgr = self.by_email.get(boss.lower()) if "@" in boss else None
            if mgr is None and boss in self.ext_in_file:
                mgr = self.ext_in_file[boss]
            if mgr is None and "@" not in boss:
                key = name_key(boss)
                for cid in self.by_account.get(aid, ()):
                    if _person_key(self.state[cid]["first_name"], self.state[cid]["last_name"]) == key:
                        mgr = cid
                        break
            if mgr is None:
                self._error(rownum, "reports_to", f"manager {boss[:80]!r} of {who} not found at "
                            f"{self.account_names.get(aid, 'the account')}; {who} was imported without a manager")
                continue
            if mgr == tmp:
                self._error(rownum, "reports_to", f"{who} cannot report to themselves; left without a manager")
                continue
            if self.state[mgr]["account_id"] != aid:
                self._error(rownum, "reports_to", f"{who} cannot report to {boss[:80]!r}, who works at another "
                            "account; left without a manager")
                continue
            if self.parent.get(tmp) == mgr:
                continue
            if reporting_cycle(self.parent, tmp, mgr):
                self._error(rownum, "reports_to", f"{who} cannot report to {boss[:80]!r}: that would make a "
                            f"reporting cycle; left without a manager")
                continue
            self.parent[tmp] = mgr
            changes[real.get(tmp, tmp)] = real.get(mgr, mgr)
        items = sorted(changes.items())
        for start in range(0, len(items), 500):
            chunk = dict(items[start:start + 500])
            for c in self.s.scalars(select(Contact).where(Contact.id.in_(list(chunk)))):
                c.reports_to_id = chunk[c.id]
            self.s.flush()

    def run(self) -> ImportResult:
        t, res = self.table, self.result
        total = len(t.rows)
        self.progress(0, total, "Reading existing contacts")
        self._load()
        self.new: list[int] = []
        self.original: dict[int, dict[str, Any]] = {}
        self.dirty: dict[int, set[str]] = {}
        self.rows_of: dict[int, int] = {}
        self.seen_in_file: set[int] = set()
        self.ext_in_file: dict[str, int] = {}
        self.managers: list[tuple[int, int, str]] = []
        self.touched_accounts: dict[int, Counter[str]] = _CounterDict()
        for i, row in enumerate(t.rows):
            if i % CHUNK == 0:
                self.cancel.raise_if_cancelled()
                self.progress(i, total, "Matching contacts")
            if not any(c.strip() for c in row):
                continue
            v = self._parse(row, t.row_number(i))
            if v is None:
                res.rejected += 1
                continue
            self._apply(t.row_number(i), row, v)
        self.cancel.raise_if_cancelled()
        real = self._write()
        self._resolve_managers(real)
        self.cancel.raise_if_cancelled()
        for aid, counts in sorted(self.touched_accounts.items()):
            parts = [f"{counts[k]} {w}" for k, w in (("create", "added"), ("update", "updated"), ("merge", "merged"))
                     if counts[k]]
            if parts:
                record_event(self.s, aid, "updated", f"Contacts imported from {t.source}: {', '.join(parts)}",
                             user_id=self.options.user_id, source="import", field="contact")
        res.errors.sort(key=lambda e: e.row)
        res.planned.sort(key=lambda p: p.row)
        res.warnings.extend(getattr(t, "warnings", []) or [])
        if not self.options.dry_run:
            run = ImportRun(object_type="contact", file_name=str(t.source)[:500], file_sha256=table_sha(t),
                            dry_run=False, status="ok", mapping=self.mapping, finished_at=utcnow(),
                            user_id=self.options.user_id,
                            counts={k: v for k, v in res.as_json().items() if isinstance(v, int)},
                            errors=[e.as_json() for e in res.errors[:1000]])
            self.s.add(run)
            self.s.flush()
            res.import_run_id = run.id
        self.progress(total, total, "Done")
        return res


class _CounterDict(dict[int, Counter[str]]):
    def __missing__(self, key: int) -> Counter[str]:
        value: Counter[str] = Counter()
        self[key] = value
        return value
