"""Small modal pickers for the accounts workspace, each behind one module-level function (the dialog seam:
tests replace ``choose_list``, ``ask_view`` or ``pick_account`` with ``monkeypatch.setattr``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from accounts.queries import AccountChoice


class _Dialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, prompt: str, ok_text: str = "OK") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(20, 18, 20, 16)
        self.lay.setSpacing(10)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.lay.addWidget(self.prompt)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.lay.addSpacing(4)
        self.lay.addWidget(self.buttons)


class ListPickerDialog(_Dialog):
    """Pick a static target list, or type the name of a new one."""

    def __init__(self, parent: QWidget | None, names: Sequence[str], count: int) -> None:
        super().__init__(parent, "Add to target list",
                         f"Add {count:,} account{'s' if count != 1 else ''} to a static list. Choose a list or "
                         "type a name to create a new one.", "Add to list")
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(list(names))
        self.combo.setCurrentIndex(-1)
        self.combo.lineEdit().setPlaceholderText("List name…")
        self.combo.editTextChanged.connect(self._update)
        self.hint = QLabel("")
        self.hint.setObjectName("Muted")
        self._names = {n.casefold() for n in names}
        self.lay.addWidget(self.combo)
        self.lay.addWidget(self.hint)
        self.finish_layout()
        self._update()

    def _update(self) -> None:
        text = self.value()
        self.ok.setEnabled(bool(text))
        self.hint.setText("" if not text else "Existing list" if text.casefold() in self._names
                          else f"A new static list “{text}” will be created")

    def value(self) -> str:
        return self.combo.currentText().strip()


def choose_list(parent: QWidget | None, names: Sequence[str], count: int) -> str | None:
    """The name of an existing static list or of a new one; None if cancelled."""
    dlg = ListPickerDialog(parent, names, count)
    return dlg.value() if dlg.exec() == QDialog.DialogCode.Accepted and dlg.value() else None


class SaveViewDialog(_Dialog):
    def __init__(self, parent: QWidget | None, name: str, shared: bool) -> None:
        super().__init__(parent, "Save view",
                         "Save the current filters, sort order and columns as a view.", "Save view")
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("View name, e.g. “Tier 1 fintech, no touch in 30 days”")
        self.name.setMaxLength(200)
        self.shared = QCheckBox("Share with the team (everyone in this workspace can use it)")
        self.shared.setChecked(shared)
        self.name.textChanged.connect(lambda t: self.ok.setEnabled(bool(t.strip())))
        self.ok.setEnabled(bool(name.strip()))
        self.lay.addWidget(self.name)
        self.lay.addWidget(self.shared)
        self.finish_layout()


def ask_view(parent: QWidget | None, name: str = "", shared: bool = False) -> tuple[str, bool] | None:
    """(name, shared) for a view to save; None if cancelled."""
    dlg = SaveViewDialog(parent, name, shared)
    if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.name.text().strip():
        return None
    return dlg.name.text().strip(), dlg.shared.isChecked()


class AccountPickerDialog(_Dialog):
    """Search accounts by name or domain and pick one (the parent of an account)."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str,
                 search: Callable[[str], list[AccountChoice]]) -> None:
        super().__init__(parent, title, prompt, "Choose")
        self._search = search
        self.query = QLineEdit()
        self.query.setPlaceholderText("Search accounts by name or domain…")
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(260)
        self.results.itemDoubleClicked.connect(lambda *_: self.accept())
        self.results.currentItemChanged.connect(lambda *_: self.ok.setEnabled(self.choice() is not None))
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(self._debounce.start)
        self.lay.addWidget(self.query)
        self.lay.addWidget(self.results)
        self.finish_layout()
        self.run_search()

    def run_search(self) -> None:
        self.results.clear()
        for c in self._search(self.query.text()):
            item = QListWidgetItem(f"{c.name}    {c.domain or ''}".rstrip())
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.ok.setEnabled(self.choice() is not None)

    def choice(self) -> AccountChoice | None:
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


def pick_account(parent: QWidget | None, title: str, prompt: str,
                 search: Callable[[str], list[AccountChoice]]) -> AccountChoice | None:
    dlg = AccountPickerDialog(parent, title, prompt, search)
    return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None
