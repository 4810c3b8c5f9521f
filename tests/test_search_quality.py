"""Search quality against real corpora, on both engines (the real-world fixture tier: ``BDR_DESK_FIXTURES``).

**Cranfield** (1,400 aeronautics abstracts, 225 queries, graded judgments; gains in :mod:`tests.corpora`).
Title → ``title``, abstract → ``body_text``; every query goes through :func:`search` exactly as a user would
type it (a long natural-language question), first page of 10, and is scored by nDCG@10 with graded gains.

Measured (SQLite 3.40 FTS5, PostgreSQL 15, this revision):

=========================================  ========  ==========
ranking                                     SQLite    PostgreSQL
=========================================  ========  ==========
``search()`` as typed (what the floor uses)  0.368     0.302
every query OR-ed, function words dropped    0.378     0.323
a random ranking (seeded)                    0.003     0.003
=========================================  ========  ==========

- A long question almost never has *every* word in one abstract, so ``search()`` falls back to any word
  (``match == "any"``) for 216 of 225 queries on SQLite, 206 on PostgreSQL. The others get the few items
  that do have every word (1–6 hits), which costs them the rest of the page: that is the gap between the first
  two rows, and the price of "all words first" (the right default for the short queries people type).
- 0.40 is out of reach for this ranking: FTS5's ``bm25`` has k1 = 1.2 and b = 0.75 built in, and a
  Python BM25 over the very same FTS5 tokens gives 0.373 (k1 1.2 / b 0.75) and 0.365 (Lucene's 0.9 / 0.4).
  Each query's ``-1`` document (gain 0; apparently the paper the question was written from) is in BM25's top
  10 for 73% of the queries and takes a slot. PostgreSQL's ``ts_rank_cd`` (normalization 1) is the best of
  its built-ins here: ``ts_rank`` gives 0.316, ``ts_rank_cd`` without normalization 0.293.
- The floors sit ~0.02 below the measurements; the random baseline shows they can fail.

**tldr** (Markdown pages in 39 languages): every page of ru, zh, ja, ko, ar, de, fr and es (14,241 pages)
with ``# title`` → title, ``>`` lines → summary, the rest → body. tldr titles are command names in every
language, so the words searched for come from a page's summary. What works on both engines, asserted below:
a rare word of a page's summary in Cyrillic, Arabic (also written with vowel marks), Hangul, German with
umlauts or ß, French and Spanish with accents finds that page, typed as on the page; German and Cyrillic
words match in any case; a Chinese or Japanese run of characters (text between spaces or punctuation) finds
its page, and so does its start when typed with ``prefix_last``. Known limits (not asserted):

- CJK has no spaces, and both tokenizers make a whole run one token: ``内核`` finds a page where it stands
  alone but not inside ``将内核消息写入标准输出``; a word from the middle of a run finds nothing.
- PostgreSQL's ``english`` configuration has no ``unaccent``: ``Schlussel`` finds ``Schlüssel`` on SQLite
  (``remove_diacritics 2``) but not on PostgreSQL. Neither engine folds ß to ss (``Grosse`` ≠ ``Größe``).
- Case folding of non-ASCII letters on PostgreSQL follows the database's LC_CTYPE (fine with C.UTF-8 or a
  real locale, ASCII-only with plain ``C``); the case checks run there only where LC_CTYPE can fold.
- Text stored in another Unicode form than NFC (8 Arabic pages here, whose vowel marks are in keyboard
  order; decomposed accents from some PDFs) is not found on PostgreSQL: the query parser normalizes what is
  typed to NFC, the tsvector keeps the stored form. SQLite strips the marks on both sides and finds it.
  Asserted on SQLite only until stored text is normalized (see the report on this test tier).
"""

from __future__ import annotations

import math
import random
import shutil
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bdr_desk.db import Workspace, open_workspace
from content_library.models import ContentItem
from content_library.query_parser import _split_words, parse
from content_library.search import SearchRequest, search
from content_library.stopwords import STOPWORDS
from tests.conftest import fixtures_dir
from tests.corpora import TldrPage, iter_tldr, load_cranfield

NDCG_FLOOR = {"sqlite": 0.35, "postgresql": 0.28}  # measured 0.368 / 0.302 (module docstring)
RANDOM_CEILING = 0.05  # a seeded random ranking scores 0.003
K = 10
TLDR_LANGUAGES = ("ru", "zh", "ja", "ko", "ar", "de", "fr", "es")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# ---- metric ---------------------------------------------------------------------------------------------

def dcg(gains: list[int]) -> float:
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(ranked: list[int], judged: dict[int, int], k: int = K) -> float:
    """nDCG@k with graded gains (linear gain, log2 discount); unjudged documents gain 0."""
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    return dcg([judged.get(doc, 0) for doc in ranked[:k]]) / ideal if ideal else 0.0


def test_ndcg_metric_on_a_hand_example():
    judged = {1: 3, 2: 2, 3: 0, 4: 1}
    assert ndcg_at([1, 2, 4], judged) == pytest.approx(1.0)
    assert ndcg_at([], judged) == 0.0
    worse = (0 + 2 / math.log2(3) + 3 / math.log2(4)) / (3 + 2 / math.log2(3) + 1 / math.log2(4))
    assert ndcg_at([3, 2, 1], judged) == pytest.approx(worse)
    assert ndcg_at([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1], judged) == 0.0  # beyond k does not count


# ---- workspaces loaded once per module and engine ---------------------------------------------------------

def _module_workspace(request, tmp_path_factory) -> tuple[Workspace, Callable[[], None]]:
    """A fresh migrated workspace on ``request.param`` (cloned from the session templates) and its disposer."""
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("quality") / "workspace.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), db)
        ws = open_workspace(f"sqlite:///{db}")
        return ws, ws.dispose
    admin = request.getfixturevalue("postgres_admin_url")
    template = request.getfixturevalue("postgres_template")
    name = f"bdr_q_{uuid.uuid4().hex[:10]}"
    _admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    ws = open_workspace(make_url(admin).set(database=name).render_as_string(hide_password=False))

    def dispose() -> None:
        ws.dispose()
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return ws, dispose


def _admin(url: str, statement: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            conn.execute(text(statement))
    finally:
        eng.dispose()


def _load(ws: Workspace, rows: list[dict]) -> None:
    """Bulk INSERT of items (the FTS5 triggers / the generated tsvector index them as any write does)."""
    with ws.session() as s:
        s.execute(insert(ContentItem), [{"type": "whitepaper", "status": "published", **r} for r in rows])


# ---- Cranfield --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cranfield():
    return load_cranfield(Path(fixtures_dir()) / "search" / "cranfield")


@pytest.fixture(scope="module", params=ENGINES)
def cranfield_run(request, tmp_path_factory, cranfield):
    """Every Cranfield query through ``search()`` on one engine: {query: (ranked doc ids, match, words)}."""
    docs, queries, _qrels = cranfield
    ws, dispose = _module_workspace(request, tmp_path_factory)
    try:
        _load(ws, [{"id": doc, "title": title, "body_text": abstract} for doc, title, abstract in docs])
        runs = {}
        with ws.session() as s:
            for n, typed in queries:
                res = search(s, SearchRequest(text=typed, limit=K, with_facets=False))
                runs[n] = ([h.id for h in res.hits], res.match, res.query.words())
        yield request.param, runs
    finally:
        dispose()


def test_cranfield_ndcg_at_10_stays_above_the_floor(cranfield, cranfield_run):
    _docs, _queries, qrels = cranfield
    engine, runs = cranfield_run
    score = sum(ndcg_at(ranked, qrels[n]) for n, (ranked, _m, _w) in runs.items()) / len(runs)
    print(f"\nCranfield nDCG@{K} on {engine}: {score:.4f} (floor {NDCG_FLOOR[engine]})")
    assert len(runs) == 225
    assert score >= NDCG_FLOOR[engine], f"{engine}: nDCG@{K} {score:.4f} fell below {NDCG_FLOOR[engine]}"


def test_a_random_ranking_scores_far_lower(cranfield, cranfield_run):
    """The metric and the judgments can tell a ranking from noise: the floor is a real bar."""
    docs, queries, qrels = cranfield
    _engine, runs = cranfield_run
    rnd = random.Random(1400)
    ids = [doc for doc, _t, _a in docs]
    noise = sum(ndcg_at(rnd.sample(ids, K), qrels[n]) for n, _q in queries) / len(queries)
    ours = sum(ndcg_at(ranked, qrels[n]) for n, (ranked, _m, _w) in runs.items()) / len(runs)
    print(f"\nrandom ranking nDCG@{K}: {noise:.4f}")
    assert noise < RANDOM_CEILING
    assert ours > 5 * RANDOM_CEILING > 5 * noise
    ideal = sum(ndcg_at(sorted(qrels[n], key=qrels[n].get, reverse=True), qrels[n]) for n, _q in queries)
    assert ideal / len(queries) == pytest.approx(1.0)


def test_long_questions_fall_back_to_their_content_words(cranfield_run):
    """Natural-language questions rarely have every word in one abstract: the search falls back to any word,
    leaving out function words ("what", "of", "the"), and every question gets a full first page."""
    engine, runs = cranfield_run
    matches = Counter(m for _r, m, _w in runs.values())
    assert matches["any"] >= 0.85 * len(runs), matches
    assert set(matches) <= {"all", "any"}
    for n, (ranked, match, words) in runs.items():
        assert ranked, f"query {n} found nothing on {engine}"
        if match == "any":
            assert len(ranked) == K, n
            assert not {w.lower() for w in words} & STOPWORDS, (n, words)


def test_fallback_drops_function_words_but_keeps_what_was_typed_on_purpose():
    words = parse("what are the effects of heat on the wing").as_any().words()
    assert words == ["effects", "heat", "wing"]
    assert parse("the of").as_any().words() == ["the", "of"]  # nothing else to look for
    assert parse('"the wing" of').as_any().words() == ["the", "wing"]  # a phrase stays whole
    assert parse("wing the", prefix_last=True).as_any().words() == ["wing", "the"]  # being typed: "the*"
    kept = parse("wing of -the").as_any()
    assert kept.words() == ["wing"] and [t.words for t in kept.terms if t.negated] == [("the",)]


# ---- tldr: non-Latin and accented text ------------------------------------------------------------------

SCRIPTS = {"ru": "CYRILLIC", "ar": "ARABIC", "ko": "HANGUL"}
ACCENTED = {"de": set("äöüßÄÖÜ"), "fr": set("àâæçéèêëîïôœùûüÿÀÂÇÉÈÊËÎÏÔŒÙÛÜ"),
            "es": set("áéíóúñüÁÉÍÓÚÑÜ")}
PAGES_PER_LANGUAGE = 20
MAX_DF = 3  # a word in at most this many pages of the sample: the page must be on the first page of hits


@pytest.fixture(scope="module")
def tldr_pages() -> list[TldrPage]:
    path = Path(fixtures_dir()) / "search" / "tldr_pages_all_languages.tar.xz"
    pages = sorted(iter_tldr(path, set(TLDR_LANGUAGES)), key=lambda p: (p.lang, p.platform, p.name))
    assert {p.lang for p in pages} == set(TLDR_LANGUAGES)
    return pages


@pytest.fixture(scope="module")
def tldr_df(tldr_pages) -> Counter[str]:
    """In how many pages of the sample each (case-folded) word occurs."""
    return Counter(w for p in tldr_pages for w in {w.casefold() for w in _words(p)})


@pytest.fixture(scope="module", params=ENGINES)
def tldr_ws(request, tmp_path_factory, tldr_pages):
    """The sample in a workspace on one engine; page i of ``tldr_pages`` is item id i + 1."""
    ws, dispose = _module_workspace(request, tmp_path_factory)
    try:
        _load(ws, [{"id": i, "title": p.title, "summary": p.summary, "body_text": p.body, "type": "one_pager"}
                   for i, p in enumerate(tldr_pages, start=1)])
        yield ws
    finally:
        dispose()


def _words(page: TldrPage) -> list[str]:
    return _split_words(f"{page.title} {page.summary} {page.body}")


def _in_script(lang: str, word: str) -> bool:
    if lang in SCRIPTS:
        return all(SCRIPTS[lang] in unicodedata.name(ch, "") for ch in word)
    return word.isalpha() and bool(set(word) & ACCENTED[lang])


def _rare_summary_words(pages: list[TldrPage], df: Counter[str], lang: str, *, nfc: bool) -> list[tuple[int, str]]:
    """(item id, word) for the pages of ``lang`` with a rare word of the script in the summary's first line;
    ``nfc`` picks words stored in NFC (True) or in another form (False)."""
    out = []
    for item_id, page in enumerate(pages, start=1):
        if page.lang != lang:
            continue
        first = page.summary.split("\n", 1)[0]
        for word in _split_words(first):
            if (len(word) >= 4 and _in_script(lang, word) and df[word.casefold()] <= MAX_DF
                    and (unicodedata.normalize("NFC", word) == word) == nfc):
                out.append((item_id, word))
                break
    return out


def _ids(ws: Workspace, typed: str, **kw) -> list[int]:
    with ws.session() as s:
        return [h.id for h in search(s, SearchRequest(text=typed, limit=50, with_facets=False, **kw)).hits]


@pytest.mark.parametrize("lang", ["ru", "ar", "ko", "de", "fr", "es"])
def test_a_rare_word_of_a_summary_finds_its_page(tldr_ws, tldr_pages, tldr_df, lang):
    every = _rare_summary_words(tldr_pages, tldr_df, lang, nfc=True)
    picks = every[:PAGES_PER_LANGUAGE]
    assert len(picks) == PAGES_PER_LANGUAGE, f"only {len(picks)} {lang} pages with a rare word"
    marked = [(i, w) for i, w in every[PAGES_PER_LANGUAGE:] if any(unicodedata.combining(c) for c in w)]
    if lang == "ar":
        assert marked  # words written with vowel marks, such as مُكوِّن and تّفرع
    picks += marked
    missed = [(word, tldr_pages[item_id - 1].name) for item_id, word in picks
              if item_id not in _ids(tldr_ws, word)]
    assert not missed, f"{tldr_ws.dialect}: {lang} words that did not find their page: {missed}"


def test_german_umlauts_and_cyrillic_case(tldr_ws, tldr_pages, tldr_df):
    folded = {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"}
    # PostgreSQL lower-cases non-ASCII letters only when the database's LC_CTYPE is not C (module docstring)
    folds_case = tldr_ws.dialect == "sqlite" or _pg_folds_non_ascii(tldr_ws)
    picks = [(i, w) for i, w in _rare_summary_words(tldr_pages, tldr_df, "de", nfc=True) if "ß" not in w]
    assert len(picks) >= 10
    for item_id, word in picks[:10]:
        assert item_id in _ids(tldr_ws, word), word
        if folds_case:
            assert item_id in _ids(tldr_ws, word.lower()) and item_id in _ids(tldr_ws, word.upper()), word
        if tldr_ws.dialect == "sqlite":  # remove_diacritics 2; PostgreSQL's english config has no unaccent
            assert item_id in _ids(tldr_ws, "".join(folded.get(c, c) for c in word)), word
    for item_id, word in _rare_summary_words(tldr_pages, tldr_df, "ru", nfc=True)[:10]:
        assert item_id in _ids(tldr_ws, word), word
        if folds_case:
            assert item_id in _ids(tldr_ws, word.upper()) and item_id in _ids(tldr_ws, word.lower()), word


def _pg_folds_non_ascii(ws: Workspace) -> bool:
    with ws.engine.connect() as conn:
        return conn.execute(text("SELECT to_tsvector('simple', 'Ж') = to_tsvector('simple', 'ж')")).scalar()


def _cjk(word: str) -> bool:
    return all(unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA")) for c in word)


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_cjk_runs_find_their_page_whole_or_as_typed_prefix(tldr_ws, tldr_pages, lang):
    """CJK text has no spaces: a run between spaces or punctuation is one token on both engines, so a whole run
    finds its page, and so does its beginning while typing (prefix). A piece from inside a run finds nothing
    (module docstring)."""
    runs = Counter(w for p in tldr_pages if p.lang == lang for w in set(_words(p)))
    picks = []
    for item_id, page in enumerate(tldr_pages, start=1):
        if page.lang == lang and len(picks) < 15:
            first = page.summary.split("\n", 1)[0]
            run = next((w for w in _split_words(first) if len(w) >= 4 and runs[w] == 1 and _cjk(w)), None)
            if run:
                picks.append((item_id, run))
    assert len(picks) == 15
    for item_id, run in picks:
        assert item_id in _ids(tldr_ws, run), run
        assert item_id in _ids(tldr_ws, run[:3], prefix_last=True), run


def test_text_stored_in_another_unicode_form(tldr_ws, tldr_pages, tldr_df):
    """Arabic pages whose vowel marks are stored in keyboard (not canonical) order: a word copied from the page
    is normalized to NFC by the query parser. SQLite strips the marks on both sides and finds the page;
    PostgreSQL compares the stored form and does not (module docstring), so this is checked on SQLite."""
    picks = _rare_summary_words(tldr_pages, tldr_df, "ar", nfc=False)
    assert picks, "the sample has Arabic pages in another normal form"
    if tldr_ws.dialect != "sqlite":
        return
    for item_id, word in picks:
        assert item_id in _ids(tldr_ws, word), word
        assert item_id in _ids(tldr_ws, unicodedata.normalize("NFC", word)), word
