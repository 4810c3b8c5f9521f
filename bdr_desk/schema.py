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
