"""People with job titles from team, leadership and about pages → stakeholder candidates.

Where they are found, by confidence:

- schema.org ``Person`` with a ``jobTitle`` (JSON-LD 0.9, microdata 0.85), an Organization's ``founder`` (0.8);
- a name line next to a title line: cards, lists, headings followed by a title, table cells (0.8) — with the
  title above the name when the DOM says so (the tighter common ancestor wins);
- one line holding both: "Jane Doe, Chief Financial Officer", "Jane Doe – CFO", "Jane Doe (CFO)",
  "Kathy Roddy Tutor", "CEO: Jane Doe", "Geschäftsführer: Max Mustermann" (0.75);
- the layout learnt from those: a name line laid out like the recognised ones takes the line laid out like
  their titles even without a role word ("Industrial Markets") (0.6);
- prose: "…, said Jane Doe, Chief Financial Officer of …", "CEO Jane Doe", "Jane Doe is the CFO",
  "Jane Doe has been appointed as CFO" (0.5).

Names and titles are recognised by :mod:`roles`. One person per normalised name and page (best title kept).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import Tag

from accounts.research.extract import roles
from accounts.research.extract.structured import ORG_TYPES, Entity, Structured
from accounts.research.extract.text import Block, Doc, ancestors, lca_depth
from accounts.research.facts import PersonFact

MAX_PEOPLE = 300
_SEPS = re.compile(r"\s*(?:,|\s[-–—|/•·\ufffd]\s|\s?[–—|\ufffd]\s?|:)\s*")
_SPLIT = re.compile(r"[\s,;:()|/&\"“”.'’]+")
_HEADS_PLAIN = frozenset(h.replace(".", "") for h in roles.HEADS)
_DE_HEAD = re.compile(r"(?:leiter|führer|berater|entwickler|ingenieur|referent|manager)(?:in)?\b")


_CAP_RUN = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?\b[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|"
                      r"van|von|de|der|da|di|du|la|le)){1,5}")
_PROSE_AFTER = re.compile(
    r"^\s*(?:,\s*(?:who\s+is\s+)?(?:the\s+|our\s+|its\s+)?|\s+(?:is|serves\s+as|has\s+been\s+(?:named|appointed|promoted\s+to)"
    r"(?:\s+as)?|was\s+(?:named|appointed|promoted\s+to)(?:\s+as)?|joins(?:\s+\w+)?\s+as|will\s+join(?:\s+\w+)?\s+as|"
    r"ist|wurde\s+zum|wird)\s+(?:the\s+|our\s+|a\s+|an\s+|its\s+|their\s+|new\s+|unser(?:e)?\s+|neue[rn]?\s+)*)")
_APPOINT_BEFORE = re.compile(r"(?i)\b(?:appoint(?:s|ed)?|nam(?:es|ed)|hir(?:es|ed)|promot(?:es|ed)|welcom(?:es|ed)|"
                             r"tapp(?:s|ed)|elect(?:s|ed)|ernennt|beruft|holt)\s+$")
_APPOINT_AFTER = re.compile(r"(?i)^\s+(?:as|to|zum|zur|als)\s+(?:the\s+|its\s+|our\s+|their\s+|new\s+|neue[nr]?\s+)*")
_DE_LABEL = re.compile(r"(?i)\b(geschäftsführer(?:in)?|geschäftsführung|inhaber(?:in)?|vorstand|"
                       r"vorstandsvorsitzende[r]?|vertretungsberechtigte[r]?\s+geschäftsführer(?:in)?|"
                       r"managing\s+directors?|directors?|ceo|owner)\s*:\s*")


def has_head(text: str) -> bool:
    """Whether ``text`` holds a role word (a fast pre-check before the patterns run)."""
    low = text.lower()
    if not _HEADS_PLAIN.isdisjoint(_SPLIT.split(low)):
        return True
    return any(s in low for s in ("leiter", "führer", "berater", "entwickler", "ingenieur", "referent", "manager")) \
        and _DE_HEAD.search(low) is not None


@dataclass
class _Cand:
    name: str
    title: str | None
    confidence: float
    evidence: str
    block: Block | None = None
    kind: str = ""


def _sig(b: Block) -> tuple[str, str, str, str]:
    """The layout of a line: its block tag, class, parent tag and inline style."""
    el = b.element
    cls = str(el.get("class") or "")
    parent = el.parent.name if isinstance(el.parent, Tag) else ""
    return b.tag, cls, parent or "", str(el.get("style") or "")[:120]


class _Lines:
    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        self._names: dict[int, str | None] = {}
        self._titles: dict[int, str | None] = {}

    def name(self, i: int) -> str | None:
        if i not in self._names:
            t = self.blocks[i].text
            self._names[i] = roles.name_of(t) if len(t) <= 80 and t[:1].isalpha() and " " in t else None
        return self._names[i]

    def title(self, i: int) -> str | None:
        if not 0 <= i < len(self.blocks):
            return None
        if i not in self._titles:
            t = self.blocks[i].text
            self._titles[i] = roles.title_of(t) if len(t) <= 110 and has_head(t) else None
        return self._titles[i]


_ORGISH = re.compile(r"(?i)\b(?:inc|llc|ltd|gmbh|corp|company|co|centre|center|bank|university|hospital|"
                     r"school|college|group|association|foundation|institute|ag|plc|pty)\b\.?")


def _department(text: str) -> str | None:
    """A continuation line of a title ("Customer Engagement" under "Senior Vice President")."""
    t = roles.title_of(text, require_head=False)
    if not t or len(t) > 60 or _ORGISH.search(t):
        return None
    return t if any(roles.fold(w) in roles.MODIFIERS - roles.CONNECTORS for w in t.split()) else None


def _title_tail(text: str) -> str | None:
    """The title at the start of ``text`` (the rest of a "Name, …" line)."""
    t = roles.clean_title(text.strip())
    segs = [s.strip() for s in t.split(",")]
    kept: list[str] = []
    for s in segs:
        if roles.title_of(s) or (kept and s and (all(roles.fold(w) in roles.MODIFIERS for w in s.split())
                                                 or _department(s))):
            kept.append(s)
        else:
            break
    if kept:
        return ", ".join(kept)
    words = t.split()
    n = roles.title_prefix(words)
    if n:
        return " ".join(words[:n])
    return None


def _inline(text: str) -> tuple[str, str] | None:
    """(name, title) when one short line holds both."""
    if len(text) > 220:
        text = text[:220]
    m = re.match(r"^(.{4,60}?)\s*\(([^()]{2,80})\)\s*$", text)
    if m:
        name, title = roles.name_of(m.group(1)), roles.title_of(m.group(2))
        if name and title:
            return name, title
    named: list[tuple[str, str]] = []
    for sep in _SEPS.finditer(text):
        left, right = text[: sep.start()], text[sep.end():]
        if len(left) > 80:
            break
        if not right:
            continue
        name = roles.name_of(left)
        if name:
            named.append((name, right))
        elif len(right) <= 80 and not named:
            title = roles.title_of(left)
            rname = roles.name_of(right)
            if title and rname:
                return rname, title
    for name, right in reversed(named):  # the longest name first: "Jane Doe, MS, RD - Owner"
        title = _title_tail(right)
        if title:
            return name, title
    words = text.split()
    if len(words) <= 12 and len(text) <= 90:
        for k in range(2, min(7, len(words))):
            name = roles.name_of(" ".join(words[:k]))
            if name:
                title = roles.title_of(" ".join(words[k:]))
                if title:
                    return name, title
    n = roles.title_prefix(words[:8])
    if 0 < n <= 6 and n < len(words) and words[n - 1][-1:] not in ",;:" and roles.fold(words[0]) not in roles.CONNECTORS:
        for k in range(min(len(words), n + 6), n + 1, -1):
            name = roles.name_of(" ".join(words[n:k]))
            if name:
                return name, " ".join(words[:n])
    return None


def _from_lines(doc: Doc, out: list[_Cand]) -> None:
    blocks = [b for b in doc.blocks if not b.nav]
    lines = _Lines(blocks)
    used_titles: set[int] = set()
    pairs: list[tuple[Block, Block]] = []
    for i, b in enumerate(blocks):
        name = lines.name(i)
        if name:
            nxt, prv = lines.title(i + 1), lines.title(i - 1) if i > 0 else None
            if nxt and prv and i - 1 not in used_titles:
                # title above or below the name: the block sharing the tighter container wins
                if lca_depth(b, blocks[i - 1]) < lca_depth(b, blocks[i + 1]):
                    nxt = None
            if nxt:
                parts, j = [nxt], i + 2
                while j < len(blocks) and j <= i + 3 and not lines.name(j):
                    more = lines.title(j) or (_department(blocks[j].text)
                                              if blocks[j].element is blocks[j - 1].element else None)
                    if not more:
                        break
                    parts.append(more)
                    j += 1
                used_titles.update(range(i + 1, j))
                title = ", ".join(p.strip(" ,") for p in parts)
                out.append(_Cand(name, title, 0.8, f"{b.text} / {title}", b, "card"))
                pairs.append((b, blocks[i + 1]))
            elif prv and i - 1 not in used_titles:
                used_titles.add(i - 1)
                out.append(_Cand(name, prv, 0.75, f"{prv} / {b.text}", b, "card-above"))
            continue
        if len(b.text) <= 220 and has_head(b.text[:220]):
            hit = _inline(b.text)
            if hit:
                out.append(_Cand(hit[0], roles.clean_title(hit[1]), 0.75, b.text[:300], b, "inline"))
    _from_template(blocks, lines, pairs, out)


def _from_template(blocks: list[Block], lines: _Lines, pairs: list[tuple[Block, Block]],
                   out: list[_Cand]) -> None:
    """Name lines laid out like ≥2 recognised ones take the line laid out like their titles."""
    if len(pairs) < 2:
        return
    counts = Counter((_sig(n), _sig(t)) for n, t in pairs)
    layouts = {k for k, c in counts.items() if c >= 3 and (k[0][1] or k[0][3])}
    name_sigs = {k[0] for k in layouts}
    if not layouts:
        return
    have = {id(c.block) for c in out if c.block is not None}
    for i, b in enumerate(blocks):
        if id(b) in have or i + 1 >= len(blocks) or _sig(b) not in name_sigs:
            continue
        name = lines.name(i)
        if not name:
            continue
        nb = blocks[i + 1]
        if (_sig(b), _sig(nb)) in layouts and not lines.name(i + 1):
            title = roles.title_of(nb.text, require_head=False)
            if title and not re.search(r"(?i)\b(?:inc|llc|ltd|gmbh|corp|company|co)\b\.?", title):
                out.append(_Cand(name, title, 0.6, f"{b.text} / {nb.text}", b, "layout"))


def _from_prose(doc: Doc, out: list[_Cand]) -> None:
    for b in doc.blocks:
        text = b.text
        if len(text) < 25 or b.nav:
            continue
        text = text[:4000]
        if not has_head(text):
            continue
        for m in _DE_LABEL.finditer(text):
            label = m.group(1)
            rest = re.split(r"[;\n]|\s{2,}|\.\s", text[m.end():m.end() + 200])[0]
            for part in re.split(r",|\bund\b|\band\b|&", rest):
                words = part.split()
                for k in range(min(5, len(words)), 1, -1):
                    name = roles.name_of(" ".join(words[:k]))
                    if name:
                        out.append(_Cand(name, label[:1].upper() + label[1:], 0.6, text[max(0, m.start() - 40):
                                                                                         m.end() + 120], b, "label"))
                        break
        for m in _CAP_RUN.finditer(text):
            found = _name_in_run(m.group(0))
            if not found:
                continue
            name, offset, length = found
            start = m.start() + offset
            end = start + length
            after = text[end:end + 160]
            title = None
            if re.search(r"[.!?:]\s*$", text[:start]) is None and len(text[:start].split()) <= 6:
                label = text[:start].split()
                if label and roles.title_prefix(label) == len(label) and roles.is_head(label[-1]):
                    title = " ".join(label)  # a label at the start of the block: "Clinical Director Lovely …"
            ma = None if title else _PROSE_AFTER.match(after)
            if not title and not ma and _APPOINT_BEFORE.search(text[max(0, start - 40):start]):
                ma = _APPOINT_AFTER.match(after)  # "appointed John Smith as Chief Financial Officer"
            if ma:
                rest = after[ma.end():].split()
                n = roles.title_prefix(rest)
                if n:
                    title = " ".join(rest[:n])
            if not title:
                mp = re.match(r"^\s*\(([^()]{2,60})\)", after)
                if mp:
                    title = roles.title_of(mp.group(1))
            if not title and text[max(0, start - 2):start].strip() not in (",", ";", ":", ".", "-", "–", "—"):
                before = text[max(0, start - 80):start].split()
                for k2 in range(min(5, len(before)), 0, -1):
                    cand = before[-k2:]
                    if roles.fold(cand[0]) in roles.CONNECTORS or any(
                            roles.fold(w) in ("and", "und", "&") and not roles.is_head(cand[i + 1])
                            for i, w in enumerate(cand[:-1])) or _name_in_run(" ".join(cand)):
                        continue
                    if roles.title_prefix(cand) == len(cand) and roles.is_head(cand[-1]):
                        title = " ".join(cand)
                        break
            if title:
                title = roles.clean_title(title)
                if title and roles.title_of(title):
                    sent_start = max(text.rfind(". ", 0, start) + 2, 0)
                    sent_end = text.find(". ", end)
                    evidence = text[sent_start: sent_end + 1 if sent_end > 0 else len(text)][:300]
                    out.append(_Cand(name, title, 0.5, evidence, b, "prose"))


def _name_in_run(run: str) -> tuple[str, int, int] | None:
    """(name, character offset, length) of the first person name inside a run of capitalised words."""
    words = run.split()
    pos = 0
    for s in range(min(len(words) - 1, 6)):
        for k in range(min(5, len(words) - s), 1, -1):
            chunk = " ".join(words[s:s + k])
            name = roles.name_of(chunk)
            if name:
                return name, run.index(chunk, pos), len(chunk)
        pos = run.index(words[s], pos) + len(words[s])
    return None


def _from_structured(data: Structured, out: list[_Cand]) -> None:
    for e in data.entities:
        if e.is_a(("Person",)):
            name = e.get("name") or " ".join(x for x in (e.get("givenName"), e.get("familyName")) if x)
            title = e.get("jobTitle", "roleName")
            if name and title and (roles.name_of(name) or len(name.split()) >= 2):
                conf = 0.9 if e.source == "json-ld" else 0.85
                out.append(_Cand(roles.name_of(name) or name, title, conf, f"{e.source} Person {name}: {title}",
                                 None, "schema"))
        elif e.is_a(ORG_TYPES) and not e.nested:
            for f in e.all("founder"):
                name = f.get("name") if isinstance(f, Entity) else (f if isinstance(f, str) else None)
                if name and roles.name_of(name):
                    title = (f.get("jobTitle") if isinstance(f, Entity) else None) or "Founder"
                    out.append(_Cand(roles.name_of(name) or name, title, 0.8, f"{e.source} founder {name}", None,
                                     "schema"))


_QUOTE_CLASS = re.compile(r"(?i)testimonial|quote|review|client-say|customer-say|kundenstimme|referenz")


def _in_testimonial(b: Block) -> bool:
    for el in ancestors(b.element, 6):
        if el.name in ("blockquote", "q", "cite") or _QUOTE_CLASS.search(str(el.get("class") or "")):
            return True
    return False


def _key(name: str) -> str:
    """First and last word: "Klaas Bollhoefer" and "Klaas Wilhelm Bollhoefer" are one person."""
    words = [w for w in re.sub(r"[^\w\s-]", " ", name.casefold()).split() if len(w) > 1]
    return f"{words[0]} {words[-1]}" if len(words) >= 2 else " ".join(words)


def _contact_links(c: _Cand, owners: dict[int, int]) -> tuple[str | None, str | None]:
    """An e-mail and a LinkedIn profile in the smallest container holding only this person."""
    if c.block is None:
        return None, None
    for anc in ancestors(c.block.element, 5)[1:]:
        if owners.get(id(anc), 0) > 1:
            break
        email = linkedin = None
        for a in anc.find_all("a", href=True, limit=40):
            href = str(a.get("href"))
            if href.lower().startswith("mailto:") and not email:
                email = href[7:].split("?")[0].strip() or None
            elif "linkedin.com/in/" in href and not linkedin:
                linkedin = href.split("?")[0]
        if email or linkedin:
            return email, linkedin
    return None, None


def extract_people(doc: Doc, data: Structured, captured_at: dt.datetime,
                   company_name: str | None = None) -> list[PersonFact]:
    """``company_name`` (the page's) is cut from titles: "Chief Executive Officer of Acme" → "… Officer"."""
    cands: list[_Cand] = []
    for step in (lambda: _from_structured(data, cands), lambda: _from_lines(doc, cands),
                 lambda: _from_prose(doc, cands)):
        try:
            step()
        except Exception:  # noqa: BLE001 - a failing pattern yields nothing, the others still count
            continue
    best: dict[str, _Cand] = {}
    order: list[str] = []
    for c in cands:
        k = _key(c.name)
        if not k:
            continue
        cur = best.get(k)
        if cur is None:
            best[k] = c
            order.append(k)
        elif (c.title is not None, c.confidence) > (cur.title is not None, cur.confidence):
            best[k] = c
    chosen = [best[k] for k in order][:MAX_PEOPLE]
    first = (company_name or "").split()[0] if (company_name or "").split() else ""
    if len(first) >= 3:
        cut = re.compile(r"\s*(?:,|\bof|\bat|\bbei|@)\s+(?:the\s+)?" + re.escape(first) + r"\b.*$", re.I)
        for c in chosen:
            if c.title:
                c.title = cut.sub("", c.title) or c.title
    owners: dict[int, int] = {}
    for c in chosen:
        if c.block is not None:
            for anc in ancestors(c.block.element, 5)[1:]:
                owners[id(anc)] = owners.get(id(anc), 0) + 1
    facts = []
    page_host = urlsplit(doc.url).hostname or ""
    for c in chosen:
        if c.block is not None and _in_testimonial(c.block):
            c.confidence = max(0.3, c.confidence - 0.3)  # a customer quoted on the page, not (likely) staff
        try:
            email, linkedin = _contact_links(c, owners)
        except Exception:  # noqa: BLE001
            email = linkedin = None
        if email and page_host and "@" in email and not email.lower().endswith(page_host.lower().removeprefix("www.")):
            email = email if "." in email.split("@", 1)[1] else None
        facts.append(PersonFact(name=c.name, title=c.title, source_url=doc.url, captured_at=captured_at,
                                confidence=c.confidence, evidence=c.evidence[:300] or None, email=email,
                                linkedin_url=linkedin))
    return facts
