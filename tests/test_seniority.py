"""Titles → seniority, function, persona and suggested buying role."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.seniority import SENIORITIES, TitleInfo, classify_title
from bdr_desk.taxonomy import PERSONA  # noqa: F401 - the persona vocabulary the keys come from

PERSONAS = {"cfo", "cio", "ciso", "coo", "cro", "cmo", "revops", "it_manager", "engineering", "hr", "procurement",
            "compliance", "data", "ceo"}


@pytest.mark.parametrize(("title", "seniority", "function", "persona", "role"), [
    ("Chief Financial Officer", "c_level", "finance", "cfo", "economic_buyer"),
    ("CFO", "c_level", "finance", "cfo", "economic_buyer"),
    ("CEO & Co-Founder", "c_level", "executive", "ceo", "economic_buyer"),
    ("SVP Sales", "vp", "sales", "cro", "decision_maker"),
    ("Vice President, Marketing", "vp", "marketing", "cmo", "decision_maker"),
    ("Head of IT", "vp", "it", "cio", "decision_maker"),
    ("Director, Procurement", "director", "procurement", "procurement", "procurement"),
    ("Sr. Manager", "manager", None, None, "influencer"),
    ("Geschäftsführer", "c_level", "executive", "ceo", "economic_buyer"),
    ("Leiter Einkauf", "director", "procurement", "procurement", "procurement"),
    ("Responsable achats", "director", "procurement", "procurement", "procurement"),
    ("Director de Compras", "director", "procurement", "procurement", "procurement"),
    ("Chief Information Security Officer", "c_level", "security", "ciso", "decision_maker"),
    ("Software Engineer", "individual_contributor", "engineering", "engineering", "technical_evaluator"),
    ("Network Administrator", "individual_contributor", "it", "it_manager", "technical_evaluator"),
    ("Sales Operations Manager", "manager", "sales", "revops", "influencer"),
    ("Directrice des ressources humaines", "director", "hr", "hr", "influencer"),
])
def test_table(title, seniority, function, persona, role):
    assert classify_title(title) == TitleInfo(seniority, function, persona, role)


@pytest.mark.parametrize("title", [None, "", "   ", "???", "x" * 10_000])
def test_empty_and_odd(title):
    info = classify_title(title)
    assert info.seniority == "individual_contributor"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(title):
    info = classify_title(title)
    assert info.seniority in SENIORITIES
    assert info.persona is None or info.persona in PERSONAS
