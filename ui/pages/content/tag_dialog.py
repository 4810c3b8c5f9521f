"""Bulk tagging: add (or remove) values of one facet on every selected item at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.pages.content.checklist import CheckListModel, make_check_list
from ui.pages.content.common import TAG_VOCABULARIES, VOCAB_TITLES, plural, term_options
from ui.widgets.common import label


class TagDialog(QDialog):
    def __init__(self, ctx: AppContext, count: int, remove: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.count = count
        self.setWindowTitle("Tag items")
        self.setMinimumWidth(420)
        self.add = QRadioButton("Add tags")
        self.remove = QRadioButton("Remove tags")
        group = QButtonGroup(self)
        for b in (self.add, self.remove):
            group.addButton(b)
        (self.remove if remove else self.add).setChecked(True)
        self.vocabulary = QComboBox()
        for v in TAG_VOCABULARIES:
            self.vocabulary.addItem(VOCAB_TITLES[v], v)
        self.terms = CheckListModel(parent=self)
        self.list = make_check_list(self.terms)
        self.list.setMinimumHeight(220)
        self.competitors = QLineEdit()
        self.competitors.setPlaceholderText("Competitor names, separated by commas")
        self.values = QStackedWidget()
        self.values.addWidget(self.list)
        holder = QWidget()
        hl = QVBoxLayout(holder)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.competitors)
        hl.addStretch(1)
        self.values.addWidget(holder)
        self.prompt = label("", "Muted", wrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("Primary")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        mode = QHBoxLayout()
        mode.setSpacing(16)
        mode.addWidget(self.add)
        mode.addWidget(self.remove)
        mode.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 16)
        lay.setSpacing(10)
        lay.addLayout(mode)
        lay.addWidget(self.vocabulary)
        lay.addWidget(self.values, 1)
        lay.addWidget(self.prompt)
        lay.addWidget(self.buttons)
        self.vocabulary.currentIndexChanged.connect(self._vocabulary_changed)
        self.terms.checkedChanged.connect(self._update)
        self.competitors.textChanged.connect(self._update)
        group.buttonToggled.connect(lambda *_: self._update())
        self._vocabulary_changed()

    def set_vocabulary(self, vocabulary: str) -> None:
        self.vocabulary.setCurrentIndex(self.vocabulary.findData(vocabulary))

    def _vocabulary_changed(self) -> None:
        vocabulary = self.vocabulary.currentData()
        free = vocabulary == "competitor"
        self.values.setCurrentIndex(1 if free else 0)
        if not free:
            self.terms.set_options(term_options(self.ctx, vocabulary))
        self._update()

    def choice(self) -> tuple[str, list[str], bool]:
        """(vocabulary, terms, remove)."""
        vocabulary = self.vocabulary.currentData()
        if vocabulary == "competitor":
            terms = [c.strip() for c in self.competitors.text().split(",") if c.strip()]
        else:
            terms = self.terms.checked()
        return vocabulary, terms, self.remove.isChecked()

    def _update(self) -> None:
        vocabulary, terms, remove = self.choice()
        self.ok.setEnabled(bool(terms))
        self.ok.setText(("Remove" if remove else "Add") + (f" {len(terms)}" if len(terms) > 1 else "")
                        + (" tags" if len(terms) > 1 else " tag"))
        what = VOCAB_TITLES[vocabulary].lower()
        self.prompt.setText(f"{'Remove' if remove else 'Add'} {what} values {'from' if remove else 'on'} "
                            f"{plural(self.count, 'selected item')}.")
