"""The fake HubSpot's portal schema: object type names and aliases, association type ids, the default
property definitions of each object type (with HubSpot's enumeration options), and time helpers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

TOKEN = "pat-na1-11111111-2222-3333-4444-fake0token0"
ALIASES = {"companies": "companies", "company": "companies", "0-2": "companies",
           "contacts": "contacts", "contact": "contacts", "0-1": "contacts",
           "deals": "deals", "deal": "deals", "0-3": "deals",
           "notes": "notes", "note": "notes", "0-46": "notes",
           "tasks": "tasks", "task": "tasks", "0-27": "tasks",
           "calls": "calls", "call": "calls", "0-48": "calls",
           "meetings": "meetings", "meeting": "meetings", "0-47": "meetings"}
ENGAGEMENTS = ("notes", "tasks", "calls", "meetings")
ASSOC_TYPE_IDS = {("contacts", "companies"): 279, ("companies", "contacts"): 280, ("deals", "companies"): 341,
                  ("companies", "deals"): 342, ("deals", "contacts"): 3, ("contacts", "deals"): 4,
                  ("notes", "contacts"): 202, ("notes", "companies"): 190, ("notes", "deals"): 214,
                  ("tasks", "contacts"): 204, ("tasks", "companies"): 192, ("calls", "contacts"): 194,
                  ("calls", "companies"): 182, ("meetings", "contacts"): 200, ("meetings", "companies"): 188}
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal", "notes": "note", "tasks": "task",
            "calls": "call", "meetings": "meeting"}


def _p(name: str, label: str, type_: str = "string", options: tuple[str, ...] = (), read_only: bool = False,
       unique: bool = False) -> dict[str, Any]:
    field_type = {"enumeration": "select", "number": "number", "date": "date", "datetime": "date",
                  "bool": "booleancheckbox"}.get(type_, "text")
    return {"name": name, "label": label, "type": type_, "fieldType": field_type, "description": "",
            "groupName": "info", "options": [{"label": o.replace("_", " ").title(), "value": o,
                                              "displayOrder": n, "hidden": False} for n, o in enumerate(options)],
            "hidden": False, "calculated": False, "hasUniqueValue": unique, "formField": not read_only,
            "modificationMetadata": {"archivable": not read_only, "readOnlyDefinition": read_only,
                                     "readOnlyValue": read_only}}


INDUSTRIES = tuple("""
ACCOUNTING AIRLINES_AVIATION ALTERNATIVE_DISPUTE_RESOLUTION ALTERNATIVE_MEDICINE ANIMATION APPAREL_FASHION
ARCHITECTURE_PLANNING ARTS_AND_CRAFTS AUTOMOTIVE AVIATION_AEROSPACE BANKING BIOTECHNOLOGY BROADCAST_MEDIA
BUILDING_MATERIALS BUSINESS_SUPPLIES_AND_EQUIPMENT CAPITAL_MARKETS CHEMICALS CIVIC_SOCIAL_ORGANIZATION
CIVIL_ENGINEERING COMMERCIAL_REAL_ESTATE COMPUTER_NETWORK_SECURITY COMPUTER_GAMES COMPUTER_HARDWARE
COMPUTER_NETWORKING COMPUTER_SOFTWARE INTERNET CONSTRUCTION CONSUMER_ELECTRONICS CONSUMER_GOODS CONSUMER_SERVICES
COSMETICS DAIRY DEFENSE_SPACE DESIGN EDUCATION_MANAGEMENT E_LEARNING ELECTRICAL_ELECTRONIC_MANUFACTURING
ENTERTAINMENT ENVIRONMENTAL_SERVICES EVENTS_SERVICES EXECUTIVE_OFFICE FACILITIES_SERVICES FARMING
FINANCIAL_SERVICES FINE_ART FISHERY FOOD_BEVERAGES FOOD_PRODUCTION FUND_RAISING FURNITURE GAMBLING_CASINOS
GLASS_CERAMICS_CONCRETE GOVERNMENT_ADMINISTRATION GOVERNMENT_RELATIONS GRAPHIC_DESIGN HEALTH_WELLNESS_AND_FITNESS
HIGHER_EDUCATION HOSPITAL_HEALTH_CARE HOSPITALITY HUMAN_RESOURCES IMPORT_AND_EXPORT INDIVIDUAL_FAMILY_SERVICES
INDUSTRIAL_AUTOMATION INFORMATION_SERVICES INFORMATION_TECHNOLOGY_AND_SERVICES INSURANCE INTERNATIONAL_AFFAIRS
INTERNATIONAL_TRADE_AND_DEVELOPMENT INVESTMENT_BANKING INVESTMENT_MANAGEMENT JUDICIARY LAW_ENFORCEMENT LAW_PRACTICE
LEGAL_SERVICES LEGISLATIVE_OFFICE LEISURE_TRAVEL_TOURISM LIBRARIES LOGISTICS_AND_SUPPLY_CHAIN LUXURY_GOODS_JEWELRY
MACHINERY MANAGEMENT_CONSULTING MARITIME MARKET_RESEARCH MARKETING_AND_ADVERTISING
MECHANICAL_OR_INDUSTRIAL_ENGINEERING MEDIA_PRODUCTION MEDICAL_DEVICES MEDICAL_PRACTICE MENTAL_HEALTH_CARE MILITARY
MINING_METALS MOBILE_GAMES MOTION_PICTURES_AND_FILM MUSEUMS_AND_INSTITUTIONS MUSIC NANOTECHNOLOGY NEWSPAPERS
NON_PROFIT_ORGANIZATION_MANAGEMENT OIL_ENERGY ONLINE_MEDIA OUTSOURCING_OFFSHORING PACKAGE_FREIGHT_DELIVERY
PACKAGING_AND_CONTAINERS PAPER_FOREST_PRODUCTS PERFORMING_ARTS PHARMACEUTICALS PHILANTHROPY PHOTOGRAPHY PLASTICS
POLITICAL_ORGANIZATION PRIMARY_SECONDARY_EDUCATION PRINTING PROFESSIONAL_TRAINING_COACHING PROGRAM_DEVELOPMENT
PUBLIC_POLICY PUBLIC_RELATIONS_AND_COMMUNICATIONS PUBLIC_SAFETY PUBLISHING RAILROAD_MANUFACTURE RANCHING REAL_ESTATE
RECREATIONAL_FACILITIES_AND_SERVICES RELIGIOUS_INSTITUTIONS RENEWABLES_ENVIRONMENT RESEARCH RESTAURANTS RETAIL
SECURITY_AND_INVESTIGATIONS SEMICONDUCTORS SHIPBUILDING SPORTING_GOODS SPORTS STAFFING_AND_RECRUITING SUPERMARKETS
TELECOMMUNICATIONS TEXTILES THINK_TANKS TOBACCO TRANSLATION_AND_LOCALIZATION TRANSPORTATION_TRUCKING_RAILROAD
UTILITIES VENTURE_CAPITAL_PRIVATE_EQUITY VETERINARY WAREHOUSING WHOLESALE WINE_AND_SPIRITS WIRELESS
WRITING_AND_EDITING""".split())  # HubSpot's default industry options
SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS", "OTHER_CAMPAIGNS",
           "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL", "AI_REFERRALS")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK")
LIFECYCLE = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
             "evangelist", "other")
DEAL_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
               "contractsent", "closedwon", "closedlost")


def _system(mod: str) -> list[dict[str, Any]]:
    return [_p("hs_object_id", "Record ID", "number", read_only=True, unique=True),
            _p("createdate", "Create date", "datetime", read_only=True),
            _p(mod, "Last modified date", "datetime", read_only=True)]


PROPERTIES: dict[str, list[dict[str, Any]]] = {
    "companies": _system("hs_lastmodifieddate") + [
        _p("name", "Company name"), _p("domain", "Company domain name"), _p("website", "Website URL"),
        _p("industry", "Industry", "enumeration", INDUSTRIES), _p("city", "City"), _p("state", "State/Region"),
        _p("country", "Country/Region"), _p("phone", "Phone number", "phone_number"),
        _p("numberofemployees", "Number of employees", "number"),
        _p("annualrevenue", "Annual revenue", "number"), _p("description", "Description"),
        _p("lifecyclestage", "Lifecycle stage", "enumeration", LIFECYCLE),
        _p("hubspot_owner_id", "Company owner", "enumeration"),
        _p("hs_parent_company_id", "Parent company", "number", read_only=True)],
    "contacts": _system("lastmodifieddate") + [
        _p("email", "Email", unique=True), _p("firstname", "First name"), _p("lastname", "Last name"),
        _p("jobtitle", "Job title"), _p("phone", "Phone number", "phone_number"), _p("company", "Company name"),
        _p("lifecyclestage", "Lifecycle stage", "enumeration", LIFECYCLE),
        _p("hs_lead_status", "Lead status", "enumeration",
           ("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED",
            "BAD_TIMING")),
        _p("hubspot_owner_id", "Contact owner", "enumeration"), _p("city", "City"), _p("country", "Country"),
        _p("hs_linkedin_url", "LinkedIn URL"),
        _p("hs_analytics_source", "Original source", "enumeration", SOURCES, read_only=True)],
    "deals": _system("hs_lastmodifieddate") + [
        _p("dealname", "Deal name"), _p("amount", "Amount", "number"),
        _p("dealstage", "Deal stage", "enumeration", DEAL_STAGES), _p("pipeline", "Pipeline", "enumeration",
                                                                       ("default",)),
        _p("closedate", "Close date", "datetime"), _p("hubspot_owner_id", "Deal owner", "enumeration"),
        _p("deal_currency_code", "Currency", "enumeration", CURRENCIES),
        _p("hs_is_closed", "Is closed", "bool", ("true", "false"), read_only=True),
        _p("hs_is_closed_won", "Is closed won", "bool", ("true", "false"), read_only=True)],
    "notes": _system("hs_lastmodifieddate") + [
        _p("hs_timestamp", "Activity date", "datetime"), _p("hs_note_body", "Note body"),
        _p("hubspot_owner_id", "Activity assigned to", "enumeration")],
    "tasks": _system("hs_lastmodifieddate") + [
        _p("hs_timestamp", "Due date", "datetime"), _p("hs_task_subject", "Task title"),
        _p("hs_task_body", "Notes"), _p("hs_task_status", "Task status", "enumeration",
                                        ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")),
        _p("hs_task_priority", "Priority", "enumeration", ("LOW", "MEDIUM", "HIGH", "NONE")),
        _p("hs_task_type", "Task type", "enumeration", ("CALL", "EMAIL", "TODO", "LINKED_IN")),
        _p("hubspot_owner_id", "Assigned to", "enumeration")],
    "calls": _system("hs_lastmodifieddate") + [
        _p("hs_timestamp", "Activity date", "datetime"), _p("hs_call_title", "Call title"),
        _p("hs_call_body", "Call notes"), _p("hs_call_direction", "Call direction", "enumeration",
                                             ("INBOUND", "OUTBOUND")),
        _p("hs_call_duration", "Call duration", "number"), _p("hs_call_status", "Call status", "enumeration",
                                                              ("BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED",
                                                               "CONNECTING", "FAILED", "IN_PROGRESS",
                                                               "NO_ANSWER", "QUEUED", "RINGING")),
        _p("hubspot_owner_id", "Activity assigned to", "enumeration")],
    "meetings": _system("hs_lastmodifieddate") + [
        _p("hs_timestamp", "Activity date", "datetime"), _p("hs_meeting_title", "Meeting name"),
        _p("hs_meeting_body", "Meeting description"), _p("hs_meeting_start_time", "Start time", "datetime"),
        _p("hs_meeting_end_time", "End time", "datetime"),
        _p("hs_meeting_outcome", "Outcome", "enumeration", ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW",
                                                            "CANCELED")),
        _p("hubspot_owner_id", "Activity assigned to", "enumeration")],
}
DEFAULT_PROPERTIES = {"companies": ("name", "domain"), "contacts": ("email", "firstname", "lastname"),
                      "deals": ("dealname", "amount", "dealstage", "pipeline", "closedate"),
                      "notes": ("hs_timestamp",), "tasks": ("hs_timestamp", "hs_task_subject"),
                      "calls": ("hs_timestamp",), "meetings": ("hs_timestamp",)}


def modified_property(hs_type: str) -> str:
    return "lastmodifieddate" if hs_type == "contacts" else "hs_lastmodifieddate"


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_ms(value: Any) -> int | None:
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)
