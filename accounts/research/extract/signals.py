"""Trigger signals in one page: hiring (open roles counted by function) and dated news/press items classified
by keyword rules (funding, acquisition, leadership change, expansion, partnership, product launch; other dated
press items are ``news``), each with its heading or sentence as evidence.

Where items come from: schema.org ``JobPosting`` and job links/headings on careers pages; ``NewsArticle``/
``BlogPosting`` nodes and the page itself when it is an article (``datePublished``, ``article:published_time``,
``<time datetime>``, a date in the text, a date in the URL); the headline + date pairs of news and press list
pages; and trigger sentences in an article's text. Technology changes between runs are computed by the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from urllib.parse import urlsplit

from accounts.research.extract import dates, roles
from accounts.research.extract.company import is_content_page
from accounts.research.extract.structured import ARTICLE_TYPES, Structured
from accounts.research.extract.text import Block, Doc, clean, lca_depth
from accounts.research.facts import SignalFact
from accounts.seniority import classify_title

MAX_SIGNALS = 60
MAX_SENTENCES = 400
_AMOUNT = r"(?:[$€£]\s?\d[\d.,]*\s?(?:[mbk]\b|mn\b|bn\b|million|billion|mio\.?|mrd\.?|millionen|milliarden)?|" \
          r"\d[\d.,]*\s?(?:million|billion|mio\.?|mrd\.?|millionen|milliarden)(?:\s?(?:usd|eur|dollars?|euros?|us-dollar))?)"
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("funding", re.compile(
        r"\b(?:rais(?:es|ed|ing)|secur(?:es|ed)|clos(?:es|ed)|lands?|landed|completes?|completed|announces?|gets?|"
        r"bags?|erhält|sammelt|sichert sich)\b[^.!?]{0,80}?" + _AMOUNT +
        r"|\bseries [a-f]\b(?:\s+(?:funding|round|financing|investment))?|\bseed (?:round|funding|financing)\b|"
        r"\b(?:funding|financing|investment) round\b|\bfinanzierungsrunde\b|\bwachstumsfinanzierung\b|"
        r"\b(?:led|co-led) by [A-Z][\w&.' -]{2,40} (?:capital|ventures|partners)\b", re.I)),
    ("acquisition", re.compile(
        r"\bacquir(?:es|ed|ing)\b|\bacquisition of\b|\bto acquire\b|\bacquired by\b|\bmerg(?:es|ed|er) with\b|"
        r"\bübernimmt\b|\bübernahme (?:von|der|des)\b|\bübernommen\b|\bkauft\b[^.!?]{0,40}\b(?:gmbh|ag|inc|unternehmen)\b",
        re.I)),
    ("leadership_change", re.compile(
        r"\b(?:appoint(?:s|ed)?|names?|named|hires?|hired|promot(?:es|ed)|welcomes?|taps|elects?|elected|ernennt|"
        r"beruft|holt)\b[^.!?]{0,90}?\b(?:as|to|zum|zur|als)\b[^.!?]{0,30}?\b(?:new\s+)?(?:chief|ceo|cfo|cto|coo|cmo|"
        r"cro|cio|ciso|president|vp|svp|evp|vice president|managing director|general manager|director|head of|"
        r"chair(?:man|woman)?|board|geschäftsführer(?:in)?|vorstand|vorsitzende[rn]?)\b|"
        r"\bjoins?\b[^.!?]{0,60}\bas\b[^.!?]{0,20}\b(?:chief|ceo|cfo|cto|coo|cmo|cro|president|vp|vice president|"
        r"managing director|head of|general counsel)\b|\bsteps? down\b|\bsuccession\b|"
        r"\bnew (?:ceo|cfo|cto|coo|cmo|cro|president|chief \w+ officer|managing director)\b|"
        r"\bneue[rn]? (?:geschäftsführer(?:in)?|vorstand|ceo|cfo|cto)\b|\bwechsel an der spitze\b", re.I)),
    ("expansion", re.compile(
        r"\bopen(?:s|ed|ing)\b[^.!?]{0,30}\b(?:new|first|second|third|its|an?|our)\b[^.!?]{0,20}\b(?:office|headquarters|"
        r"hq|location|facility|plant|factory|hub|campus|site|subsidiary|branch|warehouse|data cent(?:er|re))\b|"
        r"\bexpand(?:s|ed|ing)\b[^.!?]{0,40}?\b(?:to|into|operations|presence|capacity|footprint)\b|"
        r"\bexpansion (?:in|into|to|of (?:its|our))\b|\bnew (?:office|headquarters|facility|plant|gigafactory)\b|"
        r"\binvest(?:s|ed)\b[^.!?]{0,40}\bin (?:a |its |their )?new\b[^.!?]{0,20}\b(?:plant|facility|factory|site)\b|"
        r"\beröffnet\b[^.!?]{0,50}\b(?:standort|büro|niederlassung|werk|filiale|zentrale)\b|\bexpandiert\b|"
        r"\bneue[rns]? (?:standort|büro|werk|niederlassung)\b|\bkapazität\b[^.!?]{0,40}\berhöh|"
        r"\berhöh\w*\b[^.!?]{0,40}kapazität|\binvestiert\b[^.!?]{0,60}\b(?:werk|fabrik|gigafactory|standort)", re.I)),
    ("partnership", re.compile(
        r"\bpartner(?:s|ed|ing)? with\b|\b(?:strategic |technology |global )?partnership (?:with|between)\b|"
        r"\bteams? up with\b|\bjoins? forces\b|\bstrategic alliance\b|\bcollaborat(?:es|ed|ion) with\b|"
        r"\b(?:strategische |vereinbaren |schließen )?(?:kooperation|partnerschaft) mit\b|"
        r"\b(?:intensivier|vertief|vereinbar|startet|beginn|besiegel)\w*\b[^.!?]{0,30}\b(?:zusammenarbeit|kooperation|"
        r"partnerschaft)\b", re.I)),
    ("product_launch", re.compile(
        r"\blaunch(?:es|ed)\b|\bintroduc(?:es|ed)\b|\bunveil(?:s|ed)\b|\bdebuts\b|\b(?:generally|now) available\b|"
        r"\bannounces? (?:the )?(?:availability|release|launch)\b|\breleas(?:es|ed)\b[^.!?]{0,30}\b(?:version|v\d|new)\b|"
        r"\bstellt\b[^.!?]{0,60}\bvor\b|\bbringt\b[^.!?]{0,60}\bauf den markt\b|\bmarkteinführung\b|"
        r"\bneue[sn]? (?:produkt|lösung|plattform)\b", re.I)),
)
_NEWS_PATH = re.compile(r"(?i)/(?:news|newsroom|press|presse|press-releases?|pressemitteilungen?|media|blog|"
                        r"aktuelles|neuigkeiten|announcements?|insights|stories|updates)(?:/|$|\.)")
_CAREERS_PATH = re.compile(r"(?i)/(?:careers?|jobs?|join(?:-us)?|work-with-us|vacancies|openings|open-positions|"
                           r"karriere|stellen(?:angebote)?|jobboerse|jobbörse)(?:/|$|\.|-)")
_JOB_HREF = re.compile(r"(?i)(?:/(?:jobs?|careers?|positions?|openings?|vacanc(?:y|ies)|stellen(?:angebote)?|"
                       r"job-?offers?|apply|postings?)/[^/?#]{3,}|greenhouse\.io/.+/jobs/\d|jobs\.lever\.co/[^/]+/[0-9a-f-]{8,}|"
                       r"\.jobs\.personio\.(?:de|com)/job/\d|myworkdayjobs\.com/.+/job/|smartrecruiters\.com/[^/]+/\d|"
                       r"ashbyhq\.com/[^/]+/[0-9a-f-]{8,}|workable\.com/.+/j/|recruitee\.com/o/|teamtailor\.com/jobs/\d)")
_JOB_WORDS = frozenset(("intern", "internship", "praktikum", "praktikant", "praktikantin", "werkstudent",
                        "werkstudentin", "trainee", "apprentice", "auszubildende", "azubi", "ausbildung", "sdr", "bdr",
                        "writer", "scientist", "account", "executive", "support", "success", "sales", "mitarbeiter",
                        "fachkraft", "sachbearbeiter", "kaufmann", "kauffrau", "elektriker", "monteur", "mechaniker"))
_GENDER = re.compile(r"\((?:m/w/d|w/m/d|m/f/d|f/m/d|d/f/m|m/w/x|all genders|w/m/x|m/f/x|mwd|gn)\)", re.I)
_NOT_JOBS = re.compile(r"(?i)^(?:view|see|browse|search|all|apply|open|current|our|join|learn|read|more|find|explore|"
                       r"jobs?|careers?|karriere|stellen|back|zurück|alle|mehr)\b")
FUNCTIONS = ("engineering", "sales", "marketing", "finance", "operations", "customer_success", "hr", "other")
_FUNCTION_MAP = {"engineering": "engineering", "it": "engineering", "data": "engineering", "security": "engineering",
                 "sales": "sales", "revops": "sales", "marketing": "marketing", "finance": "finance",
                 "procurement": "operations", "operations": "operations", "customer_success": "customer_success",
                 "hr": "hr"}


_JOB_KEYWORDS = (  # checked before the stakeholder title classifier: "Product Marketing Manager" is marketing
    ("marketing", re.compile(r"(?i)\b(?:marketing|marketer|seo|sem|content|brand|communications?|pr|social media)\b")),
    ("customer_success", re.compile(r"(?i)\b(?:customer success|customer support|support|customer service|"
                                    r"customer experience|kundenservice|kundenbetreuung|onboarding)\b")),
    ("sales", re.compile(r"(?i)\b(?:sales|account executive|business development|sdr|bdr|vertrieb|verkauf|"
                         r"account manager|presales|pre-sales)\b")),
    ("hr", re.compile(r"(?i)\b(?:recruit\w*|talent|people (?:ops|operations|partner)|hr|human resources|personal\w*)\b")),
    ("finance", re.compile(r"(?i)\b(?:finance|financial|accountant|accounting|controller|controlling|buchhaltung|"
                           r"tax|treasury|payroll)\b")),
)


def job_function(title: str) -> str:
    """engineering, sales, marketing, finance, operations, customer_success, hr or other."""
    for fn, rx in _JOB_KEYWORDS:
        if rx.search(title):
            return fn
    try:
        fn = classify_title(title).function
    except Exception:  # noqa: BLE001
        fn = None
    return _FUNCTION_MAP.get(fn or "", "other")


def classify(text: str) -> str | None:
    for kind, rx in RULES:
        if rx.search(text):
            return kind
    return None


def _is_job_title(text: str) -> bool:
    t = clean(text)
    if not 4 <= len(t) <= 120 or _NOT_JOBS.match(t) or t.endswith((".", "?", "!")):
        return False
    if _GENDER.search(t):
        return True
    words = t.split()
    if not 1 <= len(words) <= 8 or t[0].isdigit():
        return False
    return any(roles.is_head(w) or roles.fold(w) in _JOB_WORDS for w in words)


def _hiring(doc: Doc, data: Structured, at: dt.datetime) -> list[SignalFact]:
    titles: list[str] = []
    seen: set[str] = set()

    def add(title: str) -> None:
        key = re.sub(r"\W+", " ", title.casefold()).strip()
        if key and key not in seen and len(titles) < 500:
            seen.add(key)
            titles.append(clean(title))

    postings = [e for e in data.entities if e.is_a(("JobPosting",))]
    for e in postings:
        t = e.get("title", "name")
        if t:
            add(t)
    h1 = next((b.text for b in doc.blocks if b.tag == "h1"), "")
    careers = bool(_CAREERS_PATH.search(urlsplit(doc.url).path) or re.search(
        r"(?i)^(?:careers?|jobs|open (?:roles|positions)|karriere|stellenangebote|offene stellen|we.re hiring|"
        r"join (?:our|the) team|work (?:with|at) us)\b", h1))
    link_jobs = 0
    for href, text in doc.links:
        if _JOB_HREF.search(href) and _is_job_title(text) or careers and _GENDER.search(text or ""):
            add(text)
            link_jobs += 1
    if careers:
        for b in doc.blocks:
            if not b.nav and b.tag in ("h2", "h3", "h4", "h5", "li", "td", "dt") and _is_job_title(b.text) and (
                    _GENDER.search(b.text) or b.tag in ("h3", "h4", "h5", "li")) and roles.name_of(b.text) is None:
                if b.tag == "li" and not (_GENDER.search(b.text) or any(roles.is_head(w) for w in b.text.split())):
                    continue
                add(b.text)
    if not titles:
        return []
    counts = Counter(job_function(t) for t in titles)
    roles_by_fn = {fn: counts[fn] for fn in FUNCTIONS if counts.get(fn)}
    summary = ", ".join(f"{n} {fn.replace('_', ' ')}" for fn, n in roles_by_fn.items())
    source = "JobPosting" if postings else "job links" if link_jobs else "careers page headings"
    conf = 0.9 if postings else 0.7 if link_jobs else 0.55
    text = f"{len(titles)} open role{'s' if len(titles) != 1 else ''} ({summary}): " + "; ".join(titles[:8])
    return [SignalFact("hiring", at.date(), text[:500], doc.url, at, conf,
                       {"roles": roles_by_fn, "open_roles": len(titles), "titles": titles[:50], "from": source})]


def _page_date(doc: Doc, data: Structured, today: dt.date) -> dt.date | None:
    for e in data.entities:
        if e.is_a(ARTICLE_TYPES) and not e.nested:
            d = dates.parse_date(e.get("datePublished", "dateCreated", "dateModified"), today)
            if d:
                return d
    for name in ("article:published_time", "og:published_time", "datepublished", "date", "dc.date", "dcterms.date",
                 "publish-date", "pubdate", "article:modified_time"):
        d = dates.parse_date(doc.meta(name), today)
        if d:
            return d
    for t in doc.times[:5]:
        d = dates.parse_date(str(t.get("datetime") or t.get_text()), today)
        if d:
            return d
    return dates.url_date(doc.url, today)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"“])", text) if 25 <= len(s.strip()) <= 400]


def _news_items(doc: Doc, today: dt.date, month_first: bool) -> list[tuple[str, dt.date | None, Block]]:
    """(headline, date, block) of a news/press list: a heading or link line with a date at hand."""
    out = []
    blocks = [b for b in doc.blocks if not b.nav]
    for i, b in enumerate(blocks):
        if not (b.tag in ("h1", "h2", "h3", "h4", "h5", "li", "dt") or b.bold) or not 15 <= len(b.text) <= 250 \
                or len(b.text.split()) < 4:
            continue
        hit = dates.find_date(b.text, today, month_first)
        if not hit:  # a date next to the headline: the one sharing the tighter container wins
            near = []
            for rank, j in enumerate((i + 1, i - 1, i + 2, i - 2)):
                if 0 <= j < len(blocks) and len(blocks[j].text) <= 400:
                    found = dates.find_date(blocks[j].text, today, month_first)
                    if found:
                        near.append((lca_depth(b, blocks[j]), rank, found))
            hit = min(near)[2] if near else None
        headline = b.text
        if hit and headline.strip() == hit[1]:
            continue
        out.append((headline, hit[0] if hit else None, b))
    return out


def extract_signals(doc: Doc, data: Structured, captured_at: dt.datetime,
                    company_name: str | None = None) -> list[SignalFact]:
    """``company_name`` (from the page's company facts) lets article sentences naming the company count."""
    out: list[SignalFact] = []
    seen: set[tuple[str, str]] = set()
    today = captured_at.date()
    lang = str(doc.soup.html.get("lang") or "").lower() if doc.soup.html else ""
    month_first = lang in ("", "en", "en-us", "en_us")

    def add(kind: str, date: dt.date | None, text: str, conf: float, **detail: object) -> None:
        text = clean(text)[:500]
        norm = re.sub(r"\W+", " ", text.casefold()).strip()
        key = (kind, norm[:200])
        if any(k == kind and (norm.startswith(t) or t.startswith(norm)) for k, t in seen):
            return  # the same item again ("Headline" and "Headline in Tennessee")
        if text and key not in seen and len(out) < MAX_SIGNALS:
            seen.add(key)
            out.append(SignalFact(kind, date, text, doc.url, captured_at, conf, dict(detail)))

    content = is_content_page(doc, data)
    name = company_name or ""
    mention = re.compile(r"(?i)\b(?:we|our|us|wir|unser\w*" + (
        "|" + re.escape(name.split()[0]) if len(name.split()[0] if name.split() else "") >= 3 else "") + r")\b")
    for step in ("hiring", "articles", "page", "list"):
        try:
            if step == "hiring":
                out.extend(_hiring(doc, data, captured_at))
            elif step == "articles":
                for e in data.entities:
                    if e.is_a(ARTICLE_TYPES):
                        head = e.get("headline", "name")
                        d = dates.parse_date(e.get("datePublished", "dateCreated"), today)
                        kind = classify(" ".join(x for x in (head, e.get("description")) if x)) if head else None
                        if head and kind:
                            add(kind, d, head, 0.8, source=f"{e.source} {e.types[0]}")
            elif step == "page":
                h1 = next((i for i, b in enumerate(doc.blocks) if b.tag == "h1"), None)
                head = doc.blocks[h1].text if h1 is not None else (doc.title or "")
                kind = classify(head)
                if kind and (content or kind not in ("product_launch",)):
                    d = _page_date(doc, data, today)
                    if d is None and h1 is not None:
                        for b in doc.blocks[max(0, h1 - 3):h1 + 4]:
                            hit = dates.find_date(b.text[:300], today, month_first)
                            if hit:
                                d = hit[0]
                                break
                    add(kind, d, head, 0.75 if content else 0.65, source="headline")
                if content:
                    d = _page_date(doc, data, today)
                    body = [b for b in doc.blocks if not b.boiler and b.tag in ("p", "li", "div", "blockquote", "td")]
                    n = 0
                    for b in body:
                        for sentence in _sentences(b.text):
                            n += 1
                            kind = classify(sentence)
                            if kind and mention.search(sentence):
                                add(kind, d, sentence, 0.55, source="article text")
                            if n >= MAX_SENTENCES:
                                break
                        if n >= MAX_SENTENCES:
                            break
            elif step == "list" and not content and _NEWS_PATH.search(urlsplit(doc.url).path or "/"):
                dated = 0
                for headline, d, _b in _news_items(doc, today, month_first):
                    kind = classify(headline)
                    if kind:
                        add(kind, d, headline, 0.7 if d else 0.5, source="news list")
                    elif d and dated < 20:
                        dated += 1
                        add("news", d, headline, 0.5, source="news list")
        except Exception:  # noqa: BLE001 - a failing rule yields nothing, the page goes on
            continue
    return out
