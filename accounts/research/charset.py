"""The character set of a web page: from the HTTP header, a byte-order mark or ``<meta charset>``, else UTF-8,
else Windows-1252 (:func:`decode_html` never raises)."""

from __future__ import annotations

import codecs
import re

# labels browsers treat as another encoding (WHATWG Encoding Standard)
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "x-user-defined": "cp1252",
            "iso-8859-9": "cp1254", "tis-620": "cp874", "x-sjis": "shift_jis", "gb2312": "gb18030",
            "gbk": "gb18030", "ks_c_5601-1987": "euc_kr", "unicode-1-1-utf-8": "utf-8", "utf8": "utf-8"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.I)


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None for an unknown label (``charset=foo`` is ignored)."""
    if not label:
        return None
    name = _ALIASES.get(label.strip().strip("\"'").lower(), label.strip().strip("\"'").lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_candidates(body: bytes, content_type: str | None) -> list[str]:
    """Where the encoding may come from, in order: byte-order mark, HTTP header, ``<meta charset>``, then
    UTF-8 and Windows-1252 as the fallbacks. Unknown labels are dropped."""
    out: list[str] = []
    for bom, name in BOMS:
        if body.startswith(bom):
            out.append(name)
            break
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    for label in (header.group(1) if header else None, meta.group(1).decode("ascii", "replace") if meta else None):
        codec = codec_for(label)
        if codec and codec.startswith("utf-16") and not out:
            codec = "utf-8"  # a UTF-16 label without a BOM is a lie for an ASCII-compatible page
        if codec and codec not in out:
            out.append(codec)
    for fallback in ("utf-8", "cp1252"):
        if fallback not in out:
            out.append(fallback)
    return out


def decode_html(body: bytes, hint: str | None = None, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec): the first candidate that decodes the bytes cleanly (``hint`` first, e.g. the stored
    encoding), else the first candidate with replacement characters. Never raises."""
    candidates = charset_candidates(body, content_type)
    hinted = codec_for(hint)
    if hinted:
        candidates = [hinted] + [c for c in candidates if c != hinted]
    for codec in candidates:
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(candidates[0], errors="replace"), candidates[0]
