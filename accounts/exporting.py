"""Export any accounts view (a filter and a sort, a target list) to CSV or XLSX, with column presets for
HubSpot's company import and Salesforce Data Loader.

Rows stream from the database in chunks and are written to a temporary file beside the target, which
replaces the target only when the export finished: a failed or cancelled export leaves no half file.
Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accounts import queries
from accounts.models import Account
from bdr_desk.jobs import CancelToken, ProgressFn
from bdr_desk.taxonomy import ABM_STAGE, INDUSTRY, SEGMENT_LABELS, Taxonomy
from bdr_desk.users import User

CHUNK = 2_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Industry picklists of the CRMs, translated from our taxonomy keys (unknown keys export their label).
HUBSPOT_INDUSTRY = {
    "software": "COMPUTER_SOFTWARE", "fintech": "FINANCIAL_SERVICES", "banking": "BANKING",
    "insurance": "INSURANCE", "healthcare": "HOSPITAL_HEALTH_CARE", "life_sciences": "PHARMACEUTICALS",
    "manufacturing": "INDUSTRIAL_AUTOMATION", "retail": "RETAIL", "logistics": "LOGISTICS_AND_SUPPLY_CHAIN",
    "telecom": "TELECOMMUNICATIONS", "energy": "UTILITIES", "media": "MEDIA_PRODUCTION",
    "education": "EDUCATION_MANAGEMENT", "professional_services": "MANAGEMENT_CONSULTING",
    "public_sector": "GOVERNMENT_ADMINISTRATION", "real_estate": "REAL_ESTATE", "hospitality": "HOSPITALITY",
    "consumer_goods": "CONSUMER_GOODS", "semiconductors": "SEMICONDUCTORS", "materials": "CHEMICALS",
}
SALESFORCE_INDUSTRY = {
    "software": "Technology", "fintech": "Finance", "banking": "Banking", "insurance": "Insurance",
    "healthcare": "Healthcare", "life_sciences": "Biotechnology", "manufacturing": "Manufacturing",
    "retail": "Retail", "logistics": "Transportation", "telecom": "Telecommunications", "energy": "Energy",
    "media": "Media", "education": "Education", "professional_services": "Consulting",
    "public_sector": "Government", "real_estate": "Other", "hospitality": "Hospitality",
    "consumer_goods": "Consumer", "semiconductors": "Electronics", "materials": "Chemicals",
}


@dataclass(frozen=True)
class ExportRow:
    id: int
    name: str
    domain: str | None
    website: str | None
    industry: str | None
    sub_industry: str | None
    employees: int | None
    annual_revenue: Decimal | None
    hq_country: str | None
    hq_region: str | None
    hq_city: str | None
    segment: str | None
    tier: int | None
    tier_is_manual: bool
    icp_score: int | None
    abm_stage: str
    owner_name: str | None
    owner_email: str | None
    parent_name: str | None
    parent_domain: str | None


Column = tuple[str, Callable[[ExportRow, Taxonomy], Any]]


def _website(r: ExportRow) -> str | None:
    return r.website or (f"https://{r.domain}" if r.domain else None)


PRESETS: dict[str, list[Column]] = {
    "default": [
        ("Account ID", lambda r, t: r.id), ("Name", lambda r, t: r.name), ("Domain", lambda r, t: r.domain),
        ("Website", lambda r, t: _website(r)), ("Industry", lambda r, t: t.label(INDUSTRY, r.industry)),
        ("Sub-industry", lambda r, t: r.sub_industry), ("Employees", lambda r, t: r.employees),
        ("Annual revenue", lambda r, t: r.annual_revenue), ("Segment", lambda r, t: SEGMENT_LABELS.get(r.segment or "")),
        ("Tier", lambda r, t: r.tier), ("Tier is manual", lambda r, t: "yes" if r.tier_is_manual else "no"),
        ("ICP score", lambda r, t: r.icp_score), ("ABM stage", lambda r, t: t.label(ABM_STAGE, r.abm_stage)),
        ("Owner", lambda r, t: r.owner_name), ("Owner email", lambda r, t: r.owner_email),
        ("HQ country", lambda r, t: r.hq_country), ("HQ region", lambda r, t: r.hq_region),
        ("HQ city", lambda r, t: r.hq_city), ("Parent account", lambda r, t: r.parent_name),
    ],
    # HubSpot > Import > Companies: its default property labels, so the mapping step recognises every column
    "hubspot": [
        ("Company name", lambda r, t: r.name), ("Company Domain Name", lambda r, t: r.domain),
        ("Website URL", lambda r, t: _website(r)),
        ("Industry", lambda r, t: HUBSPOT_INDUSTRY.get(r.industry or "", t.label(INDUSTRY, r.industry))),
        ("Number of Employees", lambda r, t: r.employees), ("Annual Revenue", lambda r, t: r.annual_revenue),
        ("City", lambda r, t: r.hq_city), ("State/Region", lambda r, t: r.hq_region),
        ("Country/Region", lambda r, t: r.hq_country), ("Company owner", lambda r, t: r.owner_email),
        ("Parent Company Domain", lambda r, t: r.parent_domain),
        ("Target Account Tier", lambda r, t: f"tier_{r.tier}" if r.tier else None),
        ("ICP Score", lambda r, t: r.icp_score),
    ],
    # Salesforce Data Loader, Account object: API field names as column headers
    "salesforce": [
        ("NAME", lambda r, t: r.name), ("WEBSITE", lambda r, t: _website(r)),
        ("INDUSTRY", lambda r, t: SALESFORCE_INDUSTRY.get(r.industry or "", t.label(INDUSTRY, r.industry))),
        ("NUMBEROFEMPLOYEES", lambda r, t: r.employees), ("ANNUALREVENUE", lambda r, t: r.annual_revenue),
        ("BILLINGCITY", lambda r, t: r.hq_city), ("BILLINGSTATE", lambda r, t: r.hq_region),
        ("BILLINGCOUNTRY", lambda r, t: r.hq_country), ("DESCRIPTION", lambda r, t: None),
        ("RATING", lambda r, t: {1: "Hot", 2: "Warm", 3: "Cold"}.get(r.tier or 0)),
    ],
}


class ExportError(Exception):
    """An export that cannot be written; the message names the file or the option."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    preset: str
    format: str


def _rows(session: Session, flt: queries.AccountFilter, sort: queries.AccountSort, total: int) -> Iterator[ExportRow]:
    """The view's rows in its order: ids page by page through the accounts query (the same filter and sort
    the table shows), then the export columns for each page in one query."""
    parent = aliased(Account)
    for offset in range(0, total, CHUNK):
        ids = [r.id for r in queries.page_accounts(session, flt, sort, offset, CHUNK)]
        if not ids:
            return
        stmt = (
            select(Account.id, Account.name, Account.domain, Account.website, Account.industry,
                   Account.sub_industry, Account.employees, Account.annual_revenue, Account.hq_country,
                   Account.hq_region, Account.hq_city, Account.segment, Account.tier, Account.tier_is_manual,
                   Account.icp_score, Account.abm_stage, User.name, User.email, parent.name, parent.domain)
            .outerjoin(User, User.id == Account.owner_id)
            .outerjoin(parent, parent.id == Account.parent_id)
            .where(Account.id.in_(ids))
        )
        by_id = {row[0]: ExportRow(*row) for row in session.execute(stmt)}
        yield from (by_id[i] for i in ids if i in by_id)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def export_accounts(
    session: Session, path: str | Path, *, flt: queries.AccountFilter | None = None,
    sort: queries.AccountSort | None = None, preset: str = "default",
    progress: ProgressFn | None = None, cancel: CancelToken | None = None,
) -> ExportResult:
    """Write the accounts matching ``flt`` (all by default) in ``sort`` order to ``path`` (.csv or .xlsx)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise ExportError(f"cannot export to {path.name}: use a .csv or .xlsx file name")
    if preset not in PRESETS:
        raise ExportError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    if not path.parent.exists():
        raise ExportError(f"folder {path.parent} does not exist")
    flt = flt or queries.AccountFilter()
    sort = sort or queries.AccountSort()
    columns = PRESETS[preset]
    taxonomy = Taxonomy.load(session)
    total = queries.count_accounts(session, flt)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    written = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal written
        for r in _rows(session, flt, sort, total):
            if cancel is not None and written % 500 == 0:
                cancel.raise_if_cancelled()
            written += 1
            if progress is not None and written % 1000 == 0:
                progress(written, total, f"{written:,} of {total:,} accounts")
            yield [_cell(get(r, taxonomy)) for _, get in columns]

    try:
        headers = [name for name, _ in columns]
        if fmt == "csv":
            _write_csv(tmp, headers, rows())
        else:
            _write_xlsx(tmp, headers, rows())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(written, total, "done")
    return ExportResult(path=path, rows=written, preset=preset, format=fmt)


def _write_csv(path: Path, headers: list[str], rows: Iterator[list[Any]]) -> None:
    # UTF-8 with BOM: Excel and both CRMs' importers read it without an encoding question
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def _write_xlsx(path: Path, headers: list[str], rows: Iterator[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Accounts")
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers):
        ws.column_dimensions[_column_letter(i)].width = max(12, min(40, len(header) + 6))
    head = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F1F5F9")
        head.append(cell)
    ws.append(head)
    n = 0
    for row in rows:
        ws.append(row)
        n += 1
    ws.auto_filter.ref = f"A1:{_column_letter(len(headers) - 1)}{n + 1}"
    wb.save(path)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
