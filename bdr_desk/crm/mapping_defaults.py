"""The default field mappings and picklist tables for HubSpot and Salesforce (standard objects and values).

Defaults follow HubSpot's own Salesforce integration: the CRM is the system of record for the funnel
(lifecycle stage: ``crm_wins``), firmographics go to whoever changed them last, identities (name, domain,
e-mail) prefer the CRM unless it is blank, BDR-owned facts (coverage) are pushed. Owners need a user ↔ owner
table first, so they start switched off.
"""

from __future__ import annotations

from bdr_desk.crm.mapping import FieldMap, ObjectMap, Picklist, SyncMapping


def _f(local: str, remote: str | dict[str, str], direction: str = "both", rule: str = "latest_wins") -> FieldMap:
    return FieldMap(local, remote, direction, rule)


def _both(to_remote: dict[str, str], extra_in: dict[str, str] | None = None, **kw: str | None) -> Picklist:
    """A table whose inward direction is the outward one inverted (first key wins), plus ``extra_in``."""
    to_local: dict[str, str] = {}
    for key, value in to_remote.items():
        to_local.setdefault(value, key)
    to_local.update(extra_in or {})
    return Picklist(dict(to_remote), to_local, **kw)


# ---- HubSpot ----------------------------------------------------------------------------------------------

HUBSPOT_INDUSTRY = _both({
    "software": "COMPUTER_SOFTWARE", "fintech": "FINANCIAL_SERVICES", "banking": "BANKING",
    "insurance": "INSURANCE", "healthcare": "HOSPITAL_HEALTH_CARE", "life_sciences": "PHARMACEUTICALS",
    "manufacturing": "MECHANICAL_OR_INDUSTRIAL_ENGINEERING", "retail": "RETAIL",
    "logistics": "LOGISTICS_AND_SUPPLY_CHAIN", "telecom": "TELECOMMUNICATIONS", "energy": "OIL_ENERGY",
    "media": "MEDIA_PRODUCTION", "education": "EDUCATION_MANAGEMENT",
    "professional_services": "MANAGEMENT_CONSULTING", "public_sector": "GOVERNMENT_ADMINISTRATION",
    "real_estate": "REAL_ESTATE", "hospitality": "HOSPITALITY", "consumer_goods": "CONSUMER_GOODS",
    "semiconductors": "SEMICONDUCTORS", "materials": "CHEMICALS",
}, {
    "INFORMATION_TECHNOLOGY_AND_SERVICES": "software", "INTERNET": "software", "COMPUTER_NETWORK_SECURITY": "software",
    "COMPUTER_GAMES": "software", "INVESTMENT_BANKING": "banking", "CAPITAL_MARKETS": "banking",
    "INVESTMENT_MANAGEMENT": "banking", "MEDICAL_DEVICES": "healthcare", "MEDICAL_PRACTICE": "healthcare",
    "BIOTECHNOLOGY": "life_sciences", "MACHINERY": "manufacturing", "INDUSTRIAL_AUTOMATION": "manufacturing",
    "AUTOMOTIVE": "manufacturing", "AVIATION_AEROSPACE": "manufacturing", "WHOLESALE": "retail",
    "PACKAGE_FREIGHT_DELIVERY": "logistics", "TRANSPORTATION_TRUCKING_RAILROAD": "logistics",
    "WAREHOUSING": "logistics", "MARITIME": "logistics", "WIRELESS": "telecom", "UTILITIES": "energy",
    "RENEWABLES_ENVIRONMENT": "energy", "BROADCAST_MEDIA": "media", "ENTERTAINMENT": "media",
    "PUBLISHING": "media", "ONLINE_MEDIA": "media", "HIGHER_EDUCATION": "education", "E_LEARNING": "education",
    "PRIMARY_SECONDARY_EDUCATION": "education", "ACCOUNTING": "professional_services",
    "LAW_PRACTICE": "professional_services", "LEGAL_SERVICES": "professional_services",
    "STAFFING_AND_RECRUITING": "professional_services", "GOVERNMENT_RELATIONS": "public_sector",
    "MILITARY": "public_sector", "COMMERCIAL_REAL_ESTATE": "real_estate", "LEISURE_TRAVEL_TOURISM": "hospitality",
    "RESTAURANTS": "hospitality", "FOOD_BEVERAGES": "consumer_goods", "APPAREL_FASHION": "consumer_goods",
    "COSMETICS": "consumer_goods", "CONSUMER_ELECTRONICS": "consumer_goods", "COMPUTER_HARDWARE": "semiconductors",
    "MINING_METALS": "materials", "PLASTICS": "materials", "PAPER_FOREST_PRODUCTS": "materials",
})
HUBSPOT_LIFECYCLE = _both({
    "lead": "lead", "mql": "marketingqualifiedlead", "sal": "marketingqualifiedlead",
    "sql": "salesqualifiedlead", "opportunity": "opportunity", "closed_won": "customer", "closed_lost": "other",
}, {"subscriber": "lead", "evangelist": "closed_won"})
HUBSPOT_ABM_STAGE = _both({
    "target": "lead", "researching": "lead", "engaged": "marketingqualifiedlead",
    "meeting_booked": "salesqualifiedlead", "opportunity": "opportunity", "won": "customer", "lost": "other",
    "nurture": "subscriber",
}, {"evangelist": "won"})
HUBSPOT_LEAD_STATUS = _both({
    "identified": "NEW", "contacted": "ATTEMPTED_TO_CONTACT", "engaged": "CONNECTED",
    "meeting_held": "IN_PROGRESS",
}, {"OPEN": "identified", "OPEN_DEAL": "meeting_held"})
HUBSPOT_ACTIVITY_TYPE = _both({  # the connector writes notes, tasks, calls and meetings
    "call": "calls", "email": "notes", "linkedin": "notes", "meeting": "meetings", "note": "notes",
    "task": "tasks", "event": "meetings",
})
HUBSPOT_DEAL_STAGE = _both({
    "discovery": "appointmentscheduled", "qualification": "qualifiedtobuy", "proposal": "presentationscheduled",
    "negotiation": "contractsent", "closed_won": "closedwon", "closed_lost": "closedlost",
}, {"decisionmakerboughtin": "proposal"})

_HS_SUBJECT = {"calls": "hs_call_title", "meetings": "hs_meeting_title", "tasks": "hs_task_subject"}
_HS_BODY = {"calls": "hs_call_body", "meetings": "hs_meeting_body", "tasks": "hs_task_body",
            "notes": "hs_note_body"}
_HS_ALL = ("calls", "meetings", "tasks", "notes")


def hubspot_default() -> SyncMapping:
    return SyncMapping("hubspot", {
        "account": ObjectMap("account", (
            _f("name", "name", rule="crm_unless_blank"), _f("domain", "domain", rule="crm_unless_blank"),
            _f("website", "website"), _f("industry", "industry"), _f("employees", "numberofemployees"),
            _f("annual_revenue", "annualrevenue"), _f("hq_city", "city"), _f("hq_region", "state"),
            _f("hq_country", "country"), _f("description", "description"),
            _f("abm_stage", "lifecyclestage", "none", "local_wins"),
            _f("owner_id", "hubspot_owner_id", "none", "crm_wins"),
        ), key="domain"),
        "contact": ObjectMap("contact", (
            _f("email", "email", rule="crm_unless_blank"), _f("first_name", "firstname"),
            _f("last_name", "lastname"), _f("title", "jobtitle"), _f("phone", "phone"),
            _f("lifecycle_stage", "lifecyclestage", rule="crm_wins"),
            _f("lead_source", "hs_analytics_source", "pull", "crm_wins"),
            _f("coverage_status", "hs_lead_status", "push", "local_wins"),
            _f("account_id", "@account", rule="crm_unless_blank"),
            _f("linkedin_url", "hs_linkedin_url", "none", "latest_wins"),
            _f("owner_id", "hubspot_owner_id", "none", "crm_wins"),
        ), key="email"),
        "activity": ObjectMap("activity", (
            _f("type", "@kind", "push", "local_wins"),
            _f("subject", _HS_SUBJECT, "push", "local_wins"), _f("body", _HS_BODY, "push", "local_wins"),
            _f("occurred_at", {k: "hs_timestamp" for k in _HS_ALL}, "push", "local_wins"),
            _f("completed", {"tasks": "hs_task_status"}, "push", "local_wins"),
            _f("direction", {"calls": "hs_call_direction"}, "push", "local_wins"),
            _f("due_at", {}, "none", "dont_sync"), _f("outcome", {}, "none", "dont_sync"),
            _f("account_id", {k: "@account" for k in _HS_ALL}, "push", "local_wins"),
            _f("contact_id", {k: "@contact" for k in _HS_ALL}, "push", "local_wins"),
        )),
        "opportunity": ObjectMap("opportunity", (
            _f("name", "dealname", "pull", "crm_wins"), _f("amount", "amount", "pull", "crm_wins"),
            _f("stage", "dealstage", "pull", "crm_wins"), _f("close_date", "closedate", "pull", "crm_wins"),
            _f("opened_on", "createdate", "pull", "crm_wins"),
            _f("currency", "deal_currency_code", "pull", "crm_wins"),
            _f("is_won", "hs_is_closed_won", "pull", "crm_wins"), _f("is_closed", "hs_is_closed", "pull", "crm_wins"),
            _f("account_id", "@account", "pull", "crm_wins"),
        )),
    }, {
        "industry": HUBSPOT_INDUSTRY, "lifecycle_stage": HUBSPOT_LIFECYCLE, "abm_stage": HUBSPOT_ABM_STAGE,
        "lead_status": HUBSPOT_LEAD_STATUS, "activity_type": HUBSPOT_ACTIVITY_TYPE,
        "opportunity_stage": HUBSPOT_DEAL_STAGE,
        "task_status": Picklist({"true": "COMPLETED", "false": "NOT_STARTED"},
                                {"COMPLETED": "true", "NOT_STARTED": "false", "IN_PROGRESS": "false",
                                 "WAITING": "false", "DEFERRED": "false"}),
        "call_direction": _both({"inbound": "INBOUND", "outbound": "OUTBOUND"}),
        "owner": Picklist({}, {}),
    })


# ---- Salesforce -------------------------------------------------------------------------------------------

SALESFORCE_INDUSTRY = _both({
    "software": "Technology", "fintech": "Finance", "banking": "Banking", "insurance": "Insurance",
    "healthcare": "Healthcare", "life_sciences": "Biotechnology", "manufacturing": "Manufacturing",
    "retail": "Retail", "logistics": "Transportation", "telecom": "Telecommunications", "energy": "Energy",
    "media": "Media", "education": "Education", "professional_services": "Consulting",
    "public_sector": "Government", "real_estate": "Other", "hospitality": "Hospitality",
    "consumer_goods": "Food & Beverage", "semiconductors": "Electronics", "materials": "Chemicals",
}, {
    "Apparel": "consumer_goods", "Communications": "telecom", "Engineering": "manufacturing",
    "Machinery": "manufacturing", "Construction": "real_estate", "Entertainment": "media",
    "Recreation": "hospitality", "Shipping": "logistics", "Utilities": "energy", "Environmental": "energy",
})
SALESFORCE_STAGE = _both({
    "discovery": "Prospecting", "qualification": "Qualification", "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review", "closed_won": "Closed Won", "closed_lost": "Closed Lost",
}, {"Needs Analysis": "qualification", "Value Proposition": "proposal", "Id. Decision Makers": "proposal",
    "Perception Analysis": "proposal"})
SALESFORCE_ACTIVITY_TYPE = _both({
    "call": "Task", "email": "Task", "linkedin": "Task", "note": "Task", "task": "Task", "meeting": "Event",
    "event": "Event",
})


def salesforce_default() -> SyncMapping:
    return SyncMapping("salesforce", {
        "account": ObjectMap("account", (
            _f("name", "Name", rule="crm_unless_blank"), _f("domain", "Website", rule="crm_unless_blank"),
            _f("website", "Website", "none", "dont_sync"), _f("industry", "Industry"),
            _f("employees", "NumberOfEmployees"), _f("annual_revenue", "AnnualRevenue"),
            _f("hq_city", "BillingCity"), _f("hq_region", "BillingState"), _f("hq_country", "BillingCountry"),
            _f("description", "Description"), _f("abm_stage", "", "none", "dont_sync"),
            _f("owner_id", "OwnerId", "none", "crm_wins"),
        ), key="Website"),
        "contact": ObjectMap("contact", (
            _f("email", "Email", rule="crm_unless_blank"), _f("first_name", "FirstName"),
            _f("last_name", "LastName"), _f("title", "Title"), _f("phone", "Phone"),
            _f("lead_source", "LeadSource", rule="crm_wins"),
            _f("account_id", "AccountId", rule="crm_unless_blank"),
            _f("lifecycle_stage", "", "none", "dont_sync"), _f("coverage_status", "", "none", "dont_sync"),
            _f("owner_id", "OwnerId", "none", "crm_wins"),
        ), key="Email", defaults={"*": {"LastName": "[not provided]"}}),
        "activity": ObjectMap("activity", (
            _f("type", "@kind", "push", "local_wins"),
            _f("subject", {"Task": "Subject", "Event": "Subject"}, "push", "local_wins"),
            _f("body", {"Task": "Description", "Event": "Description"}, "push", "local_wins"),
            _f("occurred_at", {"Task": "ActivityDate:date", "Event": "ActivityDateTime"}, "push", "local_wins"),
            _f("completed", {"Task": "Status"}, "push", "local_wins"),
            _f("account_id", {"Task": "WhatId", "Event": "WhatId"}, "push", "local_wins"),
            _f("contact_id", {"Task": "WhoId", "Event": "WhoId"}, "push", "local_wins"),
            _f("due_at", {}, "none", "dont_sync"), _f("direction", {}, "none", "dont_sync"),
            _f("outcome", {}, "none", "dont_sync"),
        ), defaults={"Event": {"DurationInMinutes": 30}}),
        "opportunity": ObjectMap("opportunity", (
            _f("name", "Name", "pull", "crm_wins"), _f("amount", "Amount", "pull", "crm_wins"),
            _f("stage", "StageName", "pull", "crm_wins"), _f("close_date", "CloseDate", "pull", "crm_wins"),
            _f("opened_on", "CreatedDate", "pull", "crm_wins"), _f("lead_source", "LeadSource", "pull", "crm_wins"),
            _f("is_won", "IsWon", "pull", "crm_wins"), _f("is_closed", "IsClosed", "pull", "crm_wins"),
            _f("account_id", "AccountId", "pull", "crm_wins"),
        )),
    }, {
        "industry": SALESFORCE_INDUSTRY, "opportunity_stage": SALESFORCE_STAGE,
        "activity_type": SALESFORCE_ACTIVITY_TYPE,
        "task_status": Picklist({"true": "Completed", "false": "Not Started"},
                                {"Completed": "true", "Not Started": "false", "In Progress": "false",
                                 "Waiting on someone else": "false", "Deferred": "false"}),
        "lifecycle_stage": Picklist({}, {}), "abm_stage": Picklist({}, {}), "lead_status": Picklist({}, {}),
        "call_direction": Picklist({}, {}), "owner": Picklist({}, {}),
    })


DEFAULTS = {"hubspot": hubspot_default, "salesforce": salesforce_default}


def default_mapping(system: str) -> SyncMapping:
    try:
        return DEFAULTS[system]()
    except KeyError:
        raise ValueError(f"unknown CRM {system!r}; expected one of {', '.join(DEFAULTS)}") from None
