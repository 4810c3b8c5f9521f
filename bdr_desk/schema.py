"""Imports every model module so that ``Base.metadata`` describes the whole workspace schema.

Used by Alembic (autogenerate, the models-vs-migrations test) and by anything that needs every table
mapped before it queries (the CLI, the demo seeder, the GUI).
"""

from __future__ import annotations

import accounts.models  # noqa: F401
import bdr_desk.crm.models  # noqa: F401
import bdr_desk.taxonomy  # noqa: F401
import bdr_desk.users  # noqa: F401
import content_library.models  # noqa: F401
from bdr_desk.db import Base

metadata = Base.metadata

# Engine-specific full-text search objects (migration 0004) live outside the models.
SEARCH_INDEX_TABLES = ("content_fts",)
SEARCH_INDEX_COLUMNS = ("search_vector",)
SEARCH_INDEX_INDEXES = ("ix_content_items_search_vector",)


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001 - Alembic hook signature
    """Alembic comparison hook: skip the FTS5 table (and its shadow tables) and the tsvector column/index."""
    if type_ == "table" and name and name.startswith(SEARCH_INDEX_TABLES):
        return False
    if type_ == "column" and name in SEARCH_INDEX_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEX_INDEXES)
