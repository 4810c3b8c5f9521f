"""pytest-qt: Settings › Buying committees edits the segment templates and the stale-map threshold."""

from __future__ import annotations

from accounts.stakeholders import committee_template, stale_days
from ui import dialogs
from ui.widgets.committee_settings import CommitteeSettings


def test_marketing_edits_the_enterprise_committee(qtbot, make_ctx, sqlite_workspace, monkeypatch):
    ctx = make_ctx(sqlite_workspace, role="marketing")
    w = CommitteeSettings(ctx)
    qtbot.addWidget(w)
    assert w.segment.currentData() == "enterprise"
    assert w.required["procurement"].isChecked() and w.save_button.isEnabled()
    w.required["procurement"].setChecked(False)
    w.weight["procurement"].setValue(0)
    w.weight["champion"].setValue(4)
    w.stale.setValue(45)
    w.save_button.click()
    with sqlite_workspace.session() as s:
        roles = {r["role"]: r for r in committee_template(s, "enterprise")}
        assert "procurement" not in roles and roles["champion"]["weight"] == 4
        assert stale_days(s) == 45
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    w.required["user"].setChecked(True)
    w.weight["user"].setValue(0)
    w.save_button.click()
    assert errors and "weight of 'user'" in errors[0]


def test_bdrs_see_the_committees_read_only(qtbot, make_ctx, sqlite_workspace):
    w = CommitteeSettings(make_ctx(sqlite_workspace, role="bdr"))
    qtbot.addWidget(w)
    assert not w.save_button.isEnabled() and not w.required["champion"].isEnabled()
    assert "Managers and marketing" in w.note.text()
