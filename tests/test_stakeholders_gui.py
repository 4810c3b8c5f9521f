"""pytest-qt: the Stakeholders tab — contacts table, coverage strip, org chart (drag to reparent, placeholders,
lines, search, zoom, export) and the contact dialog."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from sqlalchemy import select

from accounts.models import Account, Contact, ContactRelationship
from accounts.stakeholders import save_contact, set_reports_to, stakeholder_map
from bdr_desk.export import orgchart_render
from ui import contact_dialog, dialogs
from ui.contact_dialog import ContactDialog
from ui.models.contacts_model import ContactsFilterModel, ContactsModel
from ui.orgchart_view import CardItem, EdgeItem
from ui.stakeholders_panel import CHART, TABLE, StakeholdersPanel


def _account(ctx, name="Acme Corp", segment="enterprise") -> int:
    with ctx.workspace.session() as s:
        acc = Account(name=name, domain=f"{name.split()[0].lower()}.example", segment=segment, employees=5000)
        s.add(acc)
        s.flush()
        return acc.id


def _people(ctx, account_id, rows) -> dict[str, int]:
    """rows: (first, last, title, role, manager first name or None) → {first name: id}."""
    ids: dict[str, int] = {}
    with ctx.workspace.session() as s:
        for first, last, title, role, boss in rows:
            card = save_contact(s, account_id, {
                "first_name": first, "last_name": last, "title": title, "buying_role": role,
                "email": f"{first.lower()}.{last.lower()}@acme.example", "influence": 3,
                "reports_to_id": ids.get(boss) if boss else None})
            ids[first] = card.id
    return ids


COMMITTEE = [
    ("Ada", "Ng", "Chief Financial Officer", "economic_buyer", None),
    ("Bo", "Li", "VP Finance", "decision_maker", "Ada"),
    ("Cy", "Ro", "Finance Manager", "champion", "Bo"),
    ("Di", "Ek", "IT Director", None, "Ada"),
]


@pytest.fixture
def errors(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": seen.append(msg))
    return seen


def _panel(qtbot, ctx, account_id, mode=TABLE) -> StakeholdersPanel:
    panel = StakeholdersPanel(ctx, account_id)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_mode(mode)
    return panel


def _reports_to(ctx, contact_id):
    with ctx.workspace.session() as s:
        return s.scalar(select(Contact.reports_to_id).where(Contact.id == contact_id))


def test_panel_shows_contacts_and_coverage(qtbot, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid)
    assert panel.model.rowCount() == 4 and panel.stack.currentWidget() is panel.table
    row = panel.model.row_of(ids["Bo"])
    assert panel.model.index(row, ContactsModel.REPORTS_TO).data() == "Ada Ng"
    assert panel.model.index(row, ContactsModel.INFLUENCE).data() == "●●●○○"
    # enterprise: economic buyer 3 + decision maker 3 + champion 2 of 3+3+2+2+1 required
    assert panel.coverage_pct.text() == "73%"
    assert panel.missing.text() == "Missing: Technical evaluator, Procurement"
    assert panel.stale.isVisibleTo(panel) and "No activity" in panel.stale.text()
    chart = panel.chart
    assert {k for k in chart.cards if isinstance(k, str)} == {"placeholder:technical_evaluator",
                                                                "placeholder:procurement"}
    reports = [e for e in chart.edges if e.kind == "reports"]
    assert {(e.source.key, e.target.key) for e in reports} == {
        (ids["Ada"], ids["Bo"]), (ids["Bo"], ids["Cy"]), (ids["Ada"], ids["Di"])}


def test_empty_account_says_what_to_do(qtbot, ctx):
    panel = _panel(qtbot, ctx, _account(ctx))
    assert panel.stack.currentWidget() is panel.empty
    panel.set_mode(CHART)  # the chart still shows what the committee needs
    assert len(panel.chart.cards) == 5 and all(c.placeholder for c in panel.chart.cards.values())


def test_left_company_is_greyed_and_sorted_last(qtbot, qtmodeltester, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    with ctx.workspace.session() as s:
        save_contact(s, aid, {"left_company": True}, ids["Ada"])
    panel = _panel(qtbot, ctx, aid)
    model = panel.model
    row = model.row_of(ids["Ada"])
    assert model.index(row, 0).data().endswith("(left)")
    assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#94a3b8"
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    last = panel.proxy.index(panel.proxy.rowCount() - 1, 0)
    assert last.data().startswith("Ada Ng")
    qtmodeltester.check(model)
    qtmodeltester.check(panel.proxy)
    assert panel.chart.cards[ids["Ada"]].fields["left_company"] is True


def test_contacts_model_passes_qtmodeltester(qtmodeltester, ctx):
    aid = _account(ctx)
    _people(ctx, aid, COMMITTEE)
    with ctx.workspace.session() as s:
        smap = stakeholder_map(s, aid)
    model = ContactsModel(ctx.taxonomy)
    qtmodeltester.check(model)
    model.set_rows(smap.contacts)
    qtmodeltester.check(model)
    proxy = ContactsFilterModel(model)
    proxy.set_search("finance")
    assert proxy.rowCount() == 3  # CFO, VP Finance, Finance Manager
    qtmodeltester.check(proxy)


def test_drop_card_on_another_reparents(qtbot, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    chart = panel.chart
    target = chart.cards[ids["Bo"]].center()
    assert chart.drop_card(ids["Di"], target) == "reparent"
    assert _reports_to(ctx, ids["Di"]) == ids["Bo"]
    row = panel.model.row_of(ids["Di"])
    assert panel.model.index(row, ContactsModel.REPORTS_TO).data() == "Bo Li"
    assert (ids["Bo"], ids["Di"]) in {(e.source.key, e.target.key) for e in chart.edges if e.kind == "reports"}
    # empty space: nothing changes and the card is back home; with Shift: reports to nobody
    far = chart.scene().sceneRect().bottomRight() - QPointF(2, 2)
    assert chart.drop_card(ids["Di"], far) == "none"
    assert _reports_to(ctx, ids["Di"]) == ids["Bo"]
    assert chart.cards[ids["Di"]].pos() == chart.cards[ids["Di"]].home
    assert chart.drop_card(ids["Di"], far, shift=True) == "no_manager"
    assert _reports_to(ctx, ids["Di"]) is None


def test_mouse_drag_reparents(qtbot, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    chart = panel.chart
    qtbot.wait(10)
    start = chart.card_center_in_view(ids["Cy"])
    end = chart.card_center_in_view(ids["Di"])
    assert chart.viewport().rect().contains(start) and chart.viewport().rect().contains(end)
    vp = chart.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    mid = (start + end) / 2
    qtbot.mouseMove(vp, mid)
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    qtbot.waitUntil(lambda: _reports_to(ctx, ids["Cy"]) == ids["Di"])
    row = panel.model.row_of(ids["Cy"])
    assert panel.model.index(row, ContactsModel.REPORTS_TO).data() == "Di Ek"
    # a plain click is not a drag
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=chart.card_center_in_view(ids["Bo"]))
    assert _reports_to(ctx, ids["Bo"]) == ids["Ada"]


def test_drop_creating_a_cycle_is_refused(qtbot, ctx, errors):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    chart = panel.chart
    # Ada (top) onto Cy, who reports to Bo, who reports to Ada
    assert chart.drop_card(ids["Ada"], chart.cards[ids["Cy"]].center()) == "reparent"
    assert errors and "cycle" in errors[0]
    assert _reports_to(ctx, ids["Ada"]) is None
    card = chart.cards[ids["Ada"]]
    assert card.pos() == card.home


def test_existing_cycle_is_drawn_and_flagged(qtbot, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    with ctx.workspace.session() as s:  # legacy data: A → B → A, written behind the domain's back
        s.get(Contact, ids["Ada"]).reports_to_id = ids["Cy"]
    panel = _panel(qtbot, ctx, aid, CHART)
    assert panel.cycles.isVisibleTo(panel) and "loop" in panel.cycles.text()
    assert len([c for c in panel.chart.cards.values() if not c.placeholder]) == 4


def test_placeholder_fill_raises_coverage(qtbot, ctx, monkeypatch):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    before = panel.smap.coverage.coverage
    menu = panel.chart.card_menu("placeholder:technical_evaluator")
    assert [a.text() for a in menu.actions()] == ["Fill with…"]
    offered = []

    def pick(parent, title, prompt, choices):
        offered.extend(choices)
        return ids["Di"]

    monkeypatch.setattr(contact_dialog, "pick_contact", pick)
    menu.actions()[0].trigger()
    assert any(cid == ids["Di"] for cid, _ in offered)
    assert panel.smap.coverage.coverage > before
    assert "placeholder:technical_evaluator" not in panel.chart.cards
    assert panel.missing.text() == "Missing: Procurement"
    with ctx.workspace.session() as s:
        assert s.get(Contact, ids["Di"]).buying_role == "technical_evaluator"
    # dropping a person's card on a placeholder fills it too
    with ctx.workspace.session() as s:
        eve = save_contact(s, aid, {"first_name": "Eve", "last_name": "Ka", "title": "Buyer"}).id
    panel.load()
    assert panel.chart.drop_card(eve, panel.chart.cards["placeholder:procurement"].center()) == "fill"
    assert panel.smap.coverage.coverage == 1.0 and panel.missing.text() == "Every required role is filled"
    assert not any(c.placeholder for c in panel.chart.cards.values())


def test_card_menu_lines_left_and_delete(qtbot, ctx, monkeypatch):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    names = [a.objectName() for a in panel.chart.card_menu(ids["Bo"]).actions() if a.objectName()]
    assert names == ["edit", "no_manager", "influence", "conflict", "left", "delete"]
    monkeypatch.setattr(contact_dialog, "pick_contact", lambda *a: ids["Di"])
    panel.card_action("influence", ids["Bo"])
    panel.card_action("conflict", ids["Cy"])
    kinds = sorted(e.kind for e in panel.chart.edges if e.kind != "reports")
    assert kinds == ["conflict", "influence"]
    assert all(isinstance(e, EdgeItem) and not e.boundingRect().isEmpty() for e in panel.chart.edges)
    with ctx.workspace.session() as s:
        assert s.scalar(select(ContactRelationship.kind).where(
            ContactRelationship.from_contact_id == ids["Bo"])) == "influence"
    panel.card_action("left", ids["Cy"])
    assert panel.contact(ids["Cy"]).left_company
    assert panel.chart.cards[ids["Cy"]].fields["left_company"]
    assert "placeholder:champion" in panel.chart.cards  # the champion left: the role is open again
    panel.card_action("no_manager", ids["Bo"])
    assert _reports_to(ctx, ids["Bo"]) is None
    monkeypatch.setattr(dialogs, "ask", lambda *a: True)
    panel.card_action("delete", ids["Di"])
    assert panel.model.rowCount() == 3 and ids["Di"] not in panel.chart.cards


def test_search_highlights_and_filters(qtbot, ctx):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    qtbot.keyClicks(panel.search_box, "finance")
    matches = panel.chart.matches
    assert set(matches) == {ids["Ada"], ids["Bo"], ids["Cy"]}
    assert matches[0] == ids["Ada"]  # the top of the chart first
    assert panel.chart.cards[ids["Bo"]].highlighted and not panel.chart.cards[ids["Di"]].highlighted
    assert panel.proxy.rowCount() == 3 and "3 on the chart" in panel.match_label.text()
    panel.search_box.clear()
    assert not any(c.highlighted for c in panel.chart.cards.values()) and panel.proxy.rowCount() == 4


def test_zoom_and_fit(qtbot, ctx):
    aid = _account(ctx)
    _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    chart = panel.chart
    z = chart.zoom()
    qtbot.mouseClick(panel.zoom_in_button, Qt.MouseButton.LeftButton)
    assert chart.zoom() == pytest.approx(z * 1.25)
    for _ in range(30):
        chart.zoom_out()
    assert chart.zoom() == pytest.approx(0.15)
    chart.fit()
    assert 0.15 <= chart.zoom() <= 1.0


def test_png_and_svg_export_through_the_seam(qtbot, ctx, monkeypatch, tmp_path):
    aid = _account(ctx)
    _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid, CHART)
    target = tmp_path / "chart.png"
    asked = []
    monkeypatch.setattr(dialogs, "save_file", lambda parent, title, suggested, filters:
                        asked.append(suggested) or str(target))
    assert panel.export("png") == target
    assert asked and asked[0].endswith(".png") and "Acme Corp" in asked[0]
    img = QImage(str(target))
    geo = orgchart_render.chart_geometry(orgchart_render.chart_layout(panel.smap), ctx.taxonomy)
    assert not img.isNull() and (img.width(), img.height()) == (geo.width, geo.height)
    assert img.pixelColor(img.width() // 2, img.height() // 2) is not None
    svg = tmp_path / "chart"
    monkeypatch.setattr(dialogs, "save_file", lambda *a: str(svg))
    assert panel.export("svg") == tmp_path / "chart.svg"
    assert (tmp_path / "chart.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    monkeypatch.setattr(dialogs, "save_file", lambda *a: None)  # cancelled
    assert panel.export("png") is None


def test_contact_dialog_create_and_edit_round_trip(qtbot, ctx, errors):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE[:1])
    dlg = ContactDialog(ctx, aid, None, [(ids["Ada"], "Ada Ng")])
    qtbot.addWidget(dlg)
    assert not dlg.ok.isEnabled()
    dlg.first_name.setText("Vera")
    dlg.last_name.setText("Park")
    dlg.title_edit.setText("VP Finance")
    assert dlg.seniority_value() == "vp" and "VP · Finance" in dlg.derived.text()
    assert "Decision maker" in dlg.role_hint.text()
    dlg.email.setText("Vera.Park@acme.example")
    dlg.buying_role.setCurrentIndex(dlg.buying_role.findData("champion"))
    dlg.influence.setCurrentIndex(dlg.influence.findData(4))
    dlg.sentiment.setCurrentIndex(dlg.sentiment.findData("supporter"))
    dlg.reports_to.setCurrentIndex(dlg.reports_to.findData(ids["Ada"]))
    assert dlg.save(), errors
    created = dlg.saved
    assert created.seniority == "vp" and created.function == "finance"
    assert created.reports_to_id == ids["Ada"] and created.email == "vera.park@acme.example"
    assert created.influence == 4 and created.buying_role == "champion" and created.source == "manual"

    edit = ContactDialog(ctx, aid, created, [(ids["Ada"], "Ada Ng"), (created.id, "Vera Park")])
    qtbot.addWidget(edit)
    assert edit.reports_to.findData(created.id) == -1  # never yourself
    assert edit.title_edit.text() == "VP Finance" and edit.seniority.currentData() is None  # auto
    edit.seniority.setCurrentIndex(edit.seniority.findData("c_level"))  # override
    edit.left_company.setChecked(True)
    edit.notes.setPlainText("Moving to a competitor")
    assert edit.save(), errors
    with ctx.workspace.session() as s:
        c = s.get(Contact, created.id)
        assert (c.seniority, c.left_company, c.notes) == ("c_level", True, "Moving to a competitor")
    again = ContactDialog(ctx, aid, edit.saved, [])
    qtbot.addWidget(again)
    assert again.seniority.currentData() == "c_level"  # the override survives a reopen

    # someone else saved in between: optimistic locking reports it and writes nothing
    stale = ContactDialog(ctx, aid, created, [])
    qtbot.addWidget(stale)
    stale.phone.setText("+1 555 0100")
    assert not stale.save()
    assert errors and "changed by someone else" in errors[-1]
    with ctx.workspace.session() as s:
        assert s.get(Contact, created.id).phone is None


def test_bad_email_is_reported(qtbot, ctx, errors):
    aid = _account(ctx)
    dlg = ContactDialog(ctx, aid)
    qtbot.addWidget(dlg)
    dlg.first_name.setText("Zed")
    dlg.email.setText("not an email")
    assert not dlg.save() and "e-mail" in errors[0]


def test_add_and_edit_through_the_panel(qtbot, ctx, monkeypatch):
    aid = _account(ctx)
    ids = _people(ctx, aid, COMMITTEE)
    panel = _panel(qtbot, ctx, aid)
    changed = []
    panel.changed.connect(lambda: changed.append(1))

    def fake_dialog(parent, ctx_, account_id, card=None, contacts=()):
        with ctx_.workspace.session() as s:
            return save_contact(s, account_id, {"title": "Procurement Lead"} if card else
                                {"first_name": "New", "last_name": "Person", "title": "Head of Procurement"},
                                card.id if card else None, card.version if card else None)

    monkeypatch.setattr(contact_dialog, "open_contact_dialog", fake_dialog)
    panel.add_contact()
    assert panel.model.rowCount() == 5 and changed
    new_id = panel.selected_contact_id()
    assert panel.contact(new_id).name == "New Person"
    assert panel.edit_button.isEnabled()
    panel.select_contact(ids["Di"])
    panel.edit_selected()
    assert panel.contact(ids["Di"]).title == "Procurement Lead"


def test_sixty_people_stay_responsive(qtbot, ctx):
    aid = _account(ctx)
    with ctx.workspace.session() as s:
        boss = save_contact(s, aid, {"first_name": "Top", "last_name": "Boss", "title": "CEO"}).id
        prev = boss
        for i in range(59):
            c = save_contact(s, aid, {"first_name": f"P{i:02d}", "last_name": "Person",
                                      "title": ["VP Sales", "Director IT", "Manager", "Analyst"][i % 4]})
            set_reports_to(s, c.id, boss if i % 7 == 0 else prev)
            if i % 7 == 0:
                prev = c.id
    t0 = time.perf_counter()
    panel = _panel(qtbot, ctx, aid, CHART)
    panel.chart.fit()
    panel.chart.viewport().grab()
    elapsed = time.perf_counter() - t0
    assert len([c for c in panel.chart.cards.values() if isinstance(c, CardItem) and not c.placeholder]) == 60
    assert elapsed < 5, elapsed
    rects = [c.scene_rect() for c in panel.chart.cards.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])  # no overlaps


def test_account_window_uses_the_panel(qtbot, ctx):
    from ui.account_window import AccountWindow

    aid = _account(ctx)
    _people(ctx, aid, COMMITTEE)
    win = AccountWindow(ctx, aid)
    qtbot.addWidget(win)
    assert isinstance(win.stakeholders, StakeholdersPanel)
    assert win.contacts_model is win.stakeholders.model and win.contacts_model.rowCount() == 4
    assert win.cards["contacts"].value.text() == "4"
    chart = win.stakeholders.chart
    ids = {c.name: c.id for c in win.stakeholders.smap.contacts}
    assert chart.drop_card(ids["Di Ek"], chart.cards[ids["Cy Ro"]].center()) == "reparent"
    tl = win.timeline_model
    assert any("Di Ek now reports to Cy Ro" in tl.entry(i).summary for i in range(tl.rowCount()))
