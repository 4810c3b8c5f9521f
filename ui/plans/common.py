"""What the account-plan dialogs share: the formats, the template chooser, a segmented format picker, a
result line with "Open file" / "Show in folder", and the seam for modal dialogs (tests replace
``common.run_dialog``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QComboBox, QDialog, QHBoxLayout, QPushButton, QWidget

from bdr_desk.db import Workspace
from bdr_desk.export.plan_templates import BUILT_IN, DEFAULT, plan_templates
from bdr_desk.export.plans import SUFFIXES
from ui import dialogs
from ui.pages.content.notice import Notice

FORMATS = {"pdf": "PDF", "docx": "Word", "md": "Markdown", "html": "HTML"}
FORMAT_HINTS = {"pdf": "A printable PDF with the org chart", "docx": "A Word document with real headings and tables",
                "md": "Plain Markdown text (no pictures)", "html": "One self-contained web page, pictures embedded"}
FILTERS = {"pdf": "PDF document (*.pdf)", "docx": "Word document (*.docx)", "md": "Markdown (*.md *.markdown)",
           "html": "Web page (*.html *.htm)"}
ACCEPTED_SUFFIXES = {"pdf": (".pdf",), "docx": (".docx",), "md": (".md", ".markdown"), "html": (".html", ".htm")}


def run_dialog(dialog: QDialog) -> int:
    """Show a modal dialog of the plan GUI (tests replace this and drive the dialog themselves)."""
    return dialog.exec()


def with_suffix(path: str, fmt: str) -> str:
    """``path`` ending in the format's suffix (appended when the user typed none, or another one)."""
    return path if Path(path).suffix.lower() in ACCEPTED_SUFFIXES[fmt] else path + SUFFIXES[fmt]


def load_templates(ws: Workspace) -> dict[str, tuple[str, ...]]:
    with ws.session() as s:
        return plan_templates(s)


class TemplateCombo(QComboBox):
    """The plan templates by name: built-ins first, then the workspace's own."""

    def __init__(self, parent: QWidget | None = None, counts: bool = False) -> None:
        super().__init__(parent)
        self.counts = counts  # "(9 sections)" after each name, where no preview lists them
        self.templates: dict[str, tuple[str, ...]] = {}

    def set_templates(self, templates: dict[str, tuple[str, ...]], select: str | None = None) -> None:
        keep = select or self.currentData() or DEFAULT
        self.blockSignals(True)
        self.clear()
        self.templates = dict(templates)
        for name, sections in templates.items():
            n = len(sections)
            self.addItem(f"{name}  ({n} section{'s' if n != 1 else ''})" if self.counts else name, name)
            if name in BUILT_IN:
                self.setItemData(self.count() - 1, "Built in (read-only)", Qt.ItemDataRole.ToolTipRole)
        self.setCurrentIndex(max(0, self.findData(keep)))
        self.blockSignals(False)
        self.currentIndexChanged.emit(self.currentIndex())

    def sections(self) -> tuple[str, ...]:
        return self.templates.get(self.currentData(), ())


class FormatPicker(QWidget):
    """PDF | Word | Markdown | HTML as one segmented control."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for key, text in FORMATS.items():
            b = QPushButton(text)
            b.setObjectName("Segment")
            b.setCheckable(True)
            b.setToolTip(FORMAT_HINTS[key])
            self.group.addButton(b)
            self.buttons[key] = b
            lay.addWidget(b)
        lay.addStretch(1)
        self.buttons["pdf"].setChecked(True)

    def format(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def set_format(self, key: str) -> None:
        self.buttons[key].setChecked(True)


class ResultNotice(Notice):
    """"Wrote …" with buttons to open the file and to show its folder (through the dialog seam)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file: Path | None = None
        self.folder: Path | None = None
        self.open_button = QPushButton("Open file")
        self.folder_button = QPushButton("Show in folder")
        for i, b in enumerate((self.open_button, self.folder_button)):
            b.setObjectName("LinkButton")
            self.layout().insertWidget(1 + i, b)
        self.open_button.clicked.connect(lambda: self.file and dialogs.open_path(str(self.file)))
        self.folder_button.clicked.connect(lambda: self.folder and dialogs.open_path(str(self.folder)))

    def show_result(self, text: str, kind: str = "success", file: Path | None = None,
                    folder: Path | None = None) -> None:
        self.file, self.folder = file, folder
        self.open_button.setVisible(file is not None)
        self.folder_button.setVisible(folder is not None)
        self.show_message(text, kind)
