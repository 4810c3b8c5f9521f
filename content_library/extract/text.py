"""Plain text and Markdown: encoding detection, YAML-style front matter, and light Markdown clean-up.

The front-matter parser is deliberately small and safe (no YAML library, nothing executed): top-level
``key: value`` lines, quoted strings, ``[a, b]`` lists, ``- item`` lists and ``>-`` / ``|`` block scalars.
Values are strings or lists of strings; nested mappings are skipped.
"""

from __future__ import annotations

import codecs
import re

from content_library.extract.base import Extracted, clean_line

FrontMatter = dict[str, "str | list[str]"]

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s+(.*)|\s*)$")
_ITEM = re.compile(r"^\s*-\s+(.*)$")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMPONENT = re.compile(r"<(/?)([A-Za-z][\w.]*)((?:[^<>{}]|\{[^{}]*\})*?)(/?)>", re.S)
_ATTR = re.compile(r"\b(quote|name|title|caption|text|description|alt)\s*=\s*(?:\"([^\"]*)\"|\{`([^`]*)`\})",
                   re.S)
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),          # images keep their alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),           # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),          # [text][ref]
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),   # **bold**
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)"), r"\1"),  # *italic*
    (re.compile(r"`([^`]+)`"), r"\1"),                       # `code`
]
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_LINE_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,3}[.)]\s+)")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+")


def decode(data: bytes) -> str:
    """Bytes as text: a BOM wins (UTF-8/16/32), then UTF-8, then BOM-less UTF-16, then Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                          (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        return data.decode("utf-16-be" if even_zeros > odd_zeros else "utf-16-le", errors="replace")
    return data.decode("cp1252", errors="replace")


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"').replace("\\n", "\n")
    return re.sub(r"\s+#.*$", "", raw)  # a trailing comment


def _flow_list(raw: str) -> list[str]:
    inner = raw.strip()[1:-1]
    items = re.findall(r"\s*(\"[^\"]*\"|'[^']*'|[^,]+)", inner)
    return [v for v in (_scalar(i) for i in items) if v.strip()]


def parse_front_matter(block: str) -> FrontMatter:
    """``key: value`` pairs of a front-matter block (see the module docstring for what is understood)."""
    out: FrontMatter = {}
    key: str | None = None
    mode = ""  # "list" after "key:" with nothing, "fold"/"literal" after "key: >" or "key: |"
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            if mode == "literal" and key is not None:
                out[key] = f"{out[key]}\n"
            continue
        indented = line[:1] in (" ", "\t")
        match = None if indented else _KEY.match(line)
        if match:
            key, value = match.group(1), (match.group(2) or "").strip()
            mode = ""
            if not value:
                out[key], mode = [], "list"
            elif value[0] in ">|":
                out[key], mode = "", "fold" if value[0] == ">" else "literal"
            elif value.startswith("[") and value.endswith("]"):
                out[key] = _flow_list(value)
            else:
                out[key] = _scalar(value)
            continue
        if key is None:
            continue
        item = _ITEM.match(line)
        if mode == "list" and item and isinstance(out[key], list):
            out[key].append(_scalar(item.group(1)))  # type: ignore[union-attr]
        elif mode in ("fold", "literal"):
            sep = " " if mode == "fold" else "\n"
            out[key] = f"{out[key]}{sep}{line.strip()}".lstrip()
        elif mode == "list" and out[key] == [] and not item:
            mode = "nested"  # a nested mapping: not understood, skipped
    return {k: (v.strip() if isinstance(v, str) else [i for i in v if i]) for k, v in out.items()
            if v or v == ""}


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    """(front matter, the rest) when ``text`` opens with a ``---`` block; ({}, text) otherwise."""
    stripped = text.lstrip("\n")
    if not stripped.startswith("---"):
        return {}, text
    lines = stripped.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for index, line in enumerate(lines[1:200], start=1):
        if line.strip() in ("---", "..."):
            return parse_front_matter("\n".join(lines[1:index])), "\n".join(lines[index + 1:])
    return {}, text


def _component(match: re.Match[str]) -> str:
    values = [clean_line(a or b) for _, a, b in _ATTR.findall(match.group(3))]
    return "\n" + "\n".join(v for v in values if v) + "\n" if any(values) else " "


def strip_markdown(text: str) -> str:
    """Markdown as readable text: link targets, emphasis marks, heading/list/quote markers and HTML/MDX tags
    removed; code blocks kept as text."""
    out: list[str] = []
    in_code = False
    text = _COMPONENT.sub(_component, _AUTOLINK.sub(r"\1", _COMMENT.sub("", text)))
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        if _RULE.match(line) or _REFDEF.match(line) or re.fullmatch(r"\s*\|?[\s:|-]+\|[\s:|-]*", line):
            out.append("")
            continue
        line = _LINE_PREFIX.sub("", line)
        for pattern, repl in _INLINE:
            line = pattern.sub(repl, line)
        out.append(_ESCAPE.sub(r"\1", line) if "\\" in line else line)
    return "\n".join(out)


def extract_text(data: bytes, *, markdown: bool = True) -> Extracted:
    """Plain text or Markdown (front matter is read either way; Markdown syntax is only stripped if asked)."""
    text = decode(data)
    front, body = split_front_matter(text)
    title = front.get("title") if isinstance(front.get("title"), str) else None
    if not title and markdown:
        heading = _HEADING.search(body)
        title = strip_markdown(heading.group(1)).strip() if heading else None
    summary = next((v for k in ("description", "summary", "excerpt") if isinstance(v := front.get(k), str) and v),
                   None)
    meta: dict[str, object] = {"format": "markdown" if markdown else "text"}
    if front:
        meta["front_matter"] = front
    return Extracted(title=title or None, text=strip_markdown(body) if markdown else body,
                     summary=strip_markdown(summary) if summary else None, metadata=meta)
