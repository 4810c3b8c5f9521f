"""Alembic environment: runs on the connection handed over by ``bdr_desk.db.upgrade_schema``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bdr_desk.schema import include_object, metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite ALTER TABLE support
        compare_type=True,
        include_object=include_object,
    )


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
else:  # `alembic -x url=...` from a shell, for developers
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
