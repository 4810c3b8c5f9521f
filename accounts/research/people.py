"""People found by research, matched to the account's contacts: names folded for matching (:func:`name_key`),
split into first and last (:func:`split_name`), and the contact who already is this person
(:func:`existing_contact`)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts.models import Contact
from accounts.models.research import ResearchPerson
from accounts.research.facts import PersonFact


def name_key(name: str) -> str:
    """A person's name folded for matching: case, accents, punctuation and titles ignored."""
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("ß", "ss")
    words = re.findall(r"[a-z0-9]+", s)
    words = [w for w in words if w not in _HONORIFICS]
    return " ".join(words)[:200]


_HONORIFICS = frozenset(("dr", "prof", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "herr", "frau", "mme",
                         "mlle", "m", "sr", "sra", "dott", "ing", "dipl", "mag", "phd", "mba", "jr"))
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le", "ter",
                        "ten", "zu", "dos", "das", "bin", "al", "el"))


def split_name(name: str) -> tuple[str | None, str | None]:
    """(first name, last name): honorifics dropped, particles (``van der``, ``de la``) kept with the last name."""
    words = [w for w in name.replace(",", " ").split() if w.strip(".").casefold() not in _HONORIFICS]
    if not words:
        return None, None
    if len(words) == 1:
        return words[0][:120], None
    i = len(words) - 1
    while i > 1 and words[i - 1].casefold() in _PARTICLES:
        i -= 1
    return " ".join(words[:i])[:120], " ".join(words[i:])[:120]


def existing_contact(session: Session, account_id: int, person: PersonFact | ResearchPerson) -> int | None:
    """A contact of the account who is this person: same e-mail, or the same folded name."""
    if person.email:
        found = session.scalar(select(Contact.id).where(Contact.account_id == account_id,
                                                        func.lower(Contact.email) == person.email.strip().lower()))
        if found is not None:
            return found
    key = name_key(person.name)
    for cid, first, last in session.execute(select(Contact.id, Contact.first_name, Contact.last_name)
                                            .where(Contact.account_id == account_id)):
        if key and name_key(" ".join(p for p in (first, last) if p)) == key:
            return cid
    return None

