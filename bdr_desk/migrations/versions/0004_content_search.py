"""content search: full-text index on both engines, search log, file size

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

SQLite: an external-content FTS5 table over content_items (porter stemming, unicode61 without diacritics,
prefix indexes) kept in step by triggers. PostgreSQL: a stored generated tsvector column (title weight A,
summary B, body C; english configuration) with a GIN index. Both are outside the ORM models (engine-specific),
so the schema comparison skips them (``bdr_desk.schema.include_object``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE content_fts USING fts5(
        title, summary, body_text, content='content_items', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER content_items_fts_ai AFTER INSERT ON content_items BEGIN
        INSERT INTO content_fts(rowid, title, summary, body_text) VALUES (new.id, new.title, new.summary, new.body_text);
    END""",
    """CREATE TRIGGER content_items_fts_ad AFTER DELETE ON content_items BEGIN
        INSERT INTO content_fts(content_fts, rowid, title, summary, body_text)
            VALUES ('delete', old.id, old.title, old.summary, old.body_text);
    END""",
    """CREATE TRIGGER content_items_fts_au AFTER UPDATE OF title, summary, body_text ON content_items BEGIN
        INSERT INTO content_fts(content_fts, rowid, title, summary, body_text)
            VALUES ('delete', old.id, old.title, old.summary, old.body_text);
        INSERT INTO content_fts(rowid, title, summary, body_text) VALUES (new.id, new.title, new.summary, new.body_text);
    END""",
    # ORDER BY rank uses these column weights: a word in the title counts ten times one in the body
    "INSERT INTO content_fts(content_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')",
    "INSERT INTO content_fts(content_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS content_items_fts_au",
    "DROP TRIGGER IF EXISTS content_items_fts_ad",
    "DROP TRIGGER IF EXISTS content_items_fts_ai",
    "DROP TABLE IF EXISTS content_fts",
]
POSTGRES_UP = [
    """ALTER TABLE content_items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), 400000)), 'C')) STORED""",
    "CREATE INDEX ix_content_items_search_vector ON content_items USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_content_items_search_vector",
    "ALTER TABLE content_items DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    op.create_table('content_search_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('result_count', sa.Integer(), nullable=False),
    sa.Column('industry', sa.String(length=64), nullable=True),
    sa.Column('size_band', sa.String(length=32), nullable=True),
    sa.Column('pain', sa.String(length=64), nullable=True),
    sa.Column('persona', sa.String(length=64), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_content_search_log_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_content_search_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_search_log'))
    )
    op.create_index(op.f('ix_content_search_log_searched_at'), 'content_search_log', ['searched_at'], unique=False)
    op.add_column('content_items', sa.Column('file_size', sa.BigInteger(), nullable=True))
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(dialect, []):
        op.execute(statement)
    op.drop_column('content_items', 'file_size')
    op.drop_index(op.f('ix_content_search_log_searched_at'), table_name='content_search_log')
    op.drop_table('content_search_log')
