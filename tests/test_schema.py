"""The schema on both engines: migrations equal the models, constraints hold, optimistic locking works."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accounts.models import Account, Contact, TargetList, TargetListMember
from bdr_desk.db import current_revision, upgrade_schema
from bdr_desk.schema import include_object, metadata
from bdr_desk.taxonomy import (
    INDUSTRY,
    SIZE_BAND,
    VOCABULARIES,
    Taxonomy,
    TaxonomyError,
    TaxonomyTerm,
    add_term,
)

EXPECTED_TABLES = {
    "accounts", "target_lists", "target_list_members", "contacts", "pain_hypotheses", "message_templates",
    "messages", "sequences", "sequence_steps", "enrollments", "activities", "opportunities", "research_pages",
    "signals", "content_items", "content_facets", "content_versions", "content_usage", "content_requests",
    "content_search_log", "message_map_entries", "message_map_collateral", "plan_snapshots", "research_runs",
    "research_people", "research_queue", "users", "external_refs", "sync_outbox", "sync_conflicts", "sync_runs", "taxonomy_terms",
}


def test_upgrade_head_equals_models(workspace):
    with workspace.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object}), metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    assert EXPECTED_TABLES <= set(inspect(workspace.engine).get_table_names())


def test_schema_head_constant_is_alembics_head(workspace):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bdr_desk.db import SCHEMA_HEAD, stored_revision

    cfg = Config()
    cfg.set_main_option("script_location", "bdr_desk:migrations")
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_HEAD
    assert stored_revision(workspace.engine) == SCHEMA_HEAD == current_revision(workspace.engine)


def test_upgrade_is_idempotent(workspace):
    before = current_revision(workspace.engine)
    upgrade_schema(workspace.engine)
    assert current_revision(workspace.engine) == before is not None
    with workspace.session() as s:  # the seed did not run twice
        assert s.scalar(select(func.count()).select_from(TaxonomyTerm).where(TaxonomyTerm.vocabulary == "pain")) == 14


def test_taxonomy_seeded_with_every_vocabulary(workspace):
    with workspace.session() as s:
        tax = Taxonomy.load(s)
    assert all(tax.keys(v) for v in VOCABULARIES)
    assert tax.keys("funnel_stage")[:6] == ["lead", "mql", "sal", "sql", "opportunity", "closed_won"]
    assert tax.size_band(1).key == "1_10"
    assert tax.segment_for(150) == "smb"
    assert tax.segment_for(800) == "mid_market"
    assert tax.segment_for(250_000) == "enterprise"
    assert tax.size_band(None) is None


def test_marketing_extends_taxonomy(workspace):
    with workspace.session() as s:
        term = add_term(s, INDUSTRY, "Space & Satellites")
        assert term.key == "space_satellites"
    with workspace.session() as s:
        assert "space_satellites" in Taxonomy.load(s).keys(INDUSTRY)
        with pytest.raises(TaxonomyError, match="already exists"):
            add_term(s, INDUSTRY, "Space & Satellites")
        with pytest.raises(TaxonomyError, match="unknown vocabulary"):
            add_term(s, "colour", "Blue")
        with pytest.raises(TaxonomyError, match="lower-case"):
            add_term(s, SIZE_BAND, "Huge", key="Huge!")


def test_domain_unique_when_present(workspace):
    with workspace.session() as s:
        s.add_all([Account(name="A"), Account(name="B"), Account(name="Acme", domain="acme.co.uk")])
    with pytest.raises(IntegrityError):
        with workspace.session() as s:
            s.add(Account(name="Acme again", domain="acme.co.uk"))
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 3


def test_contact_email_unique_and_cascade(workspace):
    with workspace.session() as s:
        acc = Account(name="Acme", domain="acme.example")
        boss = Contact(account=acc, first_name="Ada", email="ada@acme.example")
        s.add_all([acc, boss, Contact(account=acc, first_name="Bob", reports_to=boss), Contact(account=acc)])
    with pytest.raises(IntegrityError):
        with workspace.session() as s:
            s.add(Contact(account_id=s.scalar(select(Account.id)), email="ada@acme.example"))
    with workspace.session() as s:
        lst = TargetList(name="Tier 1")
        s.add(lst)
        s.flush()
        s.add(TargetListMember(list_id=lst.id, account_id=s.scalar(select(Account.id))))
    with workspace.session() as s:
        s.execute(Account.__table__.delete())
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 0
        assert s.scalar(select(func.count()).select_from(TargetListMember)) == 0


def test_foreign_keys_enforced(workspace):
    with pytest.raises(IntegrityError):
        with workspace.session() as s:
            s.add(Contact(account_id=987654, first_name="Orphan"))


def test_check_constraints(workspace):
    with pytest.raises(IntegrityError):
        with workspace.session() as s:
            s.add(Account(name="Bad tier", tier=4))


def test_optimistic_locking_rejects_stale_edit(workspace):
    with workspace.session() as s:
        s.add(Account(name="Acme", domain="acme.example"))
    first, second = workspace.sessions(), workspace.sessions()
    try:
        a1 = first.scalar(select(Account))
        a2 = second.scalar(select(Account))
        second.commit()  # the app's pattern: read in one unit of work, save in a later one
        a1.tier = 1
        first.commit()
        a2.tier = 2
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with workspace.session() as s:
        acc = s.scalar(select(Account))
        assert (acc.tier, acc.version) == (1, 2)


def test_sqlite_pragmas(sqlite_workspace):
    with sqlite_workspace.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_timestamps_come_back_aware_utc(workspace):
    import datetime as dt

    from accounts.models import Activity

    local = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with workspace.session() as s:
        acc = Account(name="Acme")
        s.add(acc)
        s.flush()
        s.add(Activity(account_id=acc.id, type="call", occurred_at=local))
    with workspace.session() as s:
        got = s.scalar(select(Activity.occurred_at))
        created = s.scalar(select(Account.created_at))
    assert got == local and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)
    assert created.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(hours=1)


def test_savepoint_rollback_is_real(workspace):
    """A nested transaction rolled back inside an outer one that commits keeps only the outer work, and an
    outer rollback undoes a released savepoint (pysqlite's own transaction handling would break both)."""
    with workspace.session() as s:
        s.add(Account(name="Outer"))
        nested = s.begin_nested()
        s.add(Account(name="Inner"))
        s.flush()
        nested.rollback()
    with workspace.session() as s:
        assert [a.name for a in s.scalars(select(Account))] == ["Outer"]
    s = workspace.sessions()
    try:
        s.begin()
        with s.begin_nested():
            s.add(Account(name="Released"))
        s.rollback()
    finally:
        s.close()
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == 1
