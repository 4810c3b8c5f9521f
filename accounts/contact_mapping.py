"""Which columns of a contacts file mean what (HubSpot, Salesforce and plain headers), and which e-mail
domains say nothing about the employer (free mail)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from accounts.column_mapping import check_mapping
from accounts.import_results import ImportOptions

VALUE_FIELDS = ("first_name", "last_name", "email", "title", "phone", "linkedin_url", "buying_role", "influence",
                "sentiment", "notes")


FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "gmx.com",
    "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "mail.com", "zoho.com", "yandex.com", "yandex.ru",
    "mail.ru", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "libero.it", "qq.com", "163.com",
})
_FREE_PREFIXES = ("gmx.", "yahoo.", "hotmail.", "outlook.", "live.")

CONTACT_FIELDS: dict[str, str] = {
    "first_name": "First name", "last_name": "Last name", "full_name": "Full name", "email": "E-mail",
    "title": "Job title", "phone": "Phone", "linkedin_url": "LinkedIn URL", "account_name": "Company / account name",
    "account_domain": "Company domain or website", "account_external_id": "Account CRM id",
    "external_id": "Contact CRM id", "reports_to": "Reports to (name, e-mail or CRM id)",
    "buying_role": "Buying role", "influence": "Influence (1-5)", "sentiment": "Sentiment", "notes": "Notes",
}
_ALIASES_SRC = {
    "first_name": ("first name", "firstname", "given name", "vorname", "prenom", "nombre"),
    "last_name": ("last name", "lastname", "surname", "family name", "nachname", "nom", "apellido"),
    "full_name": ("name", "full name", "contact name", "contact", "fullname"),
    "email": ("email", "e-mail", "email address", "e-mail address", "work email", "business email", "mail"),
    "title": ("title", "job title", "jobtitle", "position", "role title", "job", "designation", "funktion"),
    "phone": ("phone", "phone number", "mobile", "mobile phone", "mobile phone number", "mobilephone",
              "telephone", "work phone", "direct phone", "telefon"),
    "linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "linkedin profile url", "person linkedin url"),
    "account_name": ("company", "company name", "associated company", "account name", "account", "organization",
                     "organisation", "employer", "account: account name", "firma", "entreprise", "empresa"),
    "account_domain": ("company domain", "company domain name", "domain", "website", "company website",
                       "account website", "account domain"),
    "account_external_id": ("accountid", "account id", "associated company id", "company id",
                            "associated company ids", "account: account id"),
    "external_id": ("id", "record id", "contact id", "contactid", "hs object id", "salesforce id", "crm id"),
    "reports_to": ("reports to", "reportstoid", "reports to id", "manager", "manager email", "manager name",
                   "reports to email", "reports to name", "reportsto", "supervisor"),
    "buying_role": ("buying role", "buyer role", "committee role", "contact role"),
    "influence": ("influence",),
    "sentiment": ("sentiment", "support", "support level"),
    "notes": ("notes", "description", "comments"),
}


def _key(header: str) -> str:
    s = re.sub(r"\s*\(\d+\)$", "", header.strip().lower().replace("_", " "))
    return re.sub(r"[^a-z0-9]", "", re.sub(r"__c$", "", s))


_ALIASES = {_key(a): f for f, names in _ALIASES_SRC.items() for a in names}


def guess_contact_mapping(headers: list[str]) -> dict[str, str | None]:
    """``{header: contact field or None}`` for HubSpot, Salesforce and plain exports; first header wins."""
    out: dict[str, str | None] = {}
    taken: set[str] = set()
    for h in headers:
        f = _ALIASES.get(_key(h))
        if f in taken:
            f = None
        if f:
            taken.add(f)
        out[h] = f
    return out


def validate_contact_mapping(headers: list[str], mapping: dict[str, str | None]) -> list[str]:
    return check_mapping(headers, mapping, CONTACT_FIELDS, {"email", "first_name", "last_name", "full_name"},
                         "map an e-mail or a name column")


@dataclass
class ContactImportOptions(ImportOptions):
    create_accounts: bool = False  # a row whose account is not found creates it (from company name / domain)


def is_free_mail(domain: str | None) -> bool:
    return bool(domain) and (domain in FREE_MAIL or domain.startswith(_FREE_PREFIXES))


def contact_system(headers: list[str]) -> str | None:
    keys = {_key(h) for h in headers}
    if keys & {"reportstoid", "accountid", "firstname", "lastname"} and any(h.isupper() for h in headers):
        return "salesforce"
    if keys & {"associatedcompany", "associatedcompanyid", "hsobjectid", "recordid"}:
        return "hubspot"
    return None
