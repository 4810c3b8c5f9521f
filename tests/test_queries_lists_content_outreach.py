"""Domain queries behind the Lists, Content Library and Outreach pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Account, Activity, Contact, TargetList, TargetListMember
from accounts.outreach import Day, outreach_counts, recent_activity, tasks_due
from accounts.target_lists import describe_filter, list_target_lists
from bdr_desk.taxonomy import Taxonomy
from bdr_desk.users import User
from content_library.models import ContentFacet, ContentItem, ContentUsage
from content_library.queries import ContentFilter, content_detail, count_content, is_stale, search_content

# a Wednesday, 10:00 in UTC+02:00: the local day runs 2030-06-11 22:00Z .. 2030-06-12 22:00Z
NOW = dt.datetime(2030, 6, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _users(s):
    me = User(name="Bea BDR", email="bea@test.example", role="bdr")
    other = User(name="Otto Other", email="otto@test.example", role="bdr")
    s.add_all([me, other])
    s.flush()
    return me, other


def _accounts(s):
    accs = [Account(name=n, domain=d, industry=i, tier=t, abm_stage=st) for n, d, i, t, st in (
        ("Alpha Health", "alpha.example", "healthcare", 1, "engaged"),
        ("Beta Clinics", "beta.example", "healthcare", 2, "target"),
        ("Gamma Care", "gamma.example", "healthcare", 3, "target"),
        ("Delta Bank", "delta.example", "banking", 1, "engaged"),
    )]
    s.add_all(accs)
    s.flush()
    return accs


# ---- target lists ----

def test_lists_count_static_and_dynamic_members(workspace):
    with workspace.session() as s:
        me, other = _users(s)
        accs = _accounts(s)
        static = TargetList(name="Booth visitors", kind="static", owner_id=other.id, description="HIMSS")
        dynamic = TargetList(name="Healthcare T1-2", kind="dynamic", owner_id=me.id,
                             filter={"industry": ["healthcare"], "tier": [1, 2]})
        empty = TargetList(name="Empty static", kind="static")
        s.add_all([static, dynamic, empty])
        s.flush()
        s.add_all([TargetListMember(list_id=static.id, account_id=a.id) for a in accs[1:]])
    with workspace.session() as s:
        rows = {r.name: r for r in list_target_lists(s)}
    assert [r.account_count for r in rows.values()] == [3, 0, 2]  # ordered by name
    assert rows["Healthcare T1-2"].is_dynamic and rows["Healthcare T1-2"].owner == "Bea BDR"
    assert rows["Healthcare T1-2"].criteria == "Industry: Healthcare · Tier 1, 2"
    assert rows["Booth visitors"].kind == "static" and rows["Booth visitors"].criteria == ""
    assert rows["Booth visitors"].description == "HIMSS" and rows["Booth visitors"].updated_at is not None
    assert rows["Empty static"].owner is None


def test_dynamic_list_count_follows_accounts(workspace):
    with workspace.session() as s:
        _accounts(s)
        s.add(TargetList(name="Engaged", kind="dynamic", filter={"stage": ["engaged"]}))
    with workspace.session() as s:
        assert list_target_lists(s)[0].account_count == 2
        s.add(Account(name="Epsilon", domain="epsilon.example", abm_stage="engaged"))
    with workspace.session() as s:
        assert list_target_lists(s)[0].account_count == 3


def test_describe_filter_in_words(workspace):
    with workspace.session() as s:
        tax = Taxonomy.load(s)
    assert describe_filter({"industry": ["healthcare", "banking"], "tier": [1]}, tax) == \
        "Industry: Healthcare, Banking & Capital Markets · Tier 1"
    assert describe_filter({"stage": ["meeting_booked"], "owner_id": [7], "text": "care"}, tax, {7: "Ann"}) == \
        "Name or domain contains “care” · Stage: Meeting booked · Owner: Ann"
    assert describe_filter({}, tax) == "All accounts (no criteria saved)"
    assert describe_filter(None, tax) == "All accounts (no criteria saved)"
    assert describe_filter({"region": ["EMEA"]}, tax) == "Region: EMEA (not applied)"
    assert describe_filter({"industry": "healthcare", "tier": []}, tax) == "Industry: Healthcare"


# ---- content library ----

def _library(s):
    a = ContentItem(title="Hospital audit case study", type="case_study", status="published",
                    summary="How a 100% remote team cut audit prep", url="https://example.com/a",
                    review_by=dt.date(2020, 1, 1))
    b = ContentItem(title="Bank security deck", type="deck", status="draft", summary="For CISOs")
    c = ContentItem(title="Compliance one-pager", type="one_pager", status="published",
                    summary="Regulated industries: hospital and bank")
    s.add_all([a, b, c])
    s.flush()
    s.add_all([
        ContentFacet(item_id=a.id, vocabulary="industry", term="healthcare"),
        ContentFacet(item_id=a.id, vocabulary="pain", term="compliance_risk"),
        ContentFacet(item_id=a.id, vocabulary="persona", term="ciso"),
        ContentFacet(item_id=b.id, vocabulary="industry", term="banking"),
        ContentFacet(item_id=b.id, vocabulary="persona", term="ciso"),
        ContentFacet(item_id=c.id, vocabulary="industry", term="healthcare"),
        ContentFacet(item_id=c.id, vocabulary="industry", term="banking"),
        ContentFacet(item_id=c.id, vocabulary="pain", term="compliance_risk"),
    ])
    s.add_all([ContentUsage(item_id=a.id) for _ in range(3)] + [ContentUsage(item_id=c.id)])
    return a.id, b.id, c.id


def test_search_content_filters_and_counts_usage(workspace):
    with workspace.session() as s:
        a, b, c = _library(s)
    with workspace.session() as s:
        rows = {r.id: r for r in search_content(s)}
        assert count_content(s) == 3
        assert rows[a].times_used == 3 and rows[b].times_used == 0 and rows[c].times_used == 1
        assert rows[c].industries == ("banking", "healthcare") and rows[b].industries == ("banking",)

        def ids(**kw):
            return {r.id for r in search_content(s, ContentFilter(**kw))}
        assert ids(text="HOSPITAL") == {a, c}  # title or summary, case-insensitive
        assert ids(text="100%") == {a}  # LIKE wildcards are escaped
        assert ids(text="_") == set()
        assert ids(industry="healthcare") == {a, c}
        assert ids(industry="banking", pain="compliance_risk") == {c}
        assert ids(persona="ciso") == {a, b}
        assert ids(type="deck") == {b}
        assert ids(status="published") == {a, c}
        assert ids(status="published", persona="ciso", text="audit") == {a}
        assert count_content(s, ContentFilter(industry="banking")) == 2
        assert ids(industry="retail") == set()


def test_content_detail_and_staleness(workspace):
    with workspace.session() as s:
        a, b, _ = _library(s)
    with workspace.session() as s:
        d = content_detail(s, a)
        assert d is not None and d.times_used == 3 and d.url == "https://example.com/a"
        assert d.facets == (("industry", "healthcare"), ("pain", "compliance_risk"), ("persona", "ciso"))
        assert d.is_stale(dt.date(2020, 1, 2)) and not d.is_stale(dt.date(2020, 1, 1))
        fresh = content_detail(s, b)
        assert fresh is not None and fresh.times_used == 0 and not fresh.is_stale(dt.date(2030, 1, 1))
        assert content_detail(s, 999_999) is None
    assert not is_stale(None, dt.date.today())
    assert ContentFilter().is_empty and ContentFilter(text="  ").is_empty
    assert not ContentFilter(pain="x").is_empty and not ContentFilter(text="x").is_empty


# ---- outreach ----

def _outreach(s):
    me, other = _users(s)
    acc = _accounts(s)[0]
    contact = Contact(account_id=acc.id, first_name="Dana", last_name="Lee", email="dana@alpha.example")
    s.add(contact)
    s.flush()
    utc = dt.UTC

    def task(user, due, subject, done=False, kind="call", at=None):
        s.add(Activity(account_id=acc.id, contact_id=contact.id, user_id=user.id, type=kind, subject=subject,
                       due_at=due, completed=done, occurred_at=at or due or NOW))
    task(me, dt.datetime(2030, 6, 9, 9, 0, tzinfo=utc), "overdue")
    task(me, dt.datetime(2030, 6, 11, 21, 59, tzinfo=utc), "late yesterday local")  # 23:59 local, overdue
    task(me, dt.datetime(2030, 6, 11, 22, 0, tzinfo=utc), "first thing today")  # 00:00 local
    task(me, dt.datetime(2030, 6, 12, 21, 59, tzinfo=utc), "end of today")
    task(me, dt.datetime(2030, 6, 12, 22, 0, tzinfo=utc), "tomorrow")
    task(me, dt.datetime(2030, 6, 3, 9, 0, tzinfo=utc), "done long ago", done=True)
    task(other, dt.datetime(2030, 6, 12, 8, 0, tzinfo=utc), "someone else's")
    # completed touches: this week (Mon 10 June local onwards) and last week
    for i, kind in enumerate(("call", "email", "linkedin", "meeting", "note")):
        task(me, None, f"touch {kind}", done=True, kind=kind, at=dt.datetime(2030, 6, 10, 8 + i, 0, tzinfo=utc))
    task(me, None, "last week", done=True, kind="call", at=dt.datetime(2030, 6, 9, 21, 0, tzinfo=utc))
    task(other, None, "other's touch", done=True, kind="email", at=dt.datetime(2030, 6, 11, 9, 0, tzinfo=utc))
    return me, other


def test_day_bounds_are_local_days_in_utc():
    day = Day.of(NOW)
    assert day.start == dt.datetime(2030, 6, 11, 22, 0, tzinfo=dt.UTC)
    assert day.end == dt.datetime(2030, 6, 12, 22, 0, tzinfo=dt.UTC)
    assert day.week_start == dt.datetime(2030, 6, 9, 22, 0, tzinfo=dt.UTC)  # Monday 00:00 local
    with pytest.raises(ValueError):
        Day.of(dt.datetime(2030, 6, 12))


def test_tasks_due_today_and_overdue(workspace):
    with workspace.session() as s:
        me, other = _outreach(s)
    with workspace.session() as s:
        mine = tasks_due(s, NOW, me.id)
        team = tasks_due(s, NOW)
    assert [t.subject for t in mine] == ["overdue", "late yesterday local", "first thing today", "end of today"]
    assert [t.overdue for t in mine] == [True, True, False, False]
    assert mine[0].account_name == "Alpha Health" and mine[0].contact_name == "Dana Lee"
    assert mine[0].owner == "Bea BDR" and mine[0].due_at.tzinfo is not None
    assert mine[0].due_at == dt.datetime(2030, 6, 9, 9, 0, tzinfo=dt.UTC)
    assert len(team) == 5 and "someone else's" in {t.subject for t in team}


def test_outreach_counts(workspace):
    with workspace.session() as s:
        me, other = _outreach(s)
    with workspace.session() as s:
        mine = outreach_counts(s, NOW, me.id)
        team = outreach_counts(s, NOW)
    assert (mine.due_today, mine.overdue, mine.touches_this_week) == (2, 2, 4)  # a note is not a touch
    assert (team.due_today, team.overdue, team.touches_this_week) == (3, 2, 5)


def test_recent_activity_newest_first(workspace):
    with workspace.session() as s:
        me, other = _outreach(s)
    with workspace.session() as s:
        mine = recent_activity(s, me.id)
        team = recent_activity(s)
        assert len(recent_activity(s, limit=2)) == 2
    assert [a.subject for a in mine][:3] == ["touch note", "touch meeting", "touch linkedin"]
    assert all(a.occurred_at.tzinfo is not None for a in mine)
    assert [a.occurred_at for a in team] == sorted((a.occurred_at for a in team), reverse=True)
    assert "other's touch" in {a.subject for a in team} and "other's touch" not in {a.subject for a in mine}
    assert "overdue" not in {a.subject for a in team}  # open tasks are not activity yet


def test_create_and_delete_lists(workspace):
    from accounts.queries import AccountFilter, count_accounts
    from accounts.target_lists import ListError, create_list, delete_list
    from tests.factories import add_accounts

    add_accounts(workspace, 15)
    with workspace.session() as s:
        dyn = create_list(s, "  Fintech   tier 1 ", kind="dynamic", saved_filter={"industry": ["fintech"], "tier": [1]})
        assert dyn.name == "Fintech tier 1"
        assert count_accounts(s, AccountFilter(list_id=dyn.id)) == 1
        static_id = create_list(s, "Hand picked").id
    with workspace.session() as s:
        for kwargs, message in [
            (dict(name="hand PICKED"), "already exists"),
            (dict(name=" "), "needs a name"),
            (dict(name="Everything", kind="dynamic", saved_filter={}), "at least one criterion"),
            (dict(name="Odd", kind="dynamic", saved_filter={"colour": "blue"}), "cannot use colour"),
            (dict(name="Odd", kind="smart"), "static or dynamic"),
        ]:
            with pytest.raises(ListError, match=message):
                create_list(s, **kwargs)
        delete_list(s, static_id)
        with pytest.raises(ListError, match="does not exist"):
            delete_list(s, static_id)
