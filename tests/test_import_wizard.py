"""pytest-qt: the import wizard, clicked through — file, columns, dry run, import — plus cancel and bad files."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from sqlalchemy import func, select

from accounts.models import Account, TargetList, TargetListMember
from accounts.tabular import read_table
from ui import dialogs
from ui.import_wizard import ImportWizard
from ui.models.import_models import (
    FIELD_ROLE,
    ColumnMappingModel,
    PreviewModel,
    planned_changes_model,
    row_errors_model,
)

HUBSPOT_CSV = (
    "Company name,Company Domain Name,Number of Employees,Industry,Notes from rep\n"
    "Acme Inc.,acme.example,1200,Software,met at SaaStr\n"
    "Globex,globex.example,lots,Fintech,\n"
    "Initech,https://www.initech.example/about,\"12,000\",Underwater basket weaving,\n"
    "Umbrella Corp,umbrella.example,300,Healthcare,\n"
)


def _accounts(ctx) -> int:
    with ctx.workspace.session() as s:
        return s.scalar(select(func.count(Account.id)))


def _wizard(qtbot, ctx, **kw) -> ImportWizard:
    w = ImportWizard(ctx, None, **kw)
    qtbot.addWidget(w)
    w.show()
    return w


def test_click_through_a_hubspot_export(qtbot, ctx, tmp_path, monkeypatch):
    path = tmp_path / "hubspot-companies.csv"
    path.write_text(HUBSPOT_CSV, encoding="utf-8")
    monkeypatch.setattr(dialogs, "open_file", lambda parent, title, filters: str(path))
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda *a, **k: errors.append(a))
    w = _wizard(qtbot, ctx)
    assert not w.next_button.isEnabled()

    # 1 File
    w.choose_button.click()
    qtbot.waitUntil(lambda: w.table is not None, timeout=10_000)
    assert "4 data rows" in w.file_facts.text() and "5 columns" in w.file_facts.text()
    assert "comma-separated" in w.file_facts.text()
    assert w.file_name.text() == "hubspot-companies.csv" and w.file_error.text() == ""
    assert w.next_button.isEnabled()
    w.next_button.click()

    # 2 Columns: guessed from HubSpot's names, one changed through the model
    assert w.stack.currentIndex() == 1
    assert "HubSpot export" in w.system_note.text()
    m = w.mapping_model
    assert m.mapping() == {"Company name": "name", "Company Domain Name": "domain",
                           "Number of Employees": "employees", "Industry": "industry", "Notes from rep": None}
    assert m.index(0, 1).data() == "Acme Inc. · Globex · Initech"
    assert w.preview_model.rowCount() == 4 and w.preview_model.headerData(0, Qt.Orientation.Vertical) == "2"
    assert m.setData(m.index(m.row_of("Notes from rep"), m.MAPS_TO), "description")
    assert m.index(4, 2).data() == "Description"
    assert "Description" in w.preview_model.headerData(4, Qt.Orientation.Horizontal)
    # unmapping both name and domain is a problem shown inline, and blocks Next
    m.set_field("Company name", None)
    m.set_field("Company Domain Name", None)
    assert "name, domain or website" in w.problems.text() and not w.next_button.isEnabled()
    m.set_field("Company name", "name")
    m.set_field("Company Domain Name", "domain")
    assert w.problems.text() == "" and w.next_button.isEnabled()
    w.list_name.setText("Imported Q3")
    w.next_button.click()

    # 3 Check: a dry run as a job; nothing written
    assert w.stack.currentIndex() == 2
    qtbot.waitUntil(lambda: w.dry is not None, timeout=10_000)
    assert w.check_cards["created"].value.text() == "3"
    assert w.check_cards["rejected"].value.text() == "1"
    assert w.errors_model.rowCount() == 1
    row, column, message = (w.errors_model.index(0, c).data() for c in range(3))
    assert (row, column) == ("3", "Number of Employees") and "lots" in message
    assert w.industries_model.index(0, 0).data() == "Underwater basket weaving"
    assert w.planned_model.rowCount() == 3
    assert _accounts(ctx) == 0
    assert w.next_button.text() == "Import 3 accounts"

    # 4 Import
    w.next_button.click()
    qtbot.waitUntil(lambda: w.outcome == "ok", timeout=10_000)
    assert w.import_cards["created"].value.text() == "3" and w.import_cards["rejected"].value.text() == "1"
    assert "3 accounts created" in w.import_summary.text()
    with ctx.workspace.session() as s:
        rows = dict(s.execute(select(Account.domain, Account.description)).all())
        assert rows == {"acme.example": "met at SaaStr", "initech.example": None, "umbrella.example": None}
        lst = s.scalar(select(TargetList).where(TargetList.name == "Imported Q3"))
        assert s.scalar(select(func.count()).where(TargetListMember.list_id == lst.id)) == 3
    assert w.next_button.text() == "Close" and not w.cancel_button.isVisible() and w.skipped_view.isVisible()
    w.next_button.click()
    assert w.result() == ImportWizard.DialogCode.Accepted
    assert errors == []


def test_cancel_a_large_dry_run_leaves_the_database_alone(qtbot, ctx, tmp_path):
    path = tmp_path / "big.csv"
    lines = ["Company name,Company Domain Name,Number of Employees"]
    lines += [f"Company {i},company{i}.example,{i % 5000}" for i in range(30_000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    w = _wizard(qtbot, ctx, path=str(path))
    qtbot.waitUntil(lambda: w.table is not None, timeout=20_000)
    assert "30,000 data rows" in w.file_facts.text()
    w.next_button.click()
    w.next_button.click()
    assert w.busy() and w.check_strip.isVisible() and not w.next_button.isEnabled()
    w.check_strip.cancel_button.click()
    qtbot.waitUntil(lambda: not w.busy(), timeout=20_000)
    assert w.dry is None and "cancelled" in w.check_summary.text() and w.rerun_button.isVisible()
    assert not w.next_button.isEnabled()
    assert _accounts(ctx) == 0


def test_cancel_during_the_real_import_changes_nothing(qtbot, ctx, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    lines = ["Company name,Company Domain Name"] + [f"Firm {i},firm{i}.example" for i in range(20_000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    w = _wizard(qtbot, ctx, path=str(path))
    qtbot.waitUntil(lambda: w.table is not None, timeout=20_000)
    w.next_button.click()
    w.next_button.click()
    qtbot.waitUntil(lambda: w.dry is not None, timeout=30_000)
    w.next_button.click()
    w.import_strip.cancel_button.click()
    qtbot.waitUntil(lambda: bool(w.outcome), timeout=30_000)
    if w.outcome == "cancelled":  # the import may finish before the cancel lands on a fast machine
        assert "Nothing was changed" in w.import_summary.text() and _accounts(ctx) == 0
    else:
        assert _accounts(ctx) == 20_000


def test_a_file_that_is_not_a_table_shows_the_error_inline(qtbot, ctx, tmp_path, monkeypatch):
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda *a, **k: errors.append(a))
    w = _wizard(qtbot, ctx, path=str(bad))
    qtbot.waitUntil(lambda: w.file_error.text() != "", timeout=10_000)
    assert "photo.csv is not a CSV or XLSX file" in w.file_error.text()
    assert w.table is None and not w.next_button.isEnabled() and errors == []
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    w.load_file(str(empty))
    qtbot.waitUntil(lambda: "empty.csv is empty" in w.file_error.text(), timeout=10_000)


def test_drop_a_file_on_the_first_page(qtbot, ctx, tmp_path):
    path = tmp_path / "dropped.csv"
    path.write_text("Name,Website\nAcme,https://acme.example\n", encoding="utf-8")
    w = _wizard(qtbot, ctx)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    w.dropEvent(event)
    qtbot.waitUntil(lambda: w.table is not None, timeout=10_000)
    assert w.file_name.text() == "dropped.csv"
    assert w.mapping_model.mapping() == {"Name": "name", "Website": "website"}


def test_models_pass_the_model_tester(qtmodeltester, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HUBSPOT_CSV, encoding="utf-8")
    table = read_table(path)
    mapping = ColumnMappingModel()
    mapping.set_table(table.headers, table.rows, {"Company name": "name"})
    qtmodeltester.check(mapping)
    assert mapping.index(0, 2).data(FIELD_ROLE) == "name" and mapping.index(1, 2).data() == "Don't import"
    assert not mapping.setData(mapping.index(0, 2), "no-such-field")
    assert not mapping.setData(mapping.index(0, 0), "domain")
    assert mapping.flags(mapping.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    assert mapping.rowCount(mapping.index(0, 0)) == 0 and mapping.rowCount(QModelIndex()) == 5
    preview = PreviewModel()
    preview.set_table(table.headers, table.rows, [2, 3, 4, 5])
    preview.set_mapping({"Company name": "name"})
    qtmodeltester.check(preview)
    from accounts.importing import PlannedChange, RowError

    errors = row_errors_model()
    errors.set_rows([RowError(3, "Employees", "not a number"), RowError(9, None, "no name")])
    qtmodeltester.check(errors)
    planned = planned_changes_model()
    planned.set_rows([PlannedChange(2, "create", None, "Acme", "acme.example"),
                      PlannedChange(3, "update", 7, "Globex", None, ["employees", "owner_id"])])
    qtmodeltester.check(planned)
    assert planned.index(1, 4).data() == "Employees, Owner"


def test_contacts_go_through_the_same_wizard(qtbot, ctx, tmp_path, monkeypatch):
    from sqlalchemy import select

    from accounts.models import Account, Contact
    from ui.import_kinds import CONTACTS

    with ctx.workspace.session() as s:
        s.add(Account(name="Acme", domain="acme.example"))
    path = tmp_path / "people.csv"
    path.write_text("First Name,Last Name,Email,Job Title\nAda,Lovelace,ada@acme.example,CFO\n"
                    "Bob,Nobody,bob@gmail.com,Analyst\n", encoding="utf-8")
    w = ImportWizard(ctx, kind=CONTACTS)
    qtbot.addWidget(w)
    assert w.title.text() == "Import contacts" and not w.list_name.isVisibleTo(w)
    w.load_file(str(path))
    qtbot.waitUntil(lambda: w.table is not None, timeout=10_000)
    assert w.mapping_model.mapping()["Email"] == "email"
    w.next()  # to the mapping
    w.next()  # the check
    qtbot.waitUntil(lambda: w.dry is not None, timeout=10_000)
    assert (w.dry.created, w.dry.rejected) == (1, 1)
    w.next()  # import
    qtbot.waitUntil(lambda: w.import_result is not None, timeout=10_000)
    with ctx.workspace.session() as s:
        assert s.scalars(select(Contact.email)).all() == ["ada@acme.example"]
