"""pytest-qt: the duplicate-review dialog — compare, pick fields, merge (contacts move), dismiss (stays gone)."""

from __future__ import annotations

from sqlalchemy import func, select

from accounts.dedupe import DuplicateCandidate
from accounts.models import Account, Activity, Contact
from bdr_desk.users import User
from ui import dialogs
from ui.duplicates_dialog import DuplicatesDialog, moved_text
from ui.models.duplicates_model import PAIR_ROLE, DuplicatePairsModel


def _seed(ws):
    with ws.session() as s:
        owner = User(name="Olga Owner", email="olga@test.example", role="bdr")
        s.add(owner)
        s.flush()
        a = Account(name="Acme Inc.", domain=None, employees=100, hq_city="Berlin", owner_id=owner.id)
        b = Account(name="ACME Incorporated", domain="acme.example", employees=120, industry="software")
        c = Account(name="Globex Corporation", domain="globex.example")
        d = Account(name="Globex Corp", domain="globex-intl.example")
        e = Account(name="Initech", domain="initech.example")
        s.add_all([a, b, c, d, e])
        s.flush()
        s.add_all([Contact(account_id=b.id, first_name="Ada", email="ada@acme.example"),
                   Contact(account_id=b.id, first_name="Bo", email="bo@acme.example"),
                   Contact(account_id=a.id, first_name="Cy", email="cy@acme.example"),
                   Activity(account_id=b.id, type="call", subject="Intro call")])
        return a.id, b.id, c.id, d.id


def _dialog(qtbot, ctx) -> DuplicatesDialog:
    dlg = DuplicatesDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.loaded, timeout=10_000)
    return dlg


def _select(dlg, a_id, b_id):
    row = dlg.model.row_of(a_id, b_id)
    assert row >= 0
    dlg.view.selectRow(row)


def test_merge_a_pair_field_by_field(qtbot, ctx, monkeypatch):
    a, b, c, d = _seed(ctx.workspace)
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda *args, **kw: errors.append(args))
    dlg = _dialog(qtbot, ctx)
    assert dlg.model.rowCount() == 2 and dlg.body.currentIndex() == 0
    _select(dlg, a, b)
    assert dlg.sides() == (a, b)
    assert "1 contact ·" in dlg.grid.itemAtPosition(0, 1).widget().text()
    # defaults: A's value, or B's where A is empty
    assert dlg.choices()["domain"] == "merge" and dlg.choices()["hq_city"] == "keep"
    assert dlg.choices()["employees"] == "keep"
    dlg.choose("employees", "merge")  # take B's head count
    dlg.choose("name", "merge")
    assert dlg.groups["employees"].button(2).text() == "120"
    assert dlg.groups["owner_id"].button(1).text() == "Olga Owner"
    assert dlg.groups["industry"].button(2).text() == "Software && SaaS"  # & escaped: not a mnemonic
    dlg.merge_button.click()
    qtbot.waitUntil(lambda: bool(dlg.merged), timeout=10_000)
    result = dlg.merged[0]
    assert (result.keep_id, result.merged_id) == (a, b)
    assert moved_text(result.moved).startswith("2 contacts, 1 activity moved")
    assert "2 contacts, 1 activity moved" in dlg.status.text()
    with ctx.workspace.session() as s:
        kept = s.get(Account, a)
        assert (kept.name, kept.domain, kept.employees, kept.hq_city, kept.industry) == \
            ("ACME Incorporated", "acme.example", 120, "Berlin", "software")
        assert s.get(Account, b) is None
        assert s.scalar(select(func.count(Contact.id)).where(Contact.account_id == a)) == 3
        assert s.scalar(select(func.count(Activity.id)).where(Activity.account_id == a)) == 1
    assert dlg.model.row_of(a, b) == -1 and dlg.model.rowCount() == 1
    assert dlg.current() is not None and {dlg.current().a_id, dlg.current().b_id} == {c, d}
    assert errors == []


def test_swap_keeps_b_instead(qtbot, ctx):
    a, b, c, d = _seed(ctx.workspace)
    dlg = _dialog(qtbot, ctx)
    _select(dlg, c, d)
    dlg.swap_button.click()
    assert dlg.sides() == (d, c)
    assert dlg.compare_title.text() == "Keep “Globex Corp”, fold in “Globex Corporation”"
    dlg.merge_button.click()
    qtbot.waitUntil(lambda: bool(dlg.merged), timeout=10_000)
    with ctx.workspace.session() as s:
        assert s.get(Account, c) is None and s.get(Account, d).domain == "globex-intl.example"


def test_not_a_duplicate_is_remembered(qtbot, ctx):
    a, b, c, d = _seed(ctx.workspace)
    dlg = _dialog(qtbot, ctx)
    _select(dlg, c, d)
    dlg.dismiss_button.click()
    assert dlg.model.row_of(c, d) == -1 and "will not be suggested again" in dlg.status.text()
    dlg.close()
    again = _dialog(qtbot, ctx)
    assert again.model.row_of(c, d) == -1 and again.model.row_of(a, b) >= 0
    _select(again, a, b)
    again.dismiss_button.click()
    assert again.model.rowCount() == 0 and again.body.currentIndex() == 1  # the empty state
    assert not again.merge_button.isEnabled()
    with ctx.workspace.session() as s:
        assert s.scalar(select(func.count(Account.id))) == 5


def test_no_duplicates_shows_the_empty_state(qtbot, ctx):
    with ctx.workspace.session() as s:
        s.add_all([Account(name="Acme", domain="acme.example"), Account(name="Initech", domain="initech.example")])
    dlg = _dialog(qtbot, ctx)
    assert dlg.body.currentIndex() == 1 and dlg.empty.title.text() == "No likely duplicates"


def test_pairs_model_passes_the_model_tester(qtmodeltester):
    model = DuplicatePairsModel()
    model.set_pairs([DuplicateCandidate(1, 2, "Acme Inc.", "ACME Incorporated", None, "acme.example", 95.0,
                                        "similar names"),
                     DuplicateCandidate(2, 3, "ACME Incorporated", "Acme", "acme.example", None, 90.0, "same name"),
                     DuplicateCandidate(4, 5, "Globex", "Globex Corp", "g.example", "gc.example", 89.0, "x")])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "Acme Inc.\nno domain" and model.index(0, 2).data() == "95"
    assert model.index(0, 3).data() == "Similar names" and model.index(2, 0).data(PAIR_ROLE).a_id == 4
    model.account_merged(keep_id=1, merged_id=2, name="Acme", domain="acme.example")
    assert model.rowCount() == 1 and model.pair(0).a_id == 4
    qtmodeltester.check(model)
