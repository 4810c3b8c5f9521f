"""ICP scoring on both engines: rule kinds, clamping, explanations, tiers, manual overrides, versions,
the what-moves preview, bulk rescoring (one transaction, cancel, optimistic locking) and timeline events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from accounts import scoring
from accounts.models import Account, AccountEvent, AccountTechnology, IcpRuleSet, Signal
from accounts.scoring import (
    ScoringError,
    active_rule_set,
    explain_account,
    list_versions,
    preview_rescore,
    rescore_all,
    restore_version,
    save_rule_set,
    score_account,
)
from accounts.scoring_rules import CLAMP_RULE, compile_rules, default_rules, evaluate, tier_for
from bdr_desk.jobs import CancelToken, JobCancelled
from tests.factories import add_accounts

TODAY = dt.datetime.now(dt.UTC).date()


def rule(kind, params, points=30, rid=None, label=None):
    return {"id": rid or kind, "label": label or f"{kind} rule", "kind": kind, "params": params, "points": points}


def add(ws, **fields):
    with ws.session() as s:
        acc = Account(name=fields.pop("name", "Acme"), domain=fields.pop("domain", None), **fields)
        s.add(acc)
        s.flush()
        return acc.id


def use_rules(ws, rules, thresholds=None, note="test"):
    with ws.session() as s:
        return save_rule_set(s, rules, thresholds or {"1": 75, "2": 50}, note).version


def scores(ws):
    with ws.session() as s:
        return {a.id: (a.icp_score, a.tier, a.suggested_tier) for a in s.scalars(select(Account).order_by(Account.id))}


CASES = [  # kind, params, fields of a matching account, fields of a non-matching one
    ("industry", {"industries": ["fintech", "banking"]}, {"industry": "fintech"}, {"industry": "retail"}),
    ("industry", {"industries": ["software"], "sub_industry_contains": "CRM"},
     {"industry": "software", "sub_industry": "Sales crm tools"}, {"industry": "software", "sub_industry": "ERP"}),
    ("employees", {"min": 200, "max": 5000}, {"employees": 200}, {"employees": 5001}),
    ("employees", {"min": 5001, "max": None}, {"employees": 90_000}, {"employees": None}),
    ("revenue", {"min": 50_000_000}, {"annual_revenue": Decimal("50000000.00")}, {"annual_revenue": Decimal("49999999.99")}),
    ("segment", {"segments": ["enterprise"]}, {"segment": "enterprise"}, {"segment": "smb"}),
    ("size_band", {"bands": ["201_500", "501_1000"]}, {"size_band": "501_1000"}, {"size_band": "51_200"}),
    ("hq_country", {"countries": ["us", "GB"]}, {"hq_country": "US"}, {"hq_country": "FR"}),
    ("hq_region", {"regions": ["California"]}, {"hq_region": "california "}, {"hq_region": "Texas"}),
    ("abm_stage", {"stages": ["engaged"]}, {"abm_stage": "engaged"}, {"abm_stage": "target"}),
]


@pytest.mark.parametrize("kind,params,yes,no", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_kind_fires_or_not(workspace, kind, params, yes, no):
    use_rules(workspace, [rule(kind, params, points=30)])
    hit, miss = add(workspace, name="Hit", **yes), add(workspace, name="Miss", **no)
    rescore_all(workspace)
    got = scores(workspace)
    assert got[hit][0] == 30 and got[miss][0] == 0
    with workspace.session() as s:
        assert explain_account(s, hit).explanation == [{"rule": kind, "label": f"{kind} rule", "points": 30}]
        assert explain_account(s, miss).explanation == []


def test_technology_and_signal_rules(workspace):
    use_rules(workspace, [rule("technology", {"names": ["HubSpot", "Marketo"]}, 10, "tech"),
                          rule("signal", {"kinds": ["funding", "hiring"], "days": 90}, 15, "trigger")])
    ids = [add(workspace, name=f"A{i}") for i in range(5)]
    now = dt.datetime.now(dt.UTC)
    with workspace.session() as s:
        s.add(AccountTechnology(account_id=ids[0], name="hubspot"))  # case-insensitive
        s.add(AccountTechnology(account_id=ids[1], name="Salesforce"))  # not asked for
        s.add(Signal(account_id=ids[0], kind="hiring", title="t", occurred_on=TODAY - dt.timedelta(days=10)))
        s.add(Signal(account_id=ids[1], kind="funding", title="t", occurred_on=TODAY - dt.timedelta(days=200)))
        s.add(Signal(account_id=ids[2], kind="funding", title="t", occurred_on=None, detected_at=now))  # undated: detected
        s.add(Signal(account_id=ids[3], kind="news", title="t", occurred_on=TODAY))  # other kind
        s.add(Signal(account_id=ids[4], kind="funding", title="old", occurred_on=TODAY - dt.timedelta(days=400)))
        s.add(Signal(account_id=ids[4], kind="funding", title="new", occurred_on=TODAY - dt.timedelta(days=89)))
    rescore_all(workspace)
    got = {i: v[0] for i, v in scores(workspace).items()}
    assert [got[i] for i in ids] == [25, 0, 15, 0, 15]


def test_clamp_and_explanation_sums_to_score(workspace):
    rules = [rule("industry", {"industries": ["fintech"]}, 80, "a"), rule("employees", {"min": 1}, 70, "b"),
             rule("abm_stage", {"stages": ["lost"]}, -100, "c")]
    use_rules(workspace, rules)
    top = add(workspace, industry="fintech", employees=10)
    bottom = add(workspace, abm_stage="lost")
    rescore_all(workspace)
    with workspace.session() as s:
        for aid, expected in ((top, 100), (bottom, 0)):
            e = explain_account(s, aid)
            assert e.score == expected
            assert sum(r["points"] for r in e.explanation) == e.score
            assert e.explanation[-1]["rule"] == CLAMP_RULE


def test_thresholds_give_tiers():
    assert [tier_for(s, {"1": 75, "2": 50}) for s in (100, 75, 74, 50, 49, 0)] == [1, 1, 2, 2, 3, 3]
    compiled = compile_rules([rule("employees", {"min": 1}, 40)], {"1": 40, "2": 20})
    row = type("Row", (), {"employees": 5})()
    assert evaluate(compiled, row).suggested_tier == 1


def test_configured_thresholds_and_manual_override(workspace):
    use_rules(workspace, [rule("industry", {"industries": ["fintech"]}, 35)], {"1": 30, "2": 10})
    auto = add(workspace, industry="fintech", tier=3)
    manual = add(workspace, industry="fintech", tier=3, tier_is_manual=True)
    result = rescore_all(workspace)
    assert result.tier_changes == 1 and result.manual_kept == 1
    got = scores(workspace)
    assert got[auto] == (35, 1, 1)
    assert got[manual] == (35, 3, 1)  # score and suggestion updated, tier kept
    with workspace.session() as s:
        e = explain_account(s, manual)
        assert e.manual and e.tier == 3 and e.suggested_tier == 1 and e.up_to_date
        preview = preview_rescore(s, [rule("industry", {"industries": ["fintech"]}, 15)], {"1": 30, "2": 10})
    moves = {m.account_id: m for m in preview.tier_moves}
    assert moves[auto].new_tier == 2 and not moves[auto].manual
    assert moves[manual].manual and moves[manual].old_tier == 3 and moves[manual].new_tier == 2


def test_default_version_and_save_restore(workspace):
    with workspace.session() as s:
        v1 = active_rule_set(s)
        assert v1.version == 1 and v1.active and v1.rules == default_rules()
        assert v1.tier_thresholds == {"1": 75, "2": 50}
    v2 = use_rules(workspace, [rule("industry", {"industries": ["retail"]}, 50)], note="retail push")
    assert v2 == 2
    with workspace.session() as s:
        versions = list_versions(s)
        assert [(v.version, v.active) for v in versions] == [(2, True), (1, False)]
        assert versions[0].note == "retail push"
        v3 = restore_version(s, 1)
        assert v3.version == 3 and v3.rules == default_rules() and "Restored from version 1" in v3.note
    with workspace.session() as s:
        assert active_rule_set(s).version == 3
        assert s.scalar(select(func.count()).where(IcpRuleSet.active.is_(True))) == 1
        with pytest.raises(ScoringError, match="no ICP rule-set version 9"):
            restore_version(s, 9)


@pytest.mark.parametrize("bad,message", [
    (rule("colour", {}, rid="paint", label="Colour is blue"), r"rule 2 'paint' \(Colour is blue\): unknown kind 'colour'"),
    (rule("employees", {"min": 500, "max": 10}, rid="size"), "'size'.*min 500 is above max 10"),
    (rule("industry", {"industries": ["fintech", "space_mining"]}, rid="ind"), "'ind'.*unknown industry 'space_mining'"),
    (rule("signal", {"kinds": ["funding"], "days": 0}, rid="sig"), "'sig'.*days must be between 1 and 3650"),
    (rule("hq_country", {"countries": ["USA"]}, rid="geo"), "'geo'.*two-letter"),
    ({**rule("segment", {"segments": ["smb"]}, rid="pts"), "points": 500}, "'pts'.*points must be between"),
])
def test_invalid_rule_names_it_and_saves_nothing(workspace, bad, message):
    with workspace.session() as s:
        active_rule_set(s)
    good = rule("industry", {"industries": ["fintech"]}, rid="ok")
    with pytest.raises(ScoringError, match=message):
        with workspace.session() as s:
            save_rule_set(s, [good, bad], {"1": 75, "2": 50}, "bad")
    with workspace.session() as s:
        assert [v.version for v in list_versions(s)] == [1]
        assert active_rule_set(s).version == 1


def test_bad_thresholds_and_duplicate_ids(workspace):
    with workspace.session() as s, pytest.raises(ScoringError, match="tier 2 .* must not be above tier 1"):
        save_rule_set(s, [], {"1": 40, "2": 60})
    with workspace.session() as s, pytest.raises(ScoringError, match="duplicate rule id 'x'"):
        save_rule_set(s, [rule("segment", {"segments": ["smb"]}, rid="x"), rule("segment", {"segments": ["smb"]}, rid="x")],
                      {"1": 75, "2": 50})


def test_preview_writes_nothing_and_lists_tier_moves(workspace):
    ids = add_accounts(workspace, 10)
    rescore_all(workspace)
    before = scores(workspace)
    with workspace.session() as s:
        n_events = s.scalar(select(func.count(AccountEvent.id)))
        versions = s.scalar(select(func.count(IcpRuleSet.id)))
        preview = preview_rescore(s, [rule("industry", {"industries": ["retail"]}, 80)], {"1": 75, "2": 50})
    assert preview.scored == 10
    retail = [i for i, aid in enumerate(ids) if i % 5 == 3]
    moved_to_1 = {m.account_id for m in preview.tier_moves if m.new_tier == 1}
    assert moved_to_1 == {ids[i] for i in retail}
    assert preview.tiers_after["1"] == 2 and preview.tiers_after["3"] == 8
    assert sum(preview.tiers_before.values()) == sum(preview.histogram) == 10
    assert preview.histogram[8] == 2
    assert scores(workspace) == before
    with workspace.session() as s:
        assert s.scalar(select(func.count(AccountEvent.id))) == n_events
        assert s.scalar(select(func.count(IcpRuleSet.id))) == versions


def test_rescore_all_matches_per_account_scoring(workspace, monkeypatch):
    monkeypatch.setattr(scoring, "CHUNK", 7)  # several chunks, each with its own grouped fact queries
    ids = add_accounts(workspace, 30)
    with workspace.session() as s:
        for i, aid in enumerate(ids):
            acc = s.get(Account, aid)
            acc.hq_country = ("US", "FR", "GB")[i % 3]
            acc.annual_revenue = Decimal(i * 4_000_000)
            if i % 4 == 0:
                s.add(AccountTechnology(account_id=aid, name="Salesforce"))
            if i % 6 == 0:
                s.add(Signal(account_id=aid, kind="funding", title="Series B", occurred_on=TODAY))
    result = rescore_all(workspace)
    assert result.scored == 30 and result.version == 1
    bulk = scores(workspace)
    with workspace.session() as s:
        versions = dict(s.execute(select(Account.id, Account.version)).all())
        for aid in ids:
            one = score_account(s, aid)
            assert (one.score, one.tier, one.suggested_tier) == bulk[aid]
            assert sum(r["points"] for r in one.explanation) == one.score
    with workspace.session() as s:  # nothing left to change: per-account scoring wrote nothing
        assert dict(s.execute(select(Account.id, Account.version)).all()) == versions
    again = rescore_all(workspace)
    assert again.written == 0 and again.changed == 0 and again.tier_changes == 0


def test_cancel_writes_nothing(workspace, monkeypatch):
    monkeypatch.setattr(scoring, "CHUNK", 4)
    add_accounts(workspace, 10)
    before = scores(workspace)
    token = CancelToken()

    def progress(done, total, message=""):
        if done >= 4:  # after the first chunk was written
            token.cancel()
    with pytest.raises(JobCancelled):
        rescore_all(workspace, progress, token)
    assert scores(workspace) == before
    with workspace.session() as s:
        assert s.scalar(select(func.count(AccountEvent.id))) == 0
        assert s.scalar(select(func.max(Account.version))) == 1


def test_concurrent_editor_gets_a_conflict(workspace):
    aid = add(workspace, industry="fintech", employees=300)
    editor = workspace.sessions()
    try:
        acc = editor.get(Account, aid)  # loaded before the rescoring
        editor.commit()  # the app's pattern: read in one unit of work, save in a later one
        rescore_all(workspace)
        acc.notes = "called the CFO"
        with pytest.raises(StaleDataError):
            editor.commit()
    finally:
        editor.close()
    with workspace.session() as s:
        acc = s.get(Account, aid)
        assert acc.version == 2 and acc.notes is None and acc.icp_score == 40


def test_events_are_not_a_flood(workspace):
    use_rules(workspace, [rule("industry", {"industries": ["fintech"]}, 60), rule("employees", {"min": 100}, 3, "e")])
    aid = add(workspace, industry="fintech", employees=50, tier=3)
    rescore_all(workspace)
    with workspace.session() as s:
        kinds = s.scalars(select(AccountEvent.kind).where(AccountEvent.account_id == aid)).all()
        assert kinds == ["tier_changed"]  # 3 → 2, one event (not also "scored")
        s.get(Account, aid).employees = 500  # +3: under the 5-point threshold
    rescore_all(workspace)
    with workspace.session() as s:
        assert s.scalar(select(func.count(AccountEvent.id))) == 1
        assert s.get(Account, aid).icp_score == 63
        ev = s.scalars(select(AccountEvent)).one()
        assert ev.source == "scoring" and ev.old_value == "3" and ev.new_value == "2"


def test_score_account_after_an_edit(workspace):
    aid = add(workspace, industry="retail")
    with workspace.session() as s:
        assert score_account(s, aid).score == 0
    with workspace.session() as s:
        acc = s.get(Account, aid)
        acc.industry, acc.employees = "fintech", 1000
        s.flush()
        result = score_account(s, aid)
        assert result.score == 40 and [r["rule"] for r in result.explanation] == ["target_industry", "core_size"]
    with workspace.session() as s:
        assert s.get(Account, aid).icp_score == 40
        with pytest.raises(ScoringError, match="no account with id 424242"):
            score_account(s, 424242)
