"""Adding documents and links to the content library: one file, one web address, or a whole folder (a job).

Text is extracted before any write transaction opens; the stored file goes into the workspace's
content-addressed :class:`~content_library.files.FileStore`. A document whose text cannot be read is still
added, with ``extract_error`` saying why; so is a link that cannot be fetched (adding a link works offline).
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from sqlalchemy import select

from bdr_desk.db import Workspace
from bdr_desk.jobs import CancelToken, ProgressFn
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, Taxonomy
from content_library.extract import SUPPORTED_SUFFIXES, Extracted, extract_file, extract_html, sniff
from content_library.extract.base import ERROR_PREFIX, clean_line
from content_library.fetch import Fetched, FetchError, fetch
from content_library.files import FileStore, StoredFile, store_for
from content_library.items import (
    ContentError,
    ItemDraft,
    create_item,
    normalize_type,
    resolve_facets,
    validate,
)
from content_library.models import ContentItem

HTML_TYPES = ("text/html", "application/xhtml+xml")
MIME_SUFFIXES = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}
# (words in the file name or title, type): the first match wins; then the file type decides
TYPE_RULES = ((("case study", "case studies", "customer story"), "case_study"),
              (("whitepaper", "white paper"), "whitepaper"),
              (("battlecard", "battle card"), "battlecard"),
              (("one pager", "onepager", "datasheet", "data sheet", "fact sheet"), "one_pager"),
              (("webinar",), "webinar"))
SUFFIX_TYPES = {".pptx": "deck", ".md": "blog_post", ".markdown": "blog_post", ".mdx": "blog_post",
                ".html": "blog_post", ".htm": "blog_post", ".xhtml": "blog_post", ".txt": "blog_post"}
_LABEL_PARTS = re.compile(r"\s*[&/]\s*|\s+and\s+", re.I)
FRONT_MATTER_FACETS = {INDUSTRY: ("industries", "industry"), PERSONA: ("personas", "persona"),
                       PAIN: ("pains", "pain")}


@dataclass
class ImportedItem:
    id: int
    title: str
    file_name: str | None
    type: str
    error: str | None  # why the text could not be extracted, or None
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FolderImportResult:
    added: list[ImportedItem] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)


def humanize_name(name: str) -> str:
    """A title from a file name: "fintech-compliance.md" → "Fintech compliance"."""
    stem = Path(name).stem if Path(name).suffix.lower() in SUPPORTED_SUFFIXES else name
    text = " ".join(re.sub(r"[-_+.]+", " ", stem).split())
    return (text[:1].upper() + text[1:]) if text else name


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def guess_type(name: str, title: str | None = None, front_matter: Mapping[str, object] | None = None) -> str:
    """The content type a document most likely is (see TYPE_RULES and SUFFIX_TYPES)."""
    fm = {str(k).lower(): v for k, v in (front_matter or {}).items()}
    declared = fm.get("type")
    if isinstance(declared, str) and declared.strip():
        try:
            return normalize_type(declared)
        except ContentError:
            pass
    path = Path(name)
    words = _words(f"{path.stem} {title or ''}")
    if fm.get("customer"):
        return "case_study"
    for needles, kind in TYPE_RULES:
        if any(needle in words for needle in needles):
            return kind
    return SUFFIX_TYPES.get(path.suffix.lower(), "whitepaper")


def _resolve_loose(tax: Taxonomy, vocabulary: str, text: str) -> str | None:
    """A taxonomy key for a front-matter value: what :meth:`Taxonomy.resolve` finds, else the term one of whose
    label parts is ``text`` ("SaaS" → "Software & SaaS", "Founder" → "CEO / Founder")."""
    key = tax.resolve(vocabulary, text)
    wanted = text.strip().casefold()
    if key is not None or not wanted:
        return key
    for term in tax.terms.get(vocabulary, []):
        if wanted in (p.strip().casefold() for p in _LABEL_PARTS.split(term.label)):
            return term.key
    return None


def front_matter_facets(tax: Taxonomy, front_matter: Mapping[str, object]) -> dict[str, list[str]]:
    """Industries, personas and pains named in front matter, as taxonomy keys; unknown values are dropped."""
    fm = {str(k).lower(): v for k, v in front_matter.items()}
    out: dict[str, list[str]] = {}
    for vocabulary, keys in FRONT_MATTER_FACETS.items():
        for key in keys:
            values = fm.get(key)
            for value in [values] if isinstance(values, str) else values if isinstance(values, list) else []:
                for part in str(value).split(","):
                    term = _resolve_loose(tax, vocabulary, part)
                    if term and term not in out.setdefault(vocabulary, []):
                        out[vocabulary].append(term)
    return {k: v for k, v in out.items() if v}


def _merge(explicit: Mapping[str, list[str]], extra: Mapping[str, list[str]]) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in explicit.items()}
    for vocabulary, terms in extra.items():
        merged.setdefault(vocabulary, []).extend(t for t in terms if t not in merged[vocabulary])
    return merged


def _draft(ex: Extracted, *, name: str, type_hint: str, stored: StoredFile | None, tax: Taxonomy | None,
           title: str | None, type: str | None, facets: Mapping[str, list[str]], status: str,
           url: str | None = None) -> ItemDraft:
    front = ex.metadata.get("front_matter")
    fm: Mapping[str, object] = front if isinstance(front, dict) else {}
    found = ex.title if ex.title and ex.title not in (name, Path(name).stem) else None
    final_title = clean_line(title) or found or humanize_name(name)
    kind = type or guess_type(type_hint, final_title, fm)
    extra = front_matter_facets(tax, fm) if tax is not None and fm else {}
    return ItemDraft(
        title=final_title[:500], type=kind, summary=ex.summary, body_text=ex.text or None, url=url,
        status=status, facets=_merge(facets, extra), extract_error=ex.error[:500] if ex.error else None,
        file_sha256=stored.sha256 if stored else None, file_name=stored.name[:500] if stored else None,
        mime_type=stored.mime_type[:200] if stored else None, file_size=stored.size if stored else None,
    )


def _explicit_facets(tax: Taxonomy | None, facets: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    if not facets:
        return {}
    return resolve_facets(tax, facets) if tax is not None else {k: list(v) for k, v in facets.items()}


def draft_from_file(path: Path, store: FileStore, tax: Taxonomy, *, title: str | None = None,
                    type: str | None = None, facets: Mapping[str, Iterable[str]] | None = None,
                    status: str = "published") -> ItemDraft:
    """Store the file and read its text; explicit ``title``/``type``/``facets`` win over what is found."""
    path = Path(path)
    if not path.is_file():
        raise ContentError(f"file {path}: {'not found' if not path.exists() else 'is not a file'}")
    explicit = _explicit_facets(tax, facets)
    try:
        stored = store.put(path)
    except OSError as exc:
        raise ContentError(f"file {path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from exc
    return _draft(extract_file(path), name=path.name, type_hint=path.name, stored=stored, tax=tax, title=title,
                  type=type, facets=explicit, status=status)


def _url_name(url: str) -> str:
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path.strip("/") else ""
    return segment or parts.hostname or url


def _suffix_for(resp: Fetched, name: str) -> str | None:
    for candidate in (Path(resp.file_name or "").suffix.lower(), Path(name).suffix.lower()):
        if candidate in SUPPORTED_SUFFIXES:
            return candidate
    if resp.mime in MIME_SUFFIXES:
        return MIME_SUFFIXES[resp.mime]
    if resp.body.startswith(b"%PDF-"):
        return ".pdf"
    return ".zip" if resp.body.startswith(b"PK\x03\x04") else None  # an Office file: sniffed once saved


def draft_from_url(url: str, session_http: requests.Session | None = None, *, timeout: float = 10,
                   max_bytes: int = 5_000_000, store: FileStore | None = None, tax: Taxonomy | None = None,
                   title: str | None = None, type: str | None = None,
                   facets: Mapping[str, Iterable[str]] | None = None, status: str = "published") -> ItemDraft:
    """A draft for a web page or a document behind a link. An unreachable address still gives a draft (with
    ``url`` set and ``extract_error`` naming the address and the reason); a PDF/Office response is kept in
    ``store`` when one is given."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ContentError(f"url {url!r} is not an http(s) address")
    if len(url) > 2048:
        raise ContentError(f"url: {len(url)} characters is longer than 2048")
    explicit = _explicit_facets(tax, facets)
    name = _url_name(url)
    hint = unquote(parts.path).replace("/", " ").strip() or name

    def finish(ex: Extracted, name: str, type_hint: str, stored: StoredFile | None = None) -> ItemDraft:
        return _draft(ex, name=name, type_hint=type_hint, stored=stored, tax=tax, title=title, type=type,
                      facets=explicit, status=status, url=url)

    try:
        resp = fetch(url, session_http, timeout=timeout, max_bytes=max_bytes)
    except FetchError as exc:
        return finish(Extracted(None, "", error=f"{ERROR_PREFIX}could not fetch {url} ({exc})"), name, f"{hint}.html")
    suffix = None if resp.mime in HTML_TYPES else _suffix_for(resp, name)
    if suffix is None:
        if resp.mime and resp.mime not in HTML_TYPES:
            ex = Extracted(None, "", error=f"{ERROR_PREFIX}{url} returned {resp.mime}, not a page or a document")
        else:
            charset = resp.charset if resp.charset and _known(resp.charset) else None
            ex = extract_html(resp.body.decode(charset, errors="replace") if charset else resp.body, url=resp.url)
        return finish(ex, name, f"{hint}.html")
    with tempfile.TemporaryDirectory(prefix="bdr-desk-download-") as folder:
        tmp = Path(folder) / f"download{suffix}"
        tmp.write_bytes(resp.body)
        kind = sniff(tmp)
        if suffix == ".zip" and kind in ("docx", "pptx", "xlsx"):
            suffix = f".{kind}"
            tmp = tmp.rename(tmp.with_suffix(suffix))
        file_name = resp.file_name or (name if Path(name).suffix.lower() == suffix else f"{name}{suffix}")
        stored = store.put(tmp, name=file_name) if store is not None else None
        ex = extract_file(tmp)
    return finish(ex, file_name, f"{hint}{suffix}", stored)


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _imported(item: ContentItem) -> ImportedItem:
    facets: dict[str, list[str]] = {}
    for facet in item.facets:
        facets.setdefault(facet.vocabulary, []).append(facet.term)
    return ImportedItem(id=item.id, title=item.title, file_name=item.file_name, type=item.type,
                        error=item.extract_error, facets=facets)


def _is_url(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I))


def add_path_or_url(ws: Workspace, target: str | Path, *, title: str | None = None, type: str | None = None,
                    facets: Mapping[str, Iterable[str]] | None = None, status: str = "published",
                    user_id: int | None = None) -> ImportedItem:
    """Add one file or web address to the library (fetched and read first, then saved in one transaction)."""
    with ws.session() as session:
        tax = Taxonomy.load(session)
    text = str(target).strip()
    store = store_for(ws.url)
    if not _is_url(text) and text.lower().startswith("www.") and not Path(text).exists():
        text = f"https://{text}"
    if _is_url(text):
        draft = draft_from_url(text, store=store, tax=tax, title=title, type=type, facets=facets, status=status)
    else:
        draft = draft_from_file(Path(text).expanduser(), store, tax, title=title, type=type, facets=facets,
                                status=status)
    with ws.session() as session:
        return _imported(create_item(session, draft, user_id=user_id, tax=tax))


def _folder_files(root: Path, recursive: bool) -> list[Path]:
    found = root.rglob("*") if recursive else root.iterdir()
    files = []
    for path in found:
        parts = path.relative_to(root).parts
        if any(p.startswith((".", "~$")) for p in parts) or not path.is_file():
            continue  # hidden files and folders, Office lock files
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix().lower())


def import_folder(ws: Workspace, folder: Path, progress: ProgressFn, cancel: CancelToken, *,
                  user_id: int | None = None, status: str = "published", recursive: bool = True) -> FolderImportResult:
    """A job: add every supported document under ``folder``. Files are read first; the items are saved in one
    transaction at the end, so a cancel or a failure leaves the library unchanged."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ContentError(f"folder {root}: {'not found' if not root.exists() else 'is not a folder'}")
    files = _folder_files(root, recursive)
    store = store_for(ws.url)
    with ws.session() as session:
        tax = Taxonomy.load(session)
        known = set(session.scalars(select(ContentItem.file_sha256).where(ContentItem.file_sha256.is_not(None))))
    result = FolderImportResult()
    seen: dict[str, str] = {}
    drafts: list[ItemDraft] = []
    progress(0, len(files), f"Reading {len(files)} files")
    for done, path in enumerate(files, start=1):
        cancel.raise_if_cancelled()
        rel = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        try:
            if suffix not in SUPPORTED_SUFFIXES:
                result.skipped.append((rel, f"unsupported file type {suffix or '(no extension)'}"))
            else:
                stored = store.put(path)
                if stored.sha256 in known:
                    result.skipped.append((rel, "duplicate content already in library"))
                elif stored.sha256 in seen:
                    result.skipped.append((rel, f"duplicate content of {seen[stored.sha256]}"))
                else:
                    ex = extract_file(path)
                    drafts.append(validate(_draft(ex, name=path.name, type_hint=path.name, stored=stored, tax=tax,
                                                  title=None, type=None, facets={}, status=status), tax))
                    seen[stored.sha256] = rel
        except (ContentError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            result.errors.append((rel, clean_line(reason)))
        progress(done, len(files), rel)
    cancel.raise_if_cancelled()
    if drafts:
        progress(len(files), len(files), f"Saving {len(drafts)} items")
        with ws.session() as session:
            result.added = [_imported(create_item(session, d, user_id=user_id, tax=tax)) for d in drafts]
    return result
