"""Turning whatever a user types into a safe full-text query for FTS5 or PostgreSQL ``tsquery``.

Nothing the user types reaches either query language as syntax: words are split on anything that is not a
letter, digit or combining mark, each word is quoted, and only a small, forgiving grammar is recognized —
``"exact phrase"``, ``-word`` / ``NOT word`` to exclude, ``OR`` between words, a trailing ``*`` for a prefix.
Unbalanced quotes, stray operators, emoji and 5,000-character pastes all parse into *some* query (possibly
empty) and never into an error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from content_library.stopwords import STOPWORDS

MAX_TERMS = 32
MAX_WORD = 64  # longer "words" are truncated (FTS5 and tsvector both choke on huge tokens)
MIN_PREFIX = 2  # a one-letter prefix would match half the index


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # more than one → an exact phrase
    prefix: bool = False  # the last word may be the start of a longer word
    negated: bool = False
    or_with_previous: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = field(default_factory=tuple)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def is_empty(self) -> bool:
        return not self.positive

    def words(self) -> list[str]:
        return [w for t in self.positive for w in t.words]

    def as_any(self) -> ParsedQuery:
        """The same words joined by OR (the fallback when no item has all of them), without the English
        function words of :mod:`content_library.stopwords`: an item that shares only "the" or "of" with the
        query is no hit. Phrases, prefixes and exclusions stay, and so does everything when only function
        words were typed."""
        kept = [t for t in self.terms if not _is_function_word(t)]
        if not any(not t.negated for t in kept):
            kept = list(self.terms)
        return ParsedQuery(tuple(
            Term(t.words, t.prefix, t.negated, or_with_previous=i > 0 and not t.negated)
            for i, t in enumerate(kept)
        ))


def _is_function_word(t: Term) -> bool:
    return not t.negated and not t.prefix and len(t.words) == 1 and t.words[0].lower() in STOPWORDS


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Co"


def _split_words(text: str) -> list[str]:
    words, current = [], []
    for ch in text:
        if _is_word_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current)[:MAX_WORD])
            current = []
    if current:
        words.append("".join(current)[:MAX_WORD])
    return words


def parse(text: str, *, prefix_last: bool = False) -> ParsedQuery:
    """Parse ``text`` into terms. ``prefix_last`` treats the last word as typed-so-far (search as you type)."""
    text = unicodedata.normalize("NFC", text or "")[:5000]
    terms: list[Term] = []
    negate_next = or_next = False
    i, n = 0, len(text)
    while i < n and len(terms) < MAX_TERMS:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':  # a phrase, up to the closing quote or the end
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            words = _split_words(text[i + 1:end])
            if words:
                terms.append(Term(tuple(words), False, negate_next, or_next and not negate_next))
                negate_next = or_next = False
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        chunk = text[i:j]
        i = j
        if chunk in ("OR", "|") and terms:
            or_next = True
            continue
        if chunk in ("AND", "&", "+"):
            continue
        if chunk == "NOT":
            negate_next = True
            continue
        negated = negate_next or (chunk.startswith("-") and len(chunk) > 1)
        words = _split_words(chunk)
        if not words:
            continue
        prefix = chunk.rstrip().endswith("*") and len(words[-1]) >= MIN_PREFIX
        for k, word in enumerate(words):  # "e-mail" → e, mail; "co.uk" → co, uk (all required)
            last = k == len(words) - 1
            terms.append(Term((word,), prefix and last, negated, or_next and k == 0 and not negated))
        negate_next = or_next = False
    if prefix_last and terms and not text.rstrip("\"").endswith((" ", "\t", "\n")):
        last = terms[-1]
        if not last.negated and len(last.words) == 1 and len(last.words[0]) >= MIN_PREFIX:
            terms[-1] = Term(last.words, True, False, last.or_with_previous)
    if terms and all(t.negated for t in terms):  # nothing to look for: "-x" alone matches nothing sensible
        return ParsedQuery(())
    return ParsedQuery(tuple(terms))


def _groups(q: ParsedQuery) -> list[list[Term]]:
    """Positive terms as AND-ed groups of OR-ed alternatives: ``a b OR c`` → [[a], [b, c]]."""
    groups: list[list[Term]] = []
    for t in q.positive:
        if t.or_with_previous and groups:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def _fts5_term(t: Term) -> str:
    phrase = '"' + " ".join(t.words) + '"'  # our words never contain a double quote
    return f"{phrase} OR {phrase}*" if t.prefix else phrase


def to_fts5(q: ParsedQuery) -> str:
    """An FTS5 MATCH expression; every word double-quoted, so nothing is ever read as syntax."""
    out = " AND ".join("(" + " OR ".join(_fts5_term(t) for t in g) + ")" for g in _groups(q))
    for t in q.terms:
        if t.negated and out:
            out = f"({out}) NOT ({_fts5_term(t)})"
    return out


def _ts_term(t: Term) -> str:
    words = [f"'{w}'" + (":*" if t.prefix and k == len(t.words) - 1 else "") for k, w in enumerate(t.words)]
    return "(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0]


def to_tsquery(q: ParsedQuery) -> str:
    """A ``to_tsquery`` string; words are single-quoted lexemes of letters/digits only, so it always parses."""
    parts = ["(" + " | ".join(_ts_term(t) for t in g) + ")" for g in _groups(q)]
    parts += [f"!{_ts_term(t)}" for t in q.terms if t.negated and parts]
    return " & ".join(parts)
