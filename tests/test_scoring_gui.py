"""The ICP rules dialog: edit points, preview the tier moves, save (a job that rescores), restore, errors
through the dialog seam; the score explanation widget; the item models."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from accounts.models import Account
from accounts.scoring import TierMove, list_versions
from accounts.scoring_rules import default_rules
from bdr_desk.taxonomy import Taxonomy
from ui import dialogs
from ui.models.icp_rules import IcpRulesModel, TierMovesModel
from ui.scoring_dialog import IcpRulesDialog
from ui.widgets.score_explanation import ScoreExplanation, explanation_text


@pytest.fixture
def errors(monkeypatch):
    seen = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, message, details="": seen.append(message))
    monkeypatch.setattr(dialogs, "ask", lambda *a: True)
    return seen


@pytest.fixture
def scored_ws(sqlite_workspace):
    with sqlite_workspace.session() as s:  # fintech/300 employees/US: 20+20+10 = 50 → tier 2 with v1
        s.add_all([Account(name="Ledgerly", domain="ledgerly.example", industry="fintech", employees=300,
                           hq_country="US", tier=2),
                   Account(name="Shopco", domain="shopco.example", industry="retail", employees=40, tier=3)])
    return sqlite_workspace


def wait_job(qtbot, dlg):
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=20_000)


def test_edit_preview_save_restore(qtbot, make_ctx, scored_ws, errors):
    ctx = make_ctx(scored_ws, role="manager")
    dlg = IcpRulesDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.active.version == 1 and dlg.rules_model.rowCount() == len(default_rules())
    assert not dlg.save_button.isEnabled()  # nothing edited yet

    model = dlg.rules_model
    assert model.setData(model.index(0, IcpRulesModel.POINTS), 45)  # target industry 20 → 45: Ledgerly 75 → tier 1
    assert model.data(model.index(0, IcpRulesModel.POINTS)) == "+45" and dlg.save_button.isEnabled()
    dlg.preview()
    wait_job(qtbot, dlg)
    preview = dlg.last_preview
    assert preview is not None and preview.scored == 2
    assert dlg.moves_model.rowCount() >= 1
    ledgerly = [m for m in preview.tier_moves if m.name == "Ledgerly"][0]
    assert (ledgerly.old_tier, ledgerly.new_tier, ledgerly.new_score) == (2, 1, 75)
    assert dlg.tier_cards["1"].value.text() == "0 → 1"
    with scored_ws.session() as s:  # the preview wrote nothing
        assert s.scalar(select(Account.icp_score).where(Account.name == "Ledgerly")) is None

    results = []
    dlg.rescored.connect(results.append)
    dlg.note.setText("fintech push")
    dlg.save()
    wait_job(qtbot, dlg)
    qtbot.waitUntil(lambda: bool(results), timeout=5_000)
    assert results[0].version == 2 and results[0].tier_changes >= 1
    assert dlg.active.version == 2 and not dlg.save_button.isEnabled()
    with scored_ws.session() as s:
        acc = s.scalars(select(Account).where(Account.name == "Ledgerly")).one()
        assert (acc.icp_score, acc.tier, acc.icp_version) == (75, 1, 2)
        assert list_versions(s)[0].note == "fintech push"

    # restore version 1 from the versions tab: a new version 3 with v1's rules, accounts rescored
    dlg.tabs.setCurrentIndex(2)
    row = next(i for i in range(dlg.versions_model.rowCount()) if dlg.versions_model.row_at(i).version == 1)
    dlg.versions_view.selectRow(row)
    assert dlg.restore_button.isEnabled()
    dlg.restore_selected()
    wait_job(qtbot, dlg)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5_000)
    assert dlg.active.version == 3 and dlg.rules_model.rules() == default_rules()
    with scored_ws.session() as s:
        assert s.scalar(select(Account.tier).where(Account.name == "Ledgerly")) == 2
    assert errors == []


def test_add_and_remove_rule_with_the_form(qtbot, make_ctx, scored_ws, errors):
    dlg = IcpRulesDialog(make_ctx(scored_ws))
    qtbot.addWidget(dlg)
    n = dlg.rules_model.rowCount()
    form = dlg.form
    form.set_kind("industry")
    form.check("retail")
    form.points.setValue(30)
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    assert dlg.rules_model.rowCount() == n + 1
    added = dlg.rules_model.rule_at(n)
    assert added["params"]["industries"] == ["retail"] and added["points"] == 30 and added["id"] == "industry"
    assert "Retail" in added["label"]
    form.set_kind("employees")
    form.min_edit.setText("900")
    form.max_edit.setText("10")
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)  # min above max: refused, through the seam
    assert dlg.rules_model.rowCount() == n + 1 and "min 900 is above max 10" in errors[-1]
    dlg.rules_view.selectRow(n)
    qtbot.mouseClick(dlg.remove_button, Qt.MouseButton.LeftButton)
    assert dlg.rules_model.rowCount() == n


def test_invalid_rules_go_through_show_error(qtbot, make_ctx, scored_ws, errors):
    dlg = IcpRulesDialog(make_ctx(scored_ws))
    qtbot.addWidget(dlg)
    rules = dlg.rules_model.rules()
    rules[0]["params"]["industries"] = ["space_mining"]
    dlg.rules_model.set_rules(rules)
    dlg.save()
    assert not dlg.busy() and "unknown industry 'space_mining'" in errors[-1] and "Target industry" in errors[-1]
    dlg.rules_model.set_rules(default_rules())
    dlg.tier1.setValue(20)
    dlg.tier2.setValue(60)
    dlg.preview()
    assert "must not be above tier 1" in errors[-1]
    with scored_ws.session() as s:
        assert [v.version for v in list_versions(s)] == [1]


def test_models(qtmodeltester):
    tax = Taxonomy()
    model = IcpRulesModel(tax, default_rules())
    qtmodeltester.check(model)
    assert not model.setData(model.index(0, IcpRulesModel.POINTS), 500)  # out of range
    assert not model.setData(model.index(0, IcpRulesModel.KIND), "x")  # not editable
    assert model.setData(model.index(0, IcpRulesModel.LABEL), "Core verticals")
    assert model.rules()[0]["label"] == "Core verticals"
    model.add_rule(default_rules()[0])
    assert model.rules()[-1]["id"] == "target_industry_2"
    qtmodeltester.check(model)
    moves = TierMovesModel()
    moves.set_moves([TierMove(1, "Acme", 2, 1, 60, 80, False), TierMove(2, "Globex", None, 3, None, 10, False),
                     TierMove(3, "Initech", 1, 2, 90, 70, True)])
    qtmodeltester.check(moves)
    assert moves.data(moves.index(0, 1)) == "2 → 1" and moves.data(moves.index(1, 2)) == "— → 10"
    assert moves.data(moves.index(2, 3)) == "manual tier kept"


def test_score_explanation_widget(qtbot):
    w = ScoreExplanation()
    qtbot.addWidget(w)
    rows = [{"rule": "a", "label": "Industry fintech", "points": 20}, {"rule": "b", "label": "Stage: lost", "points": -20}]
    w.set_explanation(82, rows, 1, 2, True)
    assert w.text() == "ICP 82 = Industry fintech +20, Stage: lost −20"
    assert w.score_label.text() == "82" and "manual" in w.tier_badge.text()
    assert "suggests tier 2" in w.override.text()
    w.set_explanation(None, [], None, None, False)
    assert w.text() == "ICP not scored yet" and w.tier_badge.isHidden()
    assert explanation_text(0, []) == "ICP 0 (no rule fired)"
