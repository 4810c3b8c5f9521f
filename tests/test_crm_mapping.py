"""Field mapping: defaults, validation, storage and editing, picklist translation, values and the merge rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bdr_desk.crm.connector import RemoteField
from bdr_desk.crm.mapping import FieldMap, Picklist, Translator, Unmapped
from bdr_desk.crm.mapping_defaults import default_mapping
from bdr_desk.crm.mapping_store import (
    MappingError,
    load_mapping,
    reset_mapping,
    save_mapping,
    set_delete_policies,
    set_field,
    set_picklist_fallback,
    set_picklist_value,
    validate_mapping,
)
from bdr_desk.crm.merge import decide
from bdr_desk.crm.values import ValueProblem, canonical, to_remote
from bdr_desk.taxonomy import Taxonomy, Term


def taxonomy() -> Taxonomy:
    industries = ["software", "fintech", "banking", "insurance", "healthcare", "life_sciences", "manufacturing",
                  "retail", "logistics", "telecom", "energy", "media", "education", "professional_services",
                  "public_sector", "real_estate", "hospitality", "consumer_goods", "semiconductors", "materials"]
    labels = {"fintech": "Fintech", "software": "Software & SaaS", "banking": "Banking & Capital Markets"}
    return Taxonomy({
        "industry": [Term("industry", k, labels.get(k, k.title())) for k in industries],
        "funnel_stage": [Term("funnel_stage", k, k.upper()) for k in
                         ("lead", "mql", "sal", "sql", "opportunity", "closed_won", "closed_lost")],
        "abm_stage": [Term("abm_stage", k, k) for k in ("target", "researching", "engaged", "meeting_booked",
                                                        "opportunity", "won", "lost", "nurture")],
    })


def obj_field(mapping, object_type, local):
    return mapping.objects[object_type].field(local)


@pytest.mark.parametrize("system", ["hubspot", "salesforce"])
def test_defaults_are_valid(system):
    mapping = default_mapping(system)
    assert validate_mapping(mapping, taxonomy()) == []
    assert {f.local for f in mapping.pulled("opportunity")} >= {"name", "amount", "stage", "close_date"}
    assert all(f.direction in ("push", "none") for f in mapping.objects["activity"].fields)


def test_defaults_name_the_brief_properties():
    hs, sf = default_mapping("hubspot"), default_mapping("salesforce")
    assert {n for f in hs.objects["account"].fields for n in f.remote_names()} >= {
        "name", "domain", "industry", "numberofemployees", "annualrevenue", "city", "country", "state",
        "lifecyclestage", "hubspot_owner_id"}
    assert {n for f in hs.objects["contact"].fields for n in f.remote_names()} >= {
        "email", "firstname", "lastname", "jobtitle", "phone", "lifecyclestage", "hs_lead_status", "@account"}
    assert {n for f in hs.objects["opportunity"].fields for n in f.remote_names()} >= {
        "dealname", "amount", "dealstage", "closedate"}
    assert {n for f in sf.objects["account"].fields for n in f.remote_names()} >= {
        "Name", "Website", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingCity", "BillingCountry"}
    assert {n for f in sf.objects["contact"].fields for n in f.remote_names()} >= {
        "Email", "FirstName", "LastName", "Title", "Phone", "AccountId", "LeadSource"}
    assert {n for f in sf.objects["opportunity"].fields for n in f.remote_names()} >= {
        "Name", "Amount", "StageName", "CloseDate", "IsWon", "IsClosed", "LeadSource"}


def test_validation_finds_every_problem():
    m = default_mapping("hubspot")
    account = m.objects["account"]
    bad_fields = (*account.fields, FieldMap("shoe_size", "shoe"), FieldMap("name", "company_name"),
                  FieldMap("hq_city", "city2", "sideways"), FieldMap("description", "about", "both", "coin_flip"))
    m2 = replace(m, objects={**m.objects, "account": replace(account, fields=bad_fields),
                             "activity": replace(m.objects["activity"], fields=(
                                 *m.objects["activity"].fields[:1], FieldMap("subject", "hs_task_subject", "pull"))),
                             "opportunity": replace(m.objects["opportunity"], fields=(
                                 FieldMap("name", "dealname", "push"),))},
                 picklists={**m.picklists, "industry": Picklist({"crypto": "CRYPTO"}, {"BANKING": "bankz"}),
                            "colours": Picklist({}, {})},
                 remote_deletes="shred")
    problems = "\n".join(validate_mapping(m2, taxonomy()))
    for expected in ("account.shoe_size: not a field", "account.name: mapped twice", "direction 'sideways'",
                     "rule 'coin_flip'", "activity fields sync push or none only, not pull",
                     "opportunity fields sync pull or none only, not push", "'crypto' is not one of our industry",
                     "'BANKING' translates to unknown key 'bankz'", "picklist 'colours' is unknown",
                     "remote deletes: 'shred'"):
        assert expected in problems, expected


def test_validation_against_the_crm_fields():
    m = default_mapping("hubspot")
    remote = {"account": [RemoteField("name", "Name", "string"), RemoteField("domain", "Domain", "string"),
                          RemoteField("industry", "Industry", "enumeration", ("COMPUTER_SOFTWARE", "BANKING")),
                          RemoteField("numberofemployees", "Employees", "number", read_only=True)]}
    problems = "\n".join(validate_mapping(m, taxonomy(), remote))
    assert "account.website: hubspot has no property 'website'" in problems
    assert "property numberofemployees is read-only" in problems
    assert "fintech → 'FINANCIAL_SERVICES' is not an option of hubspot industry" in problems
    assert "account.name" not in problems


def test_store_load_edit_and_reset(workspace):
    with workspace.session() as s:
        assert load_mapping(s, "hubspot") == default_mapping("hubspot")
        set_field(s, "hubspot", "account", "hq_city", rule="crm_wins")
        set_field(s, "hubspot", "account", "website", rule="dont_sync")
        set_picklist_value(s, "hubspot", "industry", "fintech", "BANKING", direction="push")
        set_picklist_fallback(s, "hubspot", "industry", local="software")
        set_delete_policies(s, "hubspot", remote="delete", local="unlink")
    with workspace.session() as s:
        m = load_mapping(s, "hubspot")
        assert obj_field(m, "account", "hq_city").rule == "crm_wins"
        assert obj_field(m, "account", "website").direction == "none"
        assert m.picklists["industry"].to_remote["fintech"] == "BANKING"
        assert m.picklists["industry"].to_local["FINANCIAL_SERVICES"] == "fintech"  # push only: unchanged
        assert m.picklists["industry"].fallback_local == "software"
        assert (m.remote_deletes, m.local_deletes) == ("delete", "unlink")
        assert load_mapping(s, "salesforce") == default_mapping("salesforce")
        with pytest.raises(MappingError) as err:
            set_field(s, "hubspot", "opportunity", "amount", direction="push")
        assert "opportunity fields sync pull or none only" in str(err.value)
        with pytest.raises(MappingError):
            set_picklist_value(s, "hubspot", "industry", "not_an_industry", "X")
    with workspace.session() as s:  # a refused edit stored nothing
        assert obj_field(load_mapping(s, "hubspot"), "opportunity", "amount").direction == "pull"
        assert reset_mapping(s, "hubspot") == default_mapping("hubspot")
    with workspace.session() as s:
        assert load_mapping(s, "hubspot") == default_mapping("hubspot")


def test_save_validates_against_the_workspace_taxonomy(workspace):
    from bdr_desk.taxonomy import add_term

    with workspace.session() as s:
        add_term(s, "industry", "Aerospace & Defence", key="aerospace")
        m = default_mapping("hubspot")
        table = m.picklists["industry"]
        save_mapping(s, replace(m, picklists={**m.picklists, "industry": replace(
            table, to_remote={**table.to_remote, "aerospace": "DEFENSE_SPACE"})}))
        assert load_mapping(s, "hubspot").picklists["industry"].to_remote["aerospace"] == "DEFENSE_SPACE"


# ---- translation --------------------------------------------------------------------------------------------

def test_picklists_translate_both_ways_with_fallbacks():
    m = default_mapping("hubspot")
    tr = Translator(m)
    industry, stage = obj_field(m, "account", "industry"), obj_field(m, "contact", "lifecycle_stage")
    assert tr.out("account", industry, "fintech") == "FINANCIAL_SERVICES"
    assert tr.into("account", industry, "COMPUTER_SOFTWARE") == "software"
    assert tr.into("account", industry, "INTERNET") == "software"  # an extra inward value
    assert tr.into("account", industry, "") is None
    with pytest.raises(Unmapped):
        tr.into("account", industry, "UNDERWATER_BASKET_WEAVING")
    with pytest.raises(Unmapped):
        tr.out("account", industry, "crypto")
    # many keys to one CRM value: sal goes out as MQL and comes back as mql — and that is no change
    assert tr.out("contact", stage, "sal") == "marketingqualifiedlead"
    assert tr.into("contact", stage, "marketingqualifiedlead") == "mql"
    assert tr.same("contact", stage, "sal", "marketingqualifiedlead")
    assert tr.same("contact", stage, "lead", "subscriber")  # subscriber comes in as lead
    assert not tr.same("contact", stage, "lead", "customer")
    fallback = replace(m, picklists={**m.picklists, "industry": replace(
        m.picklists["industry"], fallback_local="software", fallback_remote="OTHER")})
    tr2 = Translator(fallback)
    assert tr2.into("account", industry, "UNDERWATER_BASKET_WEAVING") == "software"
    assert tr2.out("account", industry, "crypto") == "OTHER"


def test_unknown_values_resolve_through_the_taxonomy():
    from bdr_desk.crm.engine import _resolver

    m = default_mapping("salesforce")
    tr = Translator(m, _resolver(taxonomy()))
    industry = obj_field(m, "account", "industry")
    assert tr.into("account", industry, "Fintech") == "fintech"  # a label
    assert tr.into("account", industry, "Financial Services") == "banking"  # the importer's synonyms
    with pytest.raises(Unmapped):
        tr.into("account", industry, "Underwater basket weaving")


def test_booleans_and_per_kind_properties():
    m = default_mapping("hubspot")
    tr = Translator(m)
    completed = obj_field(m, "activity", "completed")
    assert tr.out("activity", completed, True) == "COMPLETED" and tr.into("activity", completed, "NOT_STARTED") is False
    assert completed.remote_for("tasks") == ("hs_task_status", None) and completed.remote_for("notes") == (None, None)
    sf_when = obj_field(default_mapping("salesforce"), "activity", "occurred_at")
    assert sf_when.remote_for("Task") == ("ActivityDate", "date") and sf_when.remote_for("Event")[0] == "ActivityDateTime"
    assert to_remote("datetime", "2024-06-01T09:30:00Z", "date") == "2024-06-01"


def test_values_canonicalize():
    assert canonical("int", "250") == canonical("int", 250.0) == 250
    assert canonical("decimal", "1.5E6") == canonical("decimal", 1500000) == "1500000"
    assert canonical("decimal", "12.50") == "12.5"
    assert canonical("email", " Ann@ACME.com ") == "ann@acme.com"
    assert canonical("domain", "https://www.Acme.co.uk/about") == "acme.co.uk"
    assert canonical("country", "United States") == canonical("country", "us") == "US"
    assert to_remote("country", "GB") == "United Kingdom"
    assert canonical("datetime", "1717232400000") == canonical("datetime", "2024-06-01T09:00:00.000+0000") \
        == "2024-06-01T09:00:00Z"
    assert canonical("date", "2024-06-01T00:00:00Z") == "2024-06-01"
    assert canonical("bool", "true") is True and canonical("str", "  ") is None
    with pytest.raises(ValueProblem):
        canonical("int", "lots")


# ---- the merge rules ----------------------------------------------------------------------------------------

T0 = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def _decide(rule, local, base, remote, *, direction="both", has_base=True, local_at=None, remote_at=None):
    m = default_mapping("hubspot")
    fm = FieldMap("hq_city", "city", direction, rule)
    return decide(Translator(m), "account", fm, local=local, base=base, has_base=has_base, remote_raw=remote,
                  local_at=local_at, remote_at=remote_at)


def test_merge_one_side_changed():
    assert _decide("latest_wins", "Leeds", "Leeds", "Leeds").action == "keep"
    assert _decide("latest_wins", "York", "Leeds", "Leeds").action == "push"
    assert (d := _decide("latest_wins", "Leeds", "Leeds", "Hull")).action == "pull" and d.value == "Hull"
    assert _decide("latest_wins", "York", "Leeds", "York").action == "base"  # both made the same change
    assert _decide("latest_wins", "Leeds", "Leeds", "Hull", direction="push").action == "keep"
    assert _decide("latest_wins", "York", "Leeds", "Leeds", direction="pull").action == "keep"
    assert _decide("latest_wins", "Leeds", "Leeds", "Hull", direction="none").action == "keep"


def test_merge_both_sides_changed():
    assert _decide("crm_wins", "York", "Leeds", "Hull").action == "pull"
    assert _decide("local_wins", "York", "Leeds", "Hull").action == "push"
    assert _decide("crm_unless_blank", "York", "Leeds", "Hull").action == "pull"
    assert _decide("crm_unless_blank", "York", "Leeds", "").action == "push"
    assert _decide("crm_unless_blank", "Leeds", "Leeds", None).action == "push"  # a blank never wins
    later = _decide("latest_wins", "York", "Leeds", "Hull", local_at=T0, remote_at=T0 + dt.timedelta(seconds=1))
    assert later.action == "pull"
    assert _decide("latest_wins", "York", "Leeds", "Hull", local_at=T0 + dt.timedelta(hours=1),
                   remote_at=T0).action == "push"
    for d in (_decide("latest_wins", "York", "Leeds", "Hull", local_at=T0, remote_at=T0),
              _decide("latest_wins", "York", "Leeds", "Hull"),
              _decide("ask", "York", "Leeds", "Hull", local_at=T0, remote_at=T0 + dt.timedelta(days=1))):
        assert (d.action, d.value, d.remote) == ("conflict", "York", "Hull")


def test_merge_first_link_without_a_base():
    assert _decide("latest_wins", "Leeds", None, None, has_base=False).action == "push"
    assert _decide("latest_wins", None, None, "Hull", has_base=False).action == "pull"
    assert _decide("crm_unless_blank", "York", None, "Hull", has_base=False).action == "pull"
    assert _decide("ask", "York", None, "Hull", has_base=False).action == "conflict"
    assert _decide("ask", "York", None, "York", has_base=False).action == "base"
