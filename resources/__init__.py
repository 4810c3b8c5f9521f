"""Package data: icons (SVG), the stylesheet, templates, fingerprints and the demo workspace."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource_path(*parts: str) -> Path:
    return Path(str(files("resources").joinpath(*parts)))
