"""The answer key of the webstruct team pages (``web/webstruct_team``) and the (person, title) pair metric.

Gold pairs. People are ``wa-type="PER"`` spans, titles ``wa-type="FUNC"`` spans; the corpus does not link
them, so:

1. adjacent spans of one label are merged — FUNC spans separated only by whitespace/punctuation (line breaks
   included: "Executive Vice President" / "Chief Financial Officer" is one title), PER spans only on the same
   line ("Michael " + "Eaton");
2. each title goes to the nearer of the person mentioned just before it and the one just after it (fewer line
   breaks between them, then fewer characters, then the one before); a title more than 200 characters from
   both is dropped;
3. a mention with one name word ("Anne", "Dr. Torkian") is resolved to the page's unique full name sharing that
   first or last word, and dropped otherwise; honorifics, credentials and initials are ignored;
4. a gold item is one person with the set of all titles paired with them on the page.

Matching. A predicted (name, title) is a true positive when its name equals a gold person's (after the
normalisation above; same first and last word suffices) and its title matches one of that person's titles:
token Dice ≥ 0.6, or one title's tokens appear as a run in the other with at least two tokens ("Chief Financial
Officer" within "Executive Vice President, Chief Financial Officer"). Precision counts every predicted person
with a title (a person annotated without a title, or an unannotated one, is a false positive); recall counts
gold people found with a matching title. People predicted without a title are not scored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bs4 import BeautifulSoup

_BLOCK = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "section", "article",
          "table", "ul", "ol", "dd", "dt", "header", "footer", "blockquote", "cite", "form", "nav"}
_HON = {"dr", "mr", "mrs", "ms", "prof", "miss", "sir"}
_CRED = {"md", "phd", "ph", "d", "mba", "cpa", "rn", "ms", "msn", "rd", "cd", "pa", "c", "gnp", "jr", "sr", "le",
         "l", "e", "ii", "iii", "esq", "dds"}


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def name_tokens(name: str) -> list[str]:
    toks = re.sub(r"[^\w\s-]", " ", _fold(name)).replace("-", " ").split()
    return [t for t in toks if t not in _HON and t not in _CRED and len(t) > 1]


def title_tokens(title: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", _fold(title).replace("&", " and ")).split()


def same_person(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if len(ta) < 2 or len(tb) < 2:
        return False
    return ta == tb or (ta[0] == tb[0] and ta[-1] == tb[-1])


def title_match(pred: str, gold: str) -> bool:
    p, g = title_tokens(pred), title_tokens(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    sp, sg = set(p), set(g)
    if 2 * len(sp & sg) / (len(sp) + len(sg)) >= 0.6:
        return True
    short, long_ = (p, g) if len(p) <= len(g) else (g, p)
    if len(short) >= 2:
        for i in range(len(long_) - len(short) + 1):
            if long_[i:i + len(short)] == short:
                return True
    return False


@dataclass
class Gold:
    people: dict[str, set[str]] = field(default_factory=dict)  # full name → titles
    annotated: set[str] = field(default_factory=set)  # every full name annotated as PER


def strip_annotations(html: str) -> str:
    """The page as published: the annotator's spans unwrapped."""
    soup = BeautifulSoup(html, "lxml")
    for el in soup.find_all(attrs={"wa-type": True}):
        el.unwrap()
    return str(soup)


def gold_pairs(html: str) -> Gold:
    soup = BeautifulSoup(html, "lxml")
    for el in soup(["script", "style", "noscript"]):
        el.decompose()
    for el in soup.find_all(attrs={"wa-type": True}):
        label = el.get("wa-type")
        if label in ("PER", "FUNC"):
            el.insert_before("\x01" + label[0])
            el.insert_after("\x02")
    for el in soup.find_all(_BLOCK):
        el.insert_before("\n")
        el.insert_after("\n")
    text = soup.get_text()
    spans = [(m.group(1), m.group(2), m.start(), m.end()) for m in re.finditer(r"\x01([PF])([^\x01\x02]*)\x02", text)]
    merged: list[list] = []
    for label, value, start, end in spans:
        if merged and merged[-1][0] == label:
            gap = text[merged[-1][3]:start]
            ok = re.fullmatch(r"[\s,.;:&/–—-]*", gap) if label == "F" else re.fullmatch(r"[ \t\xa0]*", gap)
            if ok:
                joiner = "" if gap == "" else " "
                merged[-1][1] = merged[-1][1] + joiner + value
                merged[-1][3] = end
                continue
        merged.append([label, value, start, end])
    gold = Gold()
    mentions = [m for m in merged if m[0] == "P"]
    full = [re.sub(r"\s+", " ", m[1]).strip() for m in mentions if len(name_tokens(m[1])) >= 2]
    gold.annotated = set(full)

    def resolve(value: str) -> str | None:
        toks = name_tokens(value)
        if len(toks) >= 2:
            return re.sub(r"\s+", " ", value).strip()
        if len(toks) != 1:
            return None
        hits = {f for f in full if name_tokens(f)[0] == toks[0] or name_tokens(f)[-1] == toks[0]}
        return hits.pop() if len(hits) == 1 else None

    for i, (label, value, start, end) in enumerate(merged):
        if label != "F" or not value.strip():
            continue
        prev = next((m for m in reversed(merged[:i]) if m[0] == "P"), None)
        nxt = next((m for m in merged[i + 1:] if m[0] == "P"), None)
        options = []
        if prev is not None:
            gap = text[prev[3]:start]
            options.append((gap.count("\n"), len(gap.strip()), 0, prev))
        if nxt is not None:
            gap = text[end:nxt[2]]
            options.append((gap.count("\n"), len(gap.strip()), 1, nxt))
        options = [o for o in options if o[1] <= 200]
        if not options:
            continue
        person = resolve(min(options, key=lambda o: o[:3])[3][1])
        if person:
            canon = next((p for p in gold.people if same_person(p, person)), person)
            gold.people.setdefault(canon, set()).add(re.sub(r"\s+", " ", value).strip(" ,"))
    return gold


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    gold: int = 0
    found: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold
        self.found += other.found
        self.misses += other.misses
        self.wrong += other.wrong


def score(pred: list[tuple[str, str | None]], gold: Gold, page: str = "") -> Score:
    s = Score(gold=len(gold.people))
    found: set[str] = set()
    for name, title in pred:
        if not title:
            continue
        s.predicted += 1
        person = next((p for p in gold.people if same_person(p, name)), None)
        if person and any(title_match(title, g) for g in gold.people[person]):
            s.tp += 1
            found.add(person)
        else:
            s.wrong.append(f"{page}: {name} — {title}")
    s.found = len(found)
    s.misses = [f"{page}: {p} — {' / '.join(sorted(t))}" for p, t in gold.people.items() if p not in found]
    return s
