"""Settings declared in one place: where the workspace database and the local files live.

Precedence for the database URL: explicit argument (``--db``) > ``BDR_DESK_DATABASE_URL`` > the default
SQLite file in the platform data dir. Tests point ``BDR_DESK_DATA_DIR`` and ``BDR_DESK_CONFIG_DIR`` at
temporary folders so they never touch the user's real data. No secret is ever stored here.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

APP_NAME = "bdr-desk"
ROLES = ("bdr", "marketing", "manager")
ENV_DATABASE_URL = "BDR_DESK_DATABASE_URL"
ENV_DATA_DIR = "BDR_DESK_DATA_DIR"
ENV_CONFIG_DIR = "BDR_DESK_CONFIG_DIR"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    config_dir: Path
    demo: bool = False

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def crash_log(self) -> Path:
        return self.log_dir / "crash.log"

    @property
    def profile_file(self) -> Path:
        """Who you are on this machine; the demo workspace keeps its own so it never leaks into real work."""
        return self.config_dir / ("demo-profile.json" if self.demo else "profile.json")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR) or platformdirs.user_config_dir(APP_NAME, appauthor=False))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def default_database_url() -> str:
    return sqlite_url(data_dir() / "workspace.db")


def demo_database_url() -> str:
    return sqlite_url(data_dir() / "demo.db")


def load_settings(database_url: str | None = None, *, demo: bool = False) -> Settings:
    url = database_url or os.environ.get(ENV_DATABASE_URL) or (
        demo_database_url() if demo else default_database_url()
    )
    return Settings(database_url=normalize_database_url(url), data_dir=data_dir(), config_dir=config_dir(), demo=demo)


def normalize_database_url(url: str) -> str:
    """Accept the URL forms people paste: ``postgres://`` and ``postgresql://`` mean psycopg 3 here."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass(frozen=True)
class Profile:
    """The local user of this machine: who owns new records and which page opens first."""

    name: str
    email: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        if not self.name.strip():
            raise ValueError("name is required")


def load_profile(settings: Settings) -> Profile | None:
    try:
        raw = json.loads(settings.profile_file.read_text(encoding="utf-8"))
        return Profile(name=raw["name"], email=raw["email"], role=raw["role"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_profile(settings: Settings, profile: Profile) -> None:
    settings.config_dir.mkdir(parents=True, exist_ok=True)
    tmp = settings.profile_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(profile), indent=2), encoding="utf-8")
    tmp.replace(settings.profile_file)
