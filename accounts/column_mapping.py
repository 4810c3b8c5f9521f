"""Which column of an import file feeds which account field, guessed from the headers.

Recognises plain names and the export columns of HubSpot ("Company name", "Company Domain Name", "Record ID"),
Salesforce reports and Data Loader ("NAME", "NUMBEROFEMPLOYEES", "BILLINGCITY", "Account: Account Name"),
and the S&P 500 constituents list ("Security", "GICS Sector", "Headquarters Location").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TargetField:
    key: str
    label: str
    numeric: bool = False


FIELDS: tuple[TargetField, ...] = (
    TargetField("name", "Account name"),
    TargetField("domain", "Domain"),
    TargetField("website", "Website"),
    TargetField("industry", "Industry"),
    TargetField("sub_industry", "Sub-industry"),
    TargetField("employees", "Employees", numeric=True),
    TargetField("annual_revenue", "Annual revenue", numeric=True),
    TargetField("hq_country", "HQ country"),
    TargetField("hq_region", "HQ region / state"),
    TargetField("hq_city", "HQ city"),
    TargetField("hq_location", "HQ location (\"City, State\")"),
    TargetField("tier", "Tier", numeric=True),
    TargetField("abm_stage", "ABM stage"),
    TargetField("owner_email", "Owner e-mail"),
    TargetField("parent_name", "Parent account name"),
    TargetField("parent_domain", "Parent account domain"),
    TargetField("parent_external_id", "Parent account CRM id"),
    TargetField("description", "Description"),
    TargetField("external_id", "CRM record id"),
    TargetField("external_system", "CRM system (hubspot / salesforce)"),
)
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
FIELD_LABELS: dict[str, str] = {f.key: f.label for f in FIELDS}
NUMERIC_FIELDS = frozenset(f.key for f in FIELDS if f.numeric)

_ALIASES_SRC: dict[str, tuple[str, ...]] = {
    "name": ("name", "account name", "company", "company name", "organization", "organisation",
             "organization name", "account", "account: account name", "security", "business name", "firm"),
    "domain": ("domain", "company domain name", "company domain", "domain name", "primary domain", "email domain"),
    "website": ("website", "website url", "web site", "url", "homepage", "home page", "web", "company website"),
    "industry": ("industry", "gics sector", "sector", "vertical", "account: industry", "industry category"),
    "sub_industry": ("sub industry", "sub-industry", "subindustry", "gics sub-industry", "gics sub industry",
                     "industry detail", "segment industry", "sic description", "niche"),
    "employees": ("employees", "number of employees", "numberofemployees", "num employees", "numemp",
                  "employee count", "headcount", "company size", "employees count", "no of employees", "staff",
                  "account: employees", "total employees"),
    "annual_revenue": ("annual revenue", "annualrevenue", "revenue", "annual revenue usd", "total revenue",
                       "account: annual revenue", "turnover"),
    "hq_country": ("country", "country/region", "country region", "billing country", "billingcountry",
                   "hq country", "headquarters country", "account: billing country", "billing country/region"),
    "hq_region": ("state", "state/region", "state region", "region", "billing state", "billingstate",
                  "billing state/province", "state/province", "province", "hq region", "hq state",
                  "account: billing state/province", "county"),
    "hq_city": ("city", "billing city", "billingcity", "hq city", "headquarters city", "town",
                "account: billing city"),
    "hq_location": ("headquarters location", "headquarters", "hq", "hq location", "location"),
    "tier": ("tier", "account tier", "abm tier", "target tier"),
    "abm_stage": ("abm stage", "account stage"),
    "owner_email": ("owner email", "owner e-mail", "account owner email", "company owner email", "owner",
                    "account owner", "company owner", "bdr", "sdr"),
    "parent_name": ("parent", "parent company", "parent account", "parent account name", "parent name",
                    "account: parent account", "parent company name", "ultimate parent"),
    "parent_domain": ("parent domain", "parent company domain", "parent website"),
    "parent_external_id": ("parentid", "parent id", "parent account id", "parent record id",
                           "parent company id", "parent.id", "account: parent account id"),
    "description": ("description", "about", "company description", "account description", "notes", "summary"),
    "external_id": ("id", "record id", "account id", "company id", "hubspot id", "salesforce id", "sfdc id",
                    "crm id", "account: account id", "hs object id", "18 digit account id", "account id (18)"),
    "external_system": ("crm", "crm system", "source system"),
}


def _norm(header: str) -> str:
    s = header.strip().lower().replace("_", " ")
    s = re.sub(r"\s*\(\d+\)$", "", s)  # "Name (2)" from disambiguated duplicates
    s = re.sub(r"__c$", "", s)
    return re.sub(r"\s+", " ", s).strip()


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text)


ALIASES: dict[str, str] = {}
for _field, _names in _ALIASES_SRC.items():
    for _n in _names:
        ALIASES.setdefault(_norm(_n), _field)
        ALIASES.setdefault(_squash(_norm(_n)), _field)


def field_for_header(header: str) -> str | None:
    n = _norm(header)
    return ALIASES.get(n) or ALIASES.get(_squash(n))


def guess_mapping(headers: list[str]) -> dict[str, str | None]:
    """``{header: field key or None}``; each field is taken by the first header that names it."""
    out: dict[str, str | None] = {}
    taken: set[str] = set()
    for h in headers:
        f = field_for_header(h)
        if f is not None and (f in taken or re.search(r"\(\d+\)$", h.strip())):
            f = None  # a second "Name" column stays unmapped
        if f is not None:
            taken.add(f)
        out[h] = f
    return out


def guess_system(headers: list[str]) -> str | None:
    """"salesforce" or "hubspot" when the headers look like that CRM's export; None otherwise."""
    norm = {_squash(_norm(h)) for h in headers}
    if norm & {"recordid", "hsobjectid", "companydomainname", "companyname"}:
        return "hubspot"
    if norm & {"numberofemployees", "billingcity", "billingcountry", "parentid", "accountaccountname",
               "systemmodstamp", "masterrecordid", "isdeleted"}:
        return "salesforce"
    return None


def check_mapping(headers: list[str], mapping: dict[str, str | None], fields: Iterable[str],
                  identifying: set[str], need: str) -> list[str]:
    """Problems with a user's mapping (unknown headers or fields, a field mapped twice, nothing that identifies
    a record — ``need`` says what to map); empty when fine. Shared by the account and contact imports."""
    known = list(fields)
    problems = []
    seen: dict[str, str] = {}
    for h, f in mapping.items():
        if h not in headers:
            problems.append(f"no column {h!r} in the file")
        if f is None:
            continue
        if f not in known:
            problems.append(f"unknown field {f!r} for column {h!r}; fields: {', '.join(known)}")
        elif f in seen:
            problems.append(f"field {f!r} is mapped from both {seen[f]!r} and {h!r}")
        else:
            seen[f] = h
    if not identifying & set(seen):
        problems.append(need)
    return problems


def validate_mapping(headers: list[str], mapping: dict[str, str | None]) -> list[str]:
    return check_mapping(headers, mapping, FIELD_KEYS, {"name", "domain", "website"},
                         "map at least one of name, domain or website")


_OTHER_OBJECTS = {
    "opportunities": ({"stagename", "closedate", "dealstage", "deal stage", "close date", "amount"}, 2),
    "contacts": ({"firstname", "first name", "lastname", "last name", "email", "email address", "title"}, 3),
}


def object_hint(headers: list[str]) -> str | None:
    """A warning when the columns look like a CRM export of another object (opportunities, contacts)."""
    keys = {h.strip().lower() for h in headers}
    for what, (markers, needed) in _OTHER_OBJECTS.items():
        found = sorted(keys & markers)
        if len(found) >= needed:
            return (f"the columns ({', '.join(found)}) look like an export of {what}, not accounts; check the "
                    "mapping — each row becomes an account")
    return None
