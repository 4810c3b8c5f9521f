"""Readers for the two search corpora in the real-world fixtures (``$BDR_DESK_FIXTURES/search``), shared by
``tests/test_search_quality.py`` and ``bench/bench_search.py``. Plain parsing only: nothing here touches a
workspace, and nothing is copied or extracted to disk.

Cranfield (``search/cranfield/``): 1,400 aeronautics abstracts, 225 queries and graded judgments.

- ``cran.all.1400``: records ``.I id`` then fields ``.T`` title, ``.A`` authors, ``.B`` bibliography, ``.W``
  abstract (the abstract usually repeats the title first).
- ``cran.qry``: ``.I`` ids skip numbers (001, 002, 004, ...); ``cranqrel`` numbers the queries 1..225 in file
  order, so a query's number is its position.
- ``cranqrel``: ``query doc code``. Cleverdon's codes (``cranqrel.readme``): 1 = a complete answer, 2 = high
  relevance, 3 = useful background, 4 = minimum interest, 5 = no interest (never listed). The file also holds
  one ``-1`` line for every query: a document judged and found of no interest (apparently the paper the
  question was written from: BM25 ranks it in the top 10 for 73% of the queries). Gains, so that more
  relevant is more: **1 → 4, 2 → 3, 3 → 2, 4 → 1, -1 (and 5) → 0** (judged non-relevant). The direction is
  checked: 50% of the code-1 judgments are in BM25's top 10, 28% of the code-4 ones.
  The last line of ``cranqrel`` has no newline and the lines end in ``\r\n`` and a space; both are handled.

tldr (``search/tldr_pages_all_languages.tar.xz``): 38,404 Markdown pages in 39 languages (the fixtures README
says 40, counting ``pages.en``), as ``pages.<lang>/<platform>/<command>.md`` (``pages/`` is English;
``pages.en`` is a symlink to it and skipped). A page is ``# title`` (the command's name, in every language),
``> summary`` lines, then ``- description`` / ```` `example` ```` pairs. 37 pages (Arabic, Bengali, Tamil, ...)
are not in Unicode NFC.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CRANFIELD_GAIN = {1: 4, 2: 3, 3: 2, 4: 1}  # Cleverdon code → gain; -1 and 5 → 0

_FIELD = re.compile(r"^\.([ITABW])(?:\s+(\S+))?\s*$")


def _records(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(``.I`` value, {field letter: text}) for each record of a Cranfield file."""
    ident: str | None = None
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        m = _FIELD.match(line.rstrip())
        if m and m.group(1) == "I":
            if ident is not None:
                yield ident, {k: _join(v) for k, v in fields.items()}
            ident, fields, current = m.group(2), {}, None
        elif m and m.group(2) is None:
            current = m.group(1)
            fields.setdefault(current, [])
        elif current is not None:
            fields[current].append(line)
    if ident is not None:
        yield ident, {k: _join(v) for k, v in fields.items()}


def _join(lines: list[str]) -> str:
    text = " ".join(" ".join(lines).split())
    return text[:-2] if text.endswith(" .") else text  # "... in a slipstream ." → "... in a slipstream"


def load_cranfield(directory: str | Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]],
                                                   dict[int, dict[int, int]]]:
    """``(docs, queries, qrels)``: docs as ``(doc_id, title, abstract)``, queries as ``(1..225, text)``,
    qrels as ``{query: {doc_id: gain}}`` with the gains above (0 = judged not relevant)."""
    directory = Path(directory)
    docs = [(int(i), f.get("T", ""), f.get("W", "")) for i, f in _records(directory / "cran.all.1400")]
    queries = [(n, f.get("W", "")) for n, (_i, f) in enumerate(_records(directory / "cran.qry"), start=1)]
    qrels: dict[int, dict[int, int]] = {}
    for line in (directory / "cranqrel").read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            q, doc, code = int(parts[0]), int(parts[1]), int(parts[2])
            qrels.setdefault(q, {})[doc] = CRANFIELD_GAIN.get(code, 0)
    return docs, queries, qrels


@dataclass(frozen=True)
class TldrPage:
    lang: str  # "en" for pages/, else the suffix of pages.<lang>/ ("zh", "pt_BR", ...)
    platform: str  # common, linux, osx, windows, ...
    name: str  # the command: the file name without .md
    title: str  # the "# heading"
    summary: str  # the "> " lines, joined by newlines
    body: str  # everything else (descriptions and examples), blank lines dropped


def parse_tldr(text: str) -> tuple[str, str, str]:
    """(title, summary, body) of one tldr page."""
    title, summary, body = "", [], []
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith(">"):
            summary.append(line[1:].strip())
        else:
            body.append(line)
    return title, "\n".join(summary), "\n".join(body)


def iter_tldr(path: str | Path, languages: set[str] | None = None) -> Iterator[TldrPage]:
    """Every page of the tarball in archive order, streamed (no extraction); only ``languages`` if given."""
    with tarfile.open(path, mode="r:xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".md"):
                continue
            parts = member.name.split("/")
            if len(parts) != 3 or not parts[0].startswith("pages"):
                continue  # LICENSE.md and anything unexpected
            top, platform, filename = parts
            lang = top.partition(".")[2] or "en"
            if languages is not None and lang not in languages:
                continue
            fh = tar.extractfile(member)
            if fh is None:
                continue
            title, summary, body = parse_tldr(fh.read().decode("utf-8", errors="replace"))
            yield TldrPage(lang, platform, filename[:-3], title, summary, body)
