"""A content-addressed file store for library attachments: ``root/ab/abcdef….ext`` by SHA-256.

Files are streamed in chunks into a temporary file beside their destination and renamed into place
(atomic on one file system), so a crash never leaves a half-written attachment under its hash, and storing
the same content twice is a no-op. The database keeps only the hash, name, type and size.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bdr_desk.config import data_dir

CHUNK = 1 << 20
EXPLICIT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown", ".markdown": "text/markdown", ".mdx": "text/markdown",
    ".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html", ".txt": "text/plain",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def mime_type_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return EXPLICIT_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    name: str
    mime_type: str
    path: Path


class FileStore:
    """Files kept by content hash under ``root``; ``name`` only contributes the extension."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str, name: str = "") -> Path:
        sha256 = sha256.lower()
        if not _HEX64.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}{_suffix(name)}"

    def exists(self, sha256: str, name: str | None = None) -> bool:
        """Whether the content is stored (under ``name``'s extension, or under any when ``name`` is None)."""
        if name is not None:
            return self.path_for(sha256, name).is_file()
        folder = self.path_for(sha256).parent
        return folder.is_dir() and any(p.name.split(".", 1)[0] == sha256.lower() for p in folder.iterdir())

    def put(self, path: Path, name: str | None = None) -> StoredFile:
        """Store the file at ``path`` (``name``, default its own name, gives the extension and MIME type)."""
        path = Path(path)
        name = name or path.name
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            sha = digest.hexdigest()
            dest = self.path_for(sha, name)
            if dest.is_file() and dest.stat().st_size == size:
                tmp.unlink()
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredFile(sha256=sha, size=size, name=name, mime_type=mime_type_for(name), path=dest)


def store_for(workspace_url: str) -> FileStore:
    """The file store of a workspace: beside a SQLite database file (``<stem>-files``), else a folder in the
    local data dir named by a hash of the database URL (password left out)."""
    try:
        url = make_url(workspace_url)
    except Exception:  # noqa: BLE001 - an unparsable URL still gets a stable folder
        url = None
    if url is not None and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db = Path(str(url.database)).expanduser()
        return FileStore(db.parent / f"{db.stem}-files")
    # URL.set() ignores None ("not given"), so the password is dropped with the NamedTuple's _replace
    key = (url._replace(password=None).render_as_string(hide_password=False) if url is not None
           else workspace_url.split("@")[-1])
    return FileStore(data_dir() / "files" / hashlib.sha256(key.encode("utf-8")).hexdigest()[:16])
