"""Full-text search on both engines: round trips, ranking, snippets, hostile input, facet counts."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from content_library.items import ItemDraft, create_item, delete_item, tag_items, update_item
from content_library.models import ContentFacet, ContentItem
from content_library.query_parser import parse, to_fts5, to_tsquery
from content_library.search import SearchRequest, rebuild_index, search

ITEMS = [
    ("Fintech compliance case study", "case_study", "How a bank cut audit time in half with automated controls.",
     {"industry": ["fintech"], "pain": ["compliance_risk"], "persona": ["cfo"]}, "published"),
    ("Retail playbook", "deck", "Store analytics for regional chains; inventory and footfall.",
     {"industry": ["retail"], "pain": ["data_silos"]}, "published"),
    ("Hospital audit readiness", "whitepaper", "Payer audits and clinical documentation for health systems.",
     {"industry": ["healthcare"], "pain": ["audit_readiness", "compliance_risk"]}, "published"),
    ("Manufacturing uptime one-pager", "one_pager", "Predictive maintenance keeps lines running.",
     {"industry": ["manufacturing"], "persona": ["coo"]}, "draft"),
    ("Old compliance deck", "deck", "Archived: the 2019 compliance story.", {"industry": ["fintech"]}, "archived"),
]


def _seed(ws, items=ITEMS) -> list[int]:
    with ws.session() as s:
        return [create_item(s, ItemDraft(title=t, type=k, summary=None, body_text=b, status=st_, facets=f)).id
                for t, k, b, f, st_ in items]


def _titles(ws, **kw) -> list[str]:
    with ws.session() as s:
        return [h.title for h in search(s, SearchRequest(**kw)).hits]


def test_index_follows_create_update_delete(workspace):
    ids = _seed(workspace)
    assert _titles(workspace, text="audit") == ["Hospital audit readiness", "Fintech compliance case study"]
    with workspace.session() as s:  # title weighs more than body: the title hit ranks first
        update_item(s, ids[1], ItemDraft(title="Retail loss prevention", type="deck",
                                         body_text="Shrinkage and theft across stores.", status="published"))
    assert _titles(workspace, text="footfall") == []
    assert _titles(workspace, text="shrinkage") == ["Retail loss prevention"]
    with workspace.session() as s:
        delete_item(s, ids[0])
    assert _titles(workspace, text="audit") == ["Hospital audit readiness"]
    with workspace.session() as s:
        rebuild_index(s)
    assert _titles(workspace, text="audit") == ["Hospital audit readiness"]


def test_stemming_prefix_phrase_exclusion_and_or(workspace):
    _seed(workspace)
    assert _titles(workspace, text="audited") == ["Hospital audit readiness", "Fintech compliance case study"]
    assert _titles(workspace, text="foot", prefix_last=True) == ["Retail playbook"]
    assert _titles(workspace, text="foot") == []  # not typing: whole words only
    assert _titles(workspace, text='"audit time"') == ["Fintech compliance case study"]
    assert _titles(workspace, text="audit -bank") == ["Hospital audit readiness"]
    assert set(_titles(workspace, text="footfall OR maintenance")) == {"Retail playbook",
                                                                       "Manufacturing uptime one-pager"}


def test_falls_back_to_any_word_and_reports_it(workspace):
    _seed(workspace)
    with workspace.session() as s:
        all_words = search(s, SearchRequest(text="audit bank"))
        any_word = search(s, SearchRequest(text="footfall maintenance"))
    assert all_words.match == "all" and [h.title for h in all_words.hits] == ["Fintech compliance case study"]
    assert any_word.match == "any" and any_word.total == 2


def test_archived_only_on_request_and_snippets_highlight(workspace):
    _seed(workspace)
    assert "Old compliance deck" not in _titles(workspace, text="compliance")
    assert "Old compliance deck" in _titles(workspace, text="compliance", statuses=("archived",))
    with workspace.session() as s:
        hit = search(s, SearchRequest(text="inventory")).hits[0]
    assert "**inventory**" in hit.snippet
    assert "<b>inventory</b>" in hit.snippet_html and hit.score > 0


def test_sorts(workspace):
    ids = _seed(workspace)
    from content_library.usage import record_usage

    with workspace.session() as s:
        for _ in range(3):
            record_usage(s, ids[2], "attached")
    assert _titles(workspace, text="audit", sort="most_used")[0] == "Hospital audit readiness"
    newest = _titles(workspace, sort="newest")
    assert newest[0] == "Manufacturing uptime one-pager" or newest[0] == ITEMS[3][0]
    assert len(newest) == 4  # archived excluded by default


def _brute_force(ws, words: set[str], facets: dict[str, tuple[str, ...]], skip: str | None = None):
    """Counts by scanning every item in Python: every word in title/body (prefix-free), facet filters ANDed."""
    with ws.session() as s:
        items = s.scalars(select(ContentItem).where(ContentItem.status.in_(("draft", "published")))).all()
        tags = {}
        for f in s.scalars(select(ContentFacet)):
            tags.setdefault(f.item_id, set()).add((f.vocabulary, f.term))
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        text_ = f"{item.title} {item.body_text or ''}".lower()
        if not all(w in text_ for w in words):
            continue
        mine = tags.get(item.id, set())
        if not all(any((v, t) in mine for t in terms) for v, terms in facets.items() if v != skip and terms):
            continue
        if skip is None:
            counts.setdefault("type", {}).setdefault(item.type, 0)
            counts["type"][item.type] += 1
        for v, t in mine:
            if skip is None or v == skip:
                counts.setdefault(v, {}).setdefault(t, 0)
                counts[v][t] += 1
    return counts


@pytest.mark.parametrize("words,facets", [
    ((), {}),
    (("audit",), {}),
    ((), {"industry": ("fintech", "healthcare")}),
    (("compliance",), {"pain": ("compliance_risk",)}),
    ((), {"industry": ("fintech",), "persona": ("cfo",)}),
])
def test_facet_counts_equal_a_brute_force_count(workspace, words, facets):
    _seed(workspace)
    with workspace.session() as s:
        tag_items(s, [i for i, in s.execute(select(ContentItem.id))], "size_band", ["1001_5000"])
        res = search(s, SearchRequest(text=" ".join(words), facets=facets))
    expected = _brute_force(workspace, set(words), facets)
    for vocabulary in ("type", "industry", "pain", "persona", "size_band"):
        if vocabulary in facets:  # disjunctive: a selected vocabulary counts without its own filter
            want = _brute_force(workspace, set(words), facets, skip=vocabulary).get(vocabulary, {})
        else:
            want = expected.get(vocabulary, {})
        assert res.facets.get(vocabulary, {}) == want, vocabulary
    assert res.total == sum(expected.get("type", {}).values())


HOSTILE = ['"unbalanced', "NEAR(", "a AND", "*", "-x", "x" * 5000, "AND OR NOT", "title:foo", "foo^2",
           "😀🔥", "(((", "'; DROP TABLE content_items; --", "a\\b", "\x00", "NEAR(a b, 3)", "-", '""', "col:*"]


def test_hostile_queries_never_break_the_search(workspace):
    _seed(workspace)
    with workspace.session() as s:
        for q in HOSTILE:
            for prefix in (False, True):
                res = search(s, SearchRequest(text=q, prefix_last=prefix))
                assert res.total >= 0
        assert s.scalar(select(ContentItem.id).limit(1)) is not None  # nothing dropped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list('ab "*-()^:+|&!\'\\😀é中\x00') + ["AND", "OR", "NOT", "NEAR(", " OR "]),
                max_size=25).map("".join) | st.text(max_size=60), st.booleans())
def test_any_input_gives_a_query_both_engines_accept(workspace, q, prefix):
    parsed = parse(q, prefix_last=prefix)
    with workspace.session() as s:
        if workspace.dialect == "sqlite":
            if not parsed.is_empty:
                s.execute(text("SELECT count(*) FROM content_fts WHERE content_fts MATCH :q"), {"q": to_fts5(parsed)})
        elif not parsed.is_empty:
            s.execute(text("SELECT to_tsquery('english', :q)"), {"q": to_tsquery(parsed)})
        search(s, SearchRequest(text=q, prefix_last=prefix))


def test_non_latin_text_is_searchable(workspace):
    items = [("Руководство по безопасности", "whitepaper", "Защита данных и соответствие требованиям.", {},
              "published"),
             ("Ελληνικός οδηγός", "deck", "Ασφάλεια δεδομένων για τράπεζες.", {}, "published"),
             ("Café résumé", "blog_post", "Naïve coöperation déjà vu.", {}, "published")]
    _seed(workspace, items)
    assert _titles(workspace, text="безопасности") == ["Руководство по безопасности"]
    assert _titles(workspace, text="τράπεζες") == ["Ελληνικός οδηγός"]
    assert _titles(workspace, text="cafe") == ["Café résumé"] or workspace.dialect == "postgresql"
    assert _titles(workspace, text="Café") == ["Café résumé"]


def test_decomposed_accents_are_stored_composed_so_both_engines_find_them(workspace):
    decomposed = "Socie\u0301te\u0301 Ge\u0301ne\u0301rale"  # as some PDF extractors hand it over
    _seed(workspace, [(f"{decomposed} case study", "case_study", f"How {decomposed} reconciles.", {}, "published")])
    with workspace.session() as s:
        assert s.scalar(select(ContentItem.title)) == "Société Générale case study"
    assert _titles(workspace, text="société") == ["Société Générale case study"]
    assert _titles(workspace, text=decomposed) == ["Société Générale case study"]


def test_search_index_objects_survive_migrations(workspace):
    with workspace.engine.connect() as conn:
        if workspace.dialect == "sqlite":
            names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
            assert {"content_items_fts_ai", "content_items_fts_ad", "content_items_fts_au"} <= names
        else:
            assert conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = "
                                     "'ix_content_items_search_vector'")).scalar() == 1


def test_paging_is_stable(workspace):
    items = [(f"Audit note {i}", "blog_post", f"audit entry number {i}", {}, "published") for i in range(12)]
    _seed(workspace, items)
    with workspace.session() as s:
        pages = [search(s, SearchRequest(text="audit", limit=5, offset=o, with_facets=False)).hits
                 for o in (0, 5, 10)]
    ids = [h.id for h in itertools.chain(*pages)]
    assert len(ids) == 12 == len(set(ids))
