"""Normalizers: numbers, names, industries, countries — total functions that only ever raise ValueError."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.column_mapping import guess_mapping, guess_system
from accounts.domains import normalize_domain
from accounts.normalize import clean_name, map_industry, name_key, parse_country, parse_int, parse_number
from bdr_desk.taxonomy import Taxonomy


@pytest.mark.parametrize("text, value", [
    ("$514,405.0", Decimal("514405.0")), ("12,000", 12000), ("1.2k", 1200), ("1,2 Mio", 1200000),
    ("1.234.567,89 €", Decimal("1234567.89")), ("USD 3.5bn", Decimal("3.5e9")), ("(1,000)", -1000),
    ("6.0E7", 60_000_000), ("1,25", Decimal("1.25")), ("12 000", 12000), ("€ 5M", 5_000_000),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", [None, "", "   "])
def test_parse_number_blank(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "1..2", "12-3", "1e99999", "$", "1.2.3,4,5", "nan", "inf"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_int_rejects_fractions():
    assert parse_int("12,000") == 12000
    with pytest.raises(ValueError, match="whole number"):
        parse_int("2.5")


@settings(max_examples=400)
@given(st.text(max_size=40) | st.from_regex(r"[$€(-]?[0-9.,]{1,12}\s?(k|m|bn|Mio)?\)?", fullmatch=True))
def test_parse_number_only_raises_value_error(text):
    try:
        parse_number(text)
        parse_int(text)
    except ValueError:
        pass


@settings(max_examples=400)
@given(st.text(max_size=60))
def test_name_key_is_idempotent(text):
    key = name_key(text)
    assert name_key(key) == key
    assert clean_name(text) is None or clean_name(clean_name(text)) == clean_name(text)


@settings(max_examples=300)
@given(st.text(max_size=80) | st.from_regex(r"(https?://)?(www\.)?[a-zA-Z0-9-]{1,10}(\.[a-z]{2,5}){1,2}(/\S*)?",
                                            fullmatch=True))
def test_normalize_domain_never_raises(text):
    d = normalize_domain(text)
    assert d is None or (d == d.lower() and normalize_domain(d) == d)


@pytest.mark.parametrize("a, b", [
    ("Acme, Inc.", "ACME Inc"), ("The Acme Corporation", "Acme Corp."), ("Siemens AG", "Siemens"),
    ("Nestlé S.A.", "Nestle SA"), ("Acme Pty Ltd", "Acme"), ("Smith & Co", "Smith"), ("Foo GmbH", "foo"),
    ("Bar plc", "BAR"), ("Baz N.V.", "Baz B.V."),
])
def test_name_key_strips_legal_suffixes(a, b):
    assert name_key(a) == name_key(b)


def test_map_industry(workspace):
    with workspace.session() as s:
        tax = Taxonomy.load(s)
    assert map_industry("Information Technology", tax) == "software"
    assert map_industry("Health Care", tax) == "healthcare"
    assert map_industry("Transaction & Payment Processing Services", tax) == "fintech"
    assert map_industry("Diversified Banks", tax) == "banking"
    assert map_industry("Industrials", tax) == "manufacturing"
    assert map_industry("COMPUTER_SOFTWARE", tax) == "software"
    assert map_industry("Telecommunications", tax) == "telecom"
    assert map_industry("fintech", tax) == "fintech" and map_industry("Retail & E-commerce", tax) == "retail"
    assert map_industry("Widgets and gizmos", tax) is None and map_industry("", tax) is None


@pytest.mark.parametrize("text, code", [("United States", "US"), ("USA", "US"), ("U.S.A.", "US"),
                                        ("Germany", "DE"), ("UK", "GB"), ("de", "DE"), ("Narnia", None), ("", None)])
def test_parse_country(text, code):
    assert parse_country(text) == code


def test_guess_mapping_hubspot_and_salesforce():
    hs = guess_mapping(["Company name", "Company Domain Name", "Website URL", "Number of Employees",
                        "Annual Revenue", "Industry", "City", "State/Region", "Country/Region", "Record ID",
                        "Parent Company"])
    assert hs == {"Company name": "name", "Company Domain Name": "domain", "Website URL": "website",
                  "Number of Employees": "employees", "Annual Revenue": "annual_revenue", "Industry": "industry",
                  "City": "hq_city", "State/Region": "hq_region", "Country/Region": "hq_country",
                  "Record ID": "external_id", "Parent Company": "parent_name"}
    assert guess_system(list(hs)) == "hubspot"
    sf = guess_mapping(["ID", "NAME", "WEBSITE", "NUMBEROFEMPLOYEES", "ANNUALREVENUE", "INDUSTRY", "BILLINGCITY",
                        "BILLINGSTATE", "BILLINGCOUNTRY", "PARENTID"])
    assert sf["NAME"] == "name" and sf["NUMBEROFEMPLOYEES"] == "employees" and sf["PARENTID"] == "parent_external_id"
    assert guess_system(list(sf)) == "salesforce"
    rep = guess_mapping(["Account: Account Name", "Billing City", "Name (2)"])
    assert rep == {"Account: Account Name": "name", "Billing City": "hq_city", "Name (2)": None}
    sp = guess_mapping(["Symbol", "Security", "GICS Sector", "GICS Sub-Industry", "Headquarters Location"])
    assert sp == {"Symbol": None, "Security": "name", "GICS Sector": "industry",
                  "GICS Sub-Industry": "sub_industry", "Headquarters Location": "hq_location"}
