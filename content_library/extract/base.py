"""What every extractor returns, and the text clean-up they share (whitespace, caps, summaries)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TEXT = 2_000_000
SUMMARY_CHARS = 300
ERROR_PREFIX = "text not extracted: "

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
_MEANINGFUL_WORDS = 6


@dataclass
class Extracted:
    """The text of one document: ``error`` is a one-line reason when the text could not be read."""

    title: str | None
    text: str
    summary: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    error: str | None = None


class ExtractError(Exception):
    """A document that cannot be read; the message is the reason in a few words ("PDF is encrypted")."""


def clean_line(text: str | None) -> str:
    """One line: control characters dropped, every run of whitespace a single space."""
    return " ".join(_CONTROL.sub("", text or "").split())


def normalize_text(text: str, limit: int = MAX_TEXT) -> str:
    """Readable plain text: one space between words, lines kept, at most one blank line between paragraphs,
    capped at ``limit`` characters (cut at a word boundary)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\v", "\n")
    text = _CONTROL.sub("", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANKS.sub("\n\n", text).strip()
    if len(text) > limit:
        cut = text.rfind(" ", limit - 200, limit)
        text = text[: cut if cut > 0 else limit].rstrip()
    return text


def clip(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters at a sentence end, else a word boundary (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]].strip()
    cut = window.rfind(" ", 0, limit)
    return (window[: cut if cut > limit // 3 else limit - 1].rstrip(" ,;:-–—") + "…").strip()


def make_summary(text: str, limit: int = SUMMARY_CHARS) -> str | None:
    """The first ~``limit`` characters of meaningful text: headings, short labels and table rows skipped."""
    if not text.strip():
        return None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text[: limit * 40])]
    good = [p for p in paragraphs if len(p.split()) >= _MEANINGFUL_WORDS and p.count("|") < 2]
    if not good:
        lines = [" ".join(line.split()) for line in text[: limit * 40].splitlines()]
        good = [line for line in lines if len(line.split()) >= _MEANINGFUL_WORDS] or [" ".join(text.split())]
    out = ""
    for p in good:
        out = f"{out} {p}".strip()
        if len(out) >= limit:
            break
    return clip(out, limit) or None


def failed(reason: str, *, title: str | None = None, metadata: dict[str, object] | None = None) -> Extracted:
    """An extraction that found no text, with its reason."""
    return Extracted(title=title, text="", summary=None, metadata=dict(metadata or {}),
                     error=ERROR_PREFIX + clean_line(reason)[:300])


def finish(result: Extracted) -> Extracted:
    """Normalized text and title, a summary when none was given, and an error when there is no text at all."""
    result.text = normalize_text(result.text)
    result.title = clean_line(result.title)[:500] or None
    given = clean_line(result.summary)
    result.summary = clip(given, 1000) if given else make_summary(result.text)
    if not result.text and result.error is None:
        result.error = ERROR_PREFIX + "no text found in the file"
    return result


def plausible_title(value: object, max_length: int = 300) -> str | None:
    """A document-metadata title worth showing (tools write "Untitled", "PowerPoint Presentation", "Slide 1");
    a longer text than ``max_length`` is a paragraph, not a title."""
    title = clean_line(str(value)) if value else ""
    low = title.lower()
    if not title or len(title) < 2 or len(title) > max_length or low in _PLACEHOLDER_TITLES or low.startswith(("microsoft word - ", "slide ")):
        return None
    if re.fullmatch(r"[\w.-]+\.(docx?|pptx?|pdf|xlsx?|indd|tmp)", low):
        return None
    return title


_PLACEHOLDER_TITLES = {"untitled", "untitled document", "powerpoint presentation", "presentation", "document",
                       "title", "no title", "none", "(anonymous)", "slide 1"}
