"""Import accounts from a :class:`accounts.tabular.Table` — a job with progress and Cancel.

Transactions: one transaction per import. Any unexpected error or a cancel rolls everything back, so nothing is
ever half-imported; a dry run computes the same result and rolls back too. Given a ``Workspace`` the import
opens, commits and closes its own Session (and journals a failed or cancelled run separately); given a
``Session`` it works inside a SAVEPOINT and leaves committing to the caller.

Row numbers in :class:`RowError` are spreadsheet rows: the header is row 1, the first data row is row 2.

Counting: ``created`` new accounts; ``updated`` rows that matched an existing account by domain (or CRM id) and
changed it; ``merged`` rows that matched by name (exactly or fuzzily) and changed the account, or that repeat an
account already seen earlier in the same file; ``rejected`` rows that cannot be imported. A match that changes
nothing counts as none of these, so re-importing a file reports 0 created and 0 updated. Blank values never
erase stored ones. Blank rows are skipped silently.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.column_mapping import FIELD_LABELS, guess_system, object_hint, validate_mapping
from accounts.dedupe import AccountIndex
from accounts.domains import normalize_domain
from accounts.import_results import (  # noqa: F401 - re-exported: the import API lives here
    ImportMappingError,
    ImportOptions,
    ImportResult,
    PlannedChange,
    RowError,
    result_dict,
)
from accounts.import_writer import CHUNK, VALUE_FIELDS, ImportWriter, run_import
from accounts.models import ABM_STAGES, Account
from accounts.normalize import (
    clean_name,
    is_us_state,
    map_industry,
    name_key,
    parse_country,
    parse_int,
    parse_number,
)
from bdr_desk.db import Workspace
from bdr_desk.jobs import CancelToken, ProgressFn, no_progress
from bdr_desk.taxonomy import Taxonomy, slugify
from bdr_desk.users import User

_MAX_LEN = {"name": 300, "website": 2048, "sub_industry": 120, "hq_region": 120, "hq_city": 120}


def import_accounts(target: Workspace | Session, table: Any, mapping: dict[str, str | None],
                    options: ImportOptions | None = None, progress: ProgressFn = no_progress,
                    cancel: CancelToken | None = None) -> ImportResult:
    """Import ``table`` with ``mapping`` ({header: field}); see the module docstring for the guarantees."""
    return run_import(target, table, mapping, options or ImportOptions(), progress, cancel,
                      validate=validate_mapping, importer=_Importer, object_type="account")


class _Importer(ImportWriter):
    def __init__(self, session: Session, table: Any, mapping: dict[str, str | None], options: ImportOptions,
                 progress: ProgressFn, cancel: CancelToken) -> None:
        self.s, self.table, self.options, self.progress, self.cancel = session, table, options, progress, cancel
        self.mapping = {h: f for h, f in mapping.items() if f}
        self.col = {f: table.headers.index(h) for h, f in self.mapping.items()}
        self.header = {f: h for h, f in self.mapping.items()}
        self.result = ImportResult(dry_run=options.dry_run)
        self.system = options.external_system or guess_system(table.headers)
        self.unknown_countries: Counter[str] = Counter()
        self.unknown_owners: Counter[str] = Counter()
        self._industries: dict[str, str | None] = {}
        self._row: list[str] | None = None
        self._cells: dict[str, str] = {}

    # -- phase 0: what is there already -------------------------------------------------------------------
    def _load(self) -> None:
        self.tax = Taxonomy.load(self.s)
        self.index = AccountIndex(self.options.threshold)
        self.state: dict[int, dict[str, Any]] = {}
        cols = [getattr(Account, f) for f in VALUE_FIELDS]
        for row in self.s.execute(select(Account.id, *cols)):
            values = dict(zip(VALUE_FIELDS, row[1:], strict=True))
            self.state[row[0]] = values
            self.index.add(row[0], values["name"], values["domain"], values["parent_id"])
        self.ext: dict[tuple[str, str], int] = {}
        self.ext_of: dict[tuple[str, int], str] = {}
        for system, local_id, external_id in self.s.execute(text(
                "SELECT system, local_id, external_id FROM external_refs WHERE object_type = 'account'")):
            self.ext[(system, external_id)] = local_id
            self.ext_of[(system, local_id)] = external_id
        self.users: dict[str, int] = {}
        for uid, email, name in self.s.execute(select(User.id, User.email, User.name)):
            for k in (email, name):
                if k:
                    self.users.setdefault(k.strip().lower(), uid)

    # -- phase 1: parse a row ------------------------------------------------------------------------------
    def _cell(self, row: list[str], f: str) -> str:
        if row is not self._row:  # each mapped cell is stripped once per row, however often it is read
            self._row = row
            n = len(row)
            self._cells = {k: row[i].strip() if i < n else "" for k, i in self.col.items()}
        return self._cells.get(f, "")

    def _parse(self, row: list[str], rownum: int) -> dict[str, Any] | None:
        v: dict[str, Any] = {}
        err = self.result.errors

        def reject(f: str | None, message: str) -> None:
            err.append(RowError(rownum, self.header.get(f) if f else None, message))

        for f in ("employees", "tier"):
            raw = self._cell(row, f)
            try:
                n = parse_int(raw)
            except ValueError as exc:
                return reject(f, f"{FIELD_LABELS[f].lower()}: {exc}")
            if n is not None and (n < 0 or (f == "tier" and n not in (1, 2, 3))):
                return reject(f, f"{FIELD_LABELS[f].lower()} {raw!r} is out of range")
            v[f] = n
        raw = self._cell(row, "annual_revenue")
        try:
            rev = parse_number(raw)
        except ValueError as exc:
            return reject("annual_revenue", f"annual revenue: {exc}")
        if rev is not None and abs(rev) >= Decimal(10) ** 16:
            return reject("annual_revenue", f"annual revenue {raw!r} is too large")
        v["annual_revenue"] = rev.quantize(Decimal("0.01")) if rev is not None else None
        website = self._cell(row, "website")
        raw_domain = self._cell(row, "domain")
        domain = normalize_domain(raw_domain) if raw_domain else None
        if raw_domain and domain is None:
            return reject("domain", f"{raw_domain[:80]!r} is not a web domain")
        v["domain"] = domain or normalize_domain(website)
        v["website"] = website or None
        v["name"] = clean_name(self._cell(row, "name")) or v["domain"]
        if not v["name"]:
            return reject(None, "no account name and no domain or website")
        stage = self._cell(row, "abm_stage")
        if stage and slugify(stage) not in ABM_STAGES:
            return reject("abm_stage", f"unknown ABM stage {stage!r}; expected one of {', '.join(ABM_STAGES)}")
        v["abm_stage"] = slugify(stage) if stage else None
        ind, sub = self._cell(row, "industry"), self._cell(row, "sub_industry")
        key = self._industry(sub) or self._industry(ind)
        if ind and key is None:
            self.result.unknown_industries[ind] = self.result.unknown_industries.get(ind, 0) + 1
        v["industry"] = key
        v["sub_industry"] = sub or (ind if ind and key is None else None)
        self._location(row, v)
        v["description"] = self._cell(row, "description") or None
        owner = self._cell(row, "owner_email")
        v["owner_id"] = self.users.get(owner.lower()) if owner else None
        if owner and v["owner_id"] is None:
            self.unknown_owners[owner] += 1
        band = self.tax.size_band(v["employees"])
        v["size_band"], v["segment"] = (band.key, band.segment) if band else (None, None)
        for f, n in _MAX_LEN.items():
            if v.get(f) and len(v[f]) > n:
                v[f] = v[f][:n]
        return v

    def _industry(self, raw: str) -> str | None:
        if raw not in self._industries:
            self._industries[raw] = map_industry(raw, self.tax)
        return self._industries[raw]

    def _location(self, row: list[str], v: dict[str, Any]) -> None:
        country_raw = self._cell(row, "hq_country")
        v["hq_country"] = parse_country(country_raw)
        if country_raw and v["hq_country"] is None:
            self.unknown_countries[country_raw] += 1
        v["hq_region"] = self._cell(row, "hq_region") or None
        v["hq_city"] = self._cell(row, "hq_city") or None
        loc = self._cell(row, "hq_location")
        if loc:
            city, _, rest = loc.rpartition(",")
            city, rest = (city.strip(), rest.strip()) if city else (rest.strip(), "")
            v["hq_city"] = v["hq_city"] or city or None
            if rest and parse_country(rest) and not is_us_state(rest) and len(rest) > 2:
                v["hq_country"] = v["hq_country"] or parse_country(rest)
            elif rest:
                v["hq_region"] = v["hq_region"] or rest
                if is_us_state(rest):
                    v["hq_country"] = v["hq_country"] or "US"

    # -- phase 1: match and fold ----------------------------------------------------------------------------
    def _resolve_parent(self, row: list[str]) -> int | None:
        ext_parent = self._cell(row, "parent_external_id")
        if ext_parent and self.system and (self.system, ext_parent) in self.ext:
            return self.ext[(self.system, ext_parent)]
        pdomain = normalize_domain(self._cell(row, "parent_domain"))
        if pdomain and pdomain in self.index.by_domain:
            return self.index.by_domain[pdomain]
        pname = self._cell(row, "parent_name")
        if pname:
            as_domain = normalize_domain(pname) if "." in pname and " " not in pname else None
            m = self.index.match(None if as_domain else pname, as_domain)
            return m.account_id if m else None
        return None

    def _apply(self, rownum: int, row: list[str], v: dict[str, Any]) -> None:
        parent_id = self._resolve_parent(row) if any(
            self._cell(row, f) for f in ("parent_name", "parent_domain", "parent_external_id")) else None
        ext_id = self._cell(row, "external_id")[:64] or None
        target, how = None, None
        if ext_id and self.system and (self.system, ext_id) in self.ext:
            target, how = self.ext[(self.system, ext_id)], "external_id"
        elif parent_id is not None and v["domain"] and self.index.by_domain.get(v["domain"]) == parent_id \
                and name_key(v["name"]) != name_key(self.state[parent_id]["name"]):
            v["domain"] = None  # a subsidiary sharing its parent's domain: the domain stays the parent's key
            target = self.index.child_of(parent_id, v["name"])
            how = "name"
        else:
            m = self.index.match(v["name"], v["domain"])
            if m:
                target, how = m.account_id, m.how
        if parent_id is not None and parent_id != target:
            v["parent_id"] = parent_id
        if target is None:
            target = -(len(self.new) + 1)
            self.new.append(target)
            self.state[target] = {f: v.get(f) for f in VALUE_FIELDS}
            self.state[target]["abm_stage"] = v.get("abm_stage") or "target"
            self.index.add(target, v["name"], v["domain"], v.get("parent_id"))
            action, changed = "create", list(VALUE_FIELDS)
        else:
            cur = self.state[target]
            changed = []
            if self.options.update_existing or target < 0:
                for f, val in v.items():
                    if val is None or val == "" or f not in cur or cur[f] == val:
                        continue
                    if f == "domain" and (cur[f] or val in self.index.by_domain):
                        continue  # never re-key an account from an import
                    if f == "name" and name_key(cur[f]) == name_key(val):
                        continue  # "Beta" vs "Beta GmbH": the same name, keep the stored spelling
                    changed.append(f)
            if changed:
                if target > 0 and target not in self.original:
                    self.original[target] = dict(cur)
                for f in changed:
                    cur[f] = v[f]
                if "domain" in changed:
                    self.index.set_domain(target, v["domain"])
                self.dirty.setdefault(target, set()).update(changed)
            if target < 0:
                action = "merge"
            elif not changed:
                action = "unchanged"
            else:
                action = "update" if how in ("domain", "external_id") else "merge"
        if ext_id and self.system and (self.system, ext_id) not in self.ext:
            self.ext[(self.system, ext_id)] = target
            self.new_refs.append((self.system, ext_id, target))
        self.touched.append(target)
        counts = {"create": "created", "update": "updated", "merge": "merged", "unchanged": "unchanged"}
        setattr(self.result, counts[action], getattr(self.result, counts[action]) + 1)
        self.result.planned.append(PlannedChange(rownum, action, target, v["name"],
                                                 v["domain"], [] if action == "create" else changed))

    # -- the job -------------------------------------------------------------------------------------------
    def run(self) -> ImportResult:
        t, res = self.table, self.result
        total = len(t.rows)
        self.progress(0, total, "Reading existing accounts")
        self._load()
        self.new: list[int] = []
        self.original: dict[int, dict[str, Any]] = {}
        self.dirty: dict[int, set[str]] = {}
        self.touched: list[int] = []
        self.new_refs: list[tuple[str, str, int]] = []
        parsed, later = [], []
        for i, row in enumerate(t.rows):
            if i % CHUNK == 0:
                self.cancel.raise_if_cancelled()
                self.progress(i // 2, total, "Checking rows")
            if not any(c.strip() for c in row):
                continue
            v = self._parse(row, t.row_number(i))
            if v is None:
                continue
            has_parent = any(self._cell(row, f) for f in ("parent_name", "parent_domain", "parent_external_id"))
            (later if has_parent else parsed).append((t.row_number(i), row, v))
        res.rejected = len(res.errors)
        for n, (rownum, row, v) in enumerate(parsed + later):
            if n % CHUNK == 0:
                self.cancel.raise_if_cancelled()
                self.progress(total // 2 + n // 2, total, "Matching accounts")
            self._apply(rownum, row, v)
        res.planned.sort(key=lambda p: p.row)
        self._write()
        self._warn()
        self.progress(total, total, "Done")
        return res

    def _warn(self) -> None:
        w = self.result.warnings
        w.extend(getattr(self.table, "warnings", []) or [])
        hint = object_hint(self.table.headers)
        if hint:
            w.append(hint)
        if self.unknown_countries:
            top = ", ".join(f"{k!r} ({n})" for k, n in self.unknown_countries.most_common(5))
            w.append(f"unknown countries left empty: {top}")
        if self.unknown_owners:
            top = ", ".join(f"{k!r} ({n})" for k, n in self.unknown_owners.most_common(5))
            w.append(f"owners not found among the workspace's users, left empty: {top}")
        if self.result.unknown_industries:
            w.append(f"{len(self.result.unknown_industries)} industry values not in the taxonomy; "
                     "kept as sub-industry")
