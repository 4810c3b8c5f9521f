"""The job behind "Add files…" and drag-and-drop: files and folders in, draft items out.

Every file is stored and read first; the items are saved in one transaction at the very end, so cancelling (or
a failure) leaves the library as it was. Files already in the library (same content) are skipped, as are
unsupported types, hidden files and Office lock files. Plain function, no Qt: it runs on the job pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bdr_desk.db import Workspace
from bdr_desk.jobs import CancelToken, ProgressFn
from bdr_desk.taxonomy import Taxonomy
from content_library.extract import SUPPORTED_SUFFIXES
from content_library.files import store_for
from content_library.importer import draft_from_file
from content_library.items import ContentError, ItemDraft, create_item, validate
from content_library.models import ContentItem

IMPORT_STATUS = "draft"  # marketing tags and publishes what it drops in


@dataclass
class ImportSummary:
    added: list[tuple[int, str]] = field(default_factory=list)  # (item id, title)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)

    def message(self) -> str:
        parts = []
        if self.added:
            n = len(self.added)
            parts.append(f"Added {n} item{'s' if n != 1 else ''} as draft{'s' if n != 1 else ''}: tag "
                         f"{'them' if n != 1 else 'it'} and publish when ready.")
        if self.skipped:
            parts.append(f"Skipped {len(self.skipped)}: " + "; ".join(f"{f} ({r})" for f, r in self.skipped[:3])
                         + (" …" if len(self.skipped) > 3 else ""))
        if self.errors:
            parts.append(f"Could not add {len(self.errors)}: " + "; ".join(f"{f} ({r})" for f, r in self.errors[:3])
                         + (" …" if len(self.errors) > 3 else ""))
        return " ".join(parts) or "Nothing to add: no supported documents were found."


def _hidden(parts: Iterable[str]) -> bool:
    return any(p.startswith((".", "~$")) for p in parts)


def collect_files(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """(file, name to report) for every file given, and every file under every folder given."""
    out: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted((p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path).parts)),
                           key=lambda p: p.relative_to(path).as_posix().lower())
            out.extend((p, f"{path.name}/{p.relative_to(path).as_posix()}") for p in found)
        else:
            out.append((path, path.name))
    return out


def import_paths_job(ws: Workspace, paths: Iterable[str | Path], user_id: int | None,
                     read: Callable[..., ItemDraft] | None = None) -> Callable[[ProgressFn, CancelToken],
                                                                               ImportSummary]:
    """A job (``job(progress, cancel) -> ImportSummary``) adding ``paths`` to the library as drafts;
    ``read(path, store, tax, status=…)`` stores and reads one file (default :func:`draft_from_file`)."""
    targets = list(paths)

    def job(progress: ProgressFn, cancel: CancelToken) -> ImportSummary:
        reader = read or draft_from_file
        files = collect_files(targets)
        store = store_for(ws.url)
        with ws.session() as s:
            tax = Taxonomy.load(s)
            known = set(s.scalars(select(ContentItem.file_sha256).where(ContentItem.file_sha256.is_not(None))))
        result = ImportSummary()
        seen: dict[str, str] = {}
        drafts: list[ItemDraft] = []
        progress(0, len(files), f"Reading {len(files)} file{'s' if len(files) != 1 else ''}")
        for done, (path, name) in enumerate(files, start=1):
            cancel.raise_if_cancelled()
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                result.skipped.append((name, f"{path.suffix or 'no extension'} files are not supported"))
            elif _hidden([path.name]):
                result.skipped.append((name, "hidden or lock file"))
            else:
                try:
                    draft = validate(reader(path, store, tax, status=IMPORT_STATUS), tax)
                except (ContentError, OSError) as exc:
                    result.errors.append((name, str(exc).split(": ", 1)[-1]))
                else:
                    sha = draft.file_sha256 or ""
                    if sha in known:
                        result.skipped.append((name, "already in the library"))
                    elif sha in seen:
                        result.skipped.append((name, f"same content as {seen[sha]}"))
                    else:
                        seen[sha] = name
                        draft.owner_id = user_id
                        drafts.append(draft)
            progress(done, len(files), name)
        cancel.raise_if_cancelled()
        if drafts:
            progress(len(files), len(files), f"Saving {len(drafts)} items")
            with ws.session() as s:
                for draft in drafts:
                    item = create_item(s, draft, user_id=user_id, tax=tax)
                    result.added.append((item.id, item.title))
        return result

    return job
