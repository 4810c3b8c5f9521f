"""The fake Salesforce's org schema: sObjects and their fields (types, lengths, picklists, references),
required fields, id key prefixes and the 18-character checksum, Salesforce's timestamp format.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

UTC = dt.UTC


@dataclass(frozen=True)
class F:
    name: str
    type: str  # id, string, textarea, email, url, phone, picklist, reference, int, double, currency, percent,
    #            date, datetime, boolean
    label: str = ""
    length: int = 255
    createable: bool = True
    updateable: bool = True
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: str | None = None
    default: Any = None


def _sys(*extra: F) -> list[F]:
    return [F("Id", "id", "Record ID", 18, False, False),
            F("IsDeleted", "boolean", "Deleted", 0, False, False),
            F("CreatedDate", "datetime", "Created Date", 0, False, False),
            F("LastModifiedDate", "datetime", "Last Modified Date", 0, False, False),
            F("SystemModstamp", "datetime", "System Modstamp", 0, False, False),
            F("OwnerId", "reference", "Owner ID", 18, True, True, reference_to="User"), *extra]


INDUSTRIES = ("Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
              "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
              "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
              "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
              "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
              "Utilities", "Other")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
          "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost")

SCHEMA: dict[str, list[F]] = {
    "Account": _sys(
        F("Name", "string", "Account Name"), F("Website", "url", "Website"),
        F("Industry", "picklist", "Industry", 40, picklist=INDUSTRIES),
        F("Type", "picklist", "Account Type", 40,
          picklist=("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other")),
        F("NumberOfEmployees", "int", "Employees", 0), F("AnnualRevenue", "currency", "Annual Revenue", 0),
        F("Phone", "phone", "Account Phone", 40), F("BillingCity", "string", "Billing City", 40),
        F("BillingState", "string", "Billing State/Province", 80),
        F("BillingCountry", "string", "Billing Country", 80),
        F("Description", "textarea", "Description", 32000),
        F("ParentId", "reference", "Parent Account ID", 18, reference_to="Account")),
    "Contact": _sys(
        F("FirstName", "string", "First Name", 40), F("LastName", "string", "Last Name", 80),
        F("Email", "email", "Email", 80), F("Title", "string", "Title", 128),
        F("Phone", "phone", "Business Phone", 40), F("Department", "string", "Department", 80),
        F("LeadSource", "picklist", "Lead Source", 40, picklist=LEAD_SOURCES),
        F("AccountId", "reference", "Account ID", 18, reference_to="Account"),
        F("ReportsToId", "reference", "Reports To ID", 18, reference_to="Contact")),
    "Task": _sys(
        F("Subject", "string", "Subject"), F("Description", "textarea", "Comments", 32000),
        F("Status", "picklist", "Status", 40, restricted=True, default="Not Started",
          picklist=("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")),
        F("Priority", "picklist", "Priority", 40, picklist=("High", "Normal", "Low"), restricted=True,
          default="Normal"),
        F("TaskSubtype", "picklist", "Task Subtype", 40, picklist=("Task", "Email", "Call", "LinkedIn"),
          default="Task", updateable=False),
        F("ActivityDate", "date", "Due Date Only", 0),
        F("WhoId", "reference", "Name ID", 18, reference_to="Contact"),
        F("WhatId", "reference", "Related To ID", 18, reference_to="Account,Opportunity")),
    "Event": _sys(
        F("Subject", "string", "Subject"), F("Description", "textarea", "Description", 32000),
        F("ActivityDateTime", "datetime", "Due Date Time", 0), F("DurationInMinutes", "int", "Duration", 0),
        F("Type", "picklist", "Type", 40, picklist=("Call", "Email", "Meeting", "Other")),
        F("WhoId", "reference", "Name ID", 18, reference_to="Contact"),
        F("WhatId", "reference", "Related To ID", 18, reference_to="Account,Opportunity")),
    "Opportunity": _sys(
        F("Name", "string", "Name", 120),
        F("StageName", "picklist", "Stage", 255, picklist=STAGES, restricted=True),
        F("Amount", "currency", "Amount", 0), F("CloseDate", "date", "Close Date", 0),
        F("Probability", "percent", "Probability (%)", 0),
        F("LeadSource", "picklist", "Lead Source", 40, picklist=LEAD_SOURCES),
        F("IsClosed", "boolean", "Closed", 0, False, False), F("IsWon", "boolean", "Won", 0, False, False),
        F("AccountId", "reference", "Account ID", 18, reference_to="Account")),
}
REQUIRED = {"Account": ("Name",), "Contact": ("LastName",), "Task": (), "Event": ("ActivityDateTime",
                                                                                  "DurationInMinutes"),
            "Opportunity": ("Name", "StageName", "CloseDate")}
PREFIXES = {"Account": "001", "Contact": "003", "Opportunity": "006", "Task": "00T", "Event": "00U",
            "User": "005"}
TYPE_BY_PREFIX = {v: k for k, v in PREFIXES.items()}
OWNER_ID = "005Dn000001FaKeIAC"
TEXT_TYPES = {"id", "string", "textarea", "email", "url", "phone", "picklist", "reference"}
NUMBER_TYPES = {"int", "double", "currency", "percent"}
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ID_PATTERN = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")


def fields_of(sobject: str) -> dict[str, F]:
    return {f.name.lower(): f for f in SCHEMA[sobject]}


def checksum(id15: str) -> str:
    out = ""
    for i in range(3):
        bits = sum(1 << j for j, c in enumerate(id15[i * 5:i * 5 + 5]) if "A" <= c <= "Z")
        out += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + out


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value)) and (len(value) == 15 or checksum(value[:15]) == value)


def sf_datetime(value: dt.datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_sf_datetime(text: str) -> dt.datetime:
    text = text.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def json_dt(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return sf_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
