"""Curation, usage, requests, the weak-search log, recommendations and the gap report (both engines)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from accounts.models import Account, Contact, PainHypothesis, ResearchPage
from content_library.gaps import gap_report
from content_library.items import (
    ContentError,
    ItemDraft,
    create_item,
    set_status,
    tag_items,
    update_item,
)
from content_library.models import ContentFacet, ContentItem, ContentRequest, ContentVersion, SearchLogEntry
from content_library.recommend import keywords, recommend
from content_library.requests import RequestDraft, file_request, list_requests, log_search, set_request_status
from content_library.search import SearchRequest, search
from content_library.usage import library_insights, record_usage


def _item(s, title, facets, status="published", body="", **kw):
    return create_item(s, ItemDraft(title=title, type=kw.pop("type", "case_study"), body_text=body,
                                    status=status, facets=facets, **kw)).id


def test_validation_names_the_field(workspace):
    with workspace.session() as s:
        for draft, match in [
            (ItemDraft(title=" ", type="deck"), "title"),
            (ItemDraft(title="x", type="podcast"), "type 'podcast'"),
            (ItemDraft(title="x", type="deck", url="javascript:alert(1)"), "url"),
            (ItemDraft(title="x", type="deck", facets={"industry": ["Underwater basket weaving"]}), "industry"),
            (ItemDraft(title="x", type="deck", facets={"colour": ["red"]}), "facet 'colour'"),
        ]:
            with pytest.raises(ContentError, match=match):
                create_item(s, draft)
        item = create_item(s, ItemDraft(title="Case", type="Case Study",
                                        facets={"industry": ["Fintech"], "competitor": ["Acme"]}))
        assert item.type == "case_study"
        assert {(f.vocabulary, f.term) for f in item.facets} == {("industry", "fintech"), ("competitor", "Acme")}


def test_versions_publishing_and_bulk_tags(workspace):
    with workspace.session() as s:
        a = _item(s, "A", {}, status="draft")
        b = _item(s, "B", {"industry": ["retail"]}, status="draft")
    with workspace.session() as s:
        version = s.get(ContentItem, a).version
        update_item(s, a, ItemDraft(title="A2", type="deck"), expected_version=version)
        with pytest.raises(ContentError, match="changed by someone else"):
            update_item(s, a, ItemDraft(title="A3", type="deck"), expected_version=version)
    with workspace.session() as s:
        assert set_status(s, [a, b], "published") == 2
        assert s.get(ContentItem, a).published_at is not None
        assert tag_items(s, [a, b], "industry", ["retail", "fintech"]) == 3
        assert tag_items(s, [a, b], "industry", ["retail"], remove=True) == 2
        assert s.scalars(select(ContentFacet.term).where(ContentFacet.item_id == b)).all() == ["fintech"]
        assert s.scalar(select(func.count()).select_from(ContentVersion).where(ContentVersion.item_id == a)) == 3


def test_usage_insights_most_never_stale(workspace):
    today = dt.date(2026, 12, 4)
    with workspace.session() as s:
        used = _item(s, "Used", {})
        never = _item(s, "Never", {}, review_by=today - dt.timedelta(days=1))
        _item(s, "Draft", {}, status="draft")
        for kind in ("attached", "copied_link"):
            record_usage(s, used, kind)
        with pytest.raises(ContentError, match="usage kind"):
            record_usage(s, used, "liked")
    with workspace.session() as s:
        ins = library_insights(s, today=today)
    assert [(u.title, u.uses) for u in ins.most_used] == [("Used", 2)]
    assert [u.title for u in ins.never_used] == ["Never"] and [u.id for u in ins.stale] == [never]
    assert ins.published == 2 and ins.uses_in_window == 2


def test_requests_and_weak_search_log(workspace):
    with workspace.session() as s:
        acc = Account(name="Quill", domain="quill.example", industry="fintech", tier=1)
        s.add(acc)
        s.flush()
        r = file_request(s, RequestDraft(title="CFO compliance ROI one-pager", industry="Fintech",
                                         pain="compliance_risk", persona="cfo", type="one pager",
                                         buyer_question="What does it cost us not to automate?",
                                         competitor="Blackline", account_id=acc.id))
        assert (r.industry, r.pain, r.persona) == ("fintech", "compliance_risk", "cfo")
        assert "Blackline" in r.description and "What does it cost" in r.description
        with pytest.raises(ContentError, match="pain 'boredom'"):
            file_request(s, RequestDraft(title="x", pain="boredom"))
        _item(s, "Audit guide", {"industry": ["fintech"]}, body="audit audit")
        for q, logged in (("zebra migration", True), ("audit", True), ("", False)):
            req = SearchRequest(text=q, facets={"industry": ("fintech",)})
            assert (log_search(s, req, search(s, req)) is not None) is logged
        for n in range(3):
            _item(s, f"Audit {n}", {}, body="audit")
        req = SearchRequest(text="audit")
        assert log_search(s, req, search(s, req)) is None  # enough results: not a gap
    with workspace.session() as s:
        assert [e.query for e in s.scalars(select(SearchLogEntry).order_by(SearchLogEntry.id))] == [
            "zebra migration", "audit"]
        assert s.scalar(select(SearchLogEntry.industry).limit(1)) == "fintech"
        assert [x.title for x in list_requests(s)] == ["CFO compliance ROI one-pager"]
        item_id = s.scalar(select(ContentItem.id).limit(1))
        set_request_status(s, r.id, "fulfilled", fulfilled_item_id=item_id)
        assert list_requests(s) == [] and list_requests(s, status="fulfilled")[0].fulfilled_item == "Audit guide"


def _account_with_hypothesis(s):
    acc = Account(name="Ledgerline", domain="ledgerline.example", industry="fintech", size_band="1001_5000",
                  tier=1, notes="Settlement reconciliation is manual; auditors complain every quarter.")
    s.add(acc)
    s.flush()
    s.add(PainHypothesis(account_id=acc.id, pain="compliance_risk", hypothesis="Audit prep eats the close",
                         persona="cfo"))
    s.add(ResearchPage(account_id=acc.id, url="https://ledgerline.example/news",
                       text="Ledgerline expands treasury operations and settlement reconciliation."))
    cfo = Contact(account_id=acc.id, first_name="Ada", last_name="L", persona="cfo", email="ada@ledgerline.example")
    s.add(cfo)
    s.flush()
    return acc.id, cfo.id


def test_recommendations_rank_the_fitting_item_first_with_reasons(workspace):
    with workspace.session() as s:
        account_id, contact_id = _account_with_hypothesis(s)
        fit = _item(s, "Clearing house audit story", {"industry": ["fintech"], "pain": ["compliance_risk"],
                                                      "persona": ["cfo"], "size_band": ["1001_5000"]})
        text_only = _item(s, "Reconciliation explainer", {}, body="settlement reconciliation treasury",
                          type="blog_post")
        _item(s, "Retail footfall deck", {"industry": ["retail"], "persona": ["cmo"]}, type="deck")
        _item(s, "Draft fintech piece", {"industry": ["fintech"]}, status="draft")
        record_usage(s, fit, "attached", account_id=account_id)
    with workspace.session() as s:
        recs = recommend(s, account_id, contact_id=contact_id)
    assert [r.id for r in recs] == [fit, text_only]  # the retail deck fits nothing; the draft is not offered
    assert recs[0].reason.startswith("same industry · same company size · pain: compliance")
    assert "persona: CFO" in recs[0].reason and "already used here 1×" in recs[0].reason
    assert "matches research" in recs[1].reason and recs[1].used_for_account == 0
    with workspace.session() as s, pytest.raises(ContentError, match="account 999"):
        recommend(s, 999)


def test_keywords_skip_stopwords_and_the_account_name():
    assert keywords("Ledgerline and the settlement settlement of reconciliation with Ledgerline",
                    exclude="Ledgerline")[:2] == ("settlement", "reconciliation")


def test_gap_report_counts_requests_searches_accounts_and_supply(workspace):
    with workspace.session() as s:
        _account_with_hypothesis(s)
        file_request(s, RequestDraft(title="Fintech compliance case", industry="fintech",
                                     size_band="1001_5000", pain="compliance_risk"))
        file_request(s, RequestDraft(title="Any-size fintech compliance", industry="fintech", pain="compliance_risk"))
        closed = file_request(s, RequestDraft(title="Done", industry="retail", pain="data_silos"))
        closed.status = "fulfilled"
        for _ in range(2):
            s.add(SearchLogEntry(query="fintech compliance roi", result_count=0, industry="fintech",
                                 size_band="1001_5000", pain="compliance_risk"))
        s.add(SearchLogEntry(query="old", result_count=0, industry="fintech", pain="compliance_risk",
                             searched_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400)))
        _item(s, "Healthcare audit", {"industry": ["healthcare"], "pain": ["compliance_risk"]})
        _item(s, "Fintech any size", {"industry": ["fintech"], "pain": ["compliance_risk"]}, status="draft")
    with workspace.session() as s:
        cells = {(c.industry, c.size_band, c.pain): c for c in gap_report(s)}
        exact = cells[("fintech", "1001_5000", "compliance_risk")]
        assert (exact.requests, exact.searches, exact.accounts, exact.supply) == (1, 2, 1, 0)
        assert [t for _, t in exact.open_requests] == ["Fintech compliance case"]
        wide = cells[("fintech", None, "compliance_risk")]
        assert (wide.requests, wide.searches, wide.accounts) == (1, 0, 1)
        assert ("retail", None, "data_silos") not in cells
        assert list(cells)[0] == ("fintech", "1001_5000", "compliance_risk")  # the biggest gap first
        _item(s, "Fintech compliance, any size", {"industry": ["fintech"], "pain": ["compliance_risk"]})
        cells = {(c.industry, c.size_band, c.pain): c for c in gap_report(s)}
        assert cells[("fintech", "1001_5000", "compliance_risk")].supply == 1  # no size tag serves every size
        assert s.scalar(select(func.count()).select_from(ContentRequest)) == 3
