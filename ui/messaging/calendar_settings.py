"""Settings › Business days: the weekdays sequences run on and the holidays they skip (the workspace's business
calendar). Marketing and managers edit it; everyone sees it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from accounts.business_days import (
    WEEKDAY_NAMES,
    BusinessCalendar,
    CalendarError,
    load_calendar,
    save_calendar,
)
from resources import resource_path
from ui import dialogs
from ui.context import AppContext
from ui.messaging.common import CURATORS, FAILED, attempt
from ui.models.record_table import RecordTableModel
from ui.theme import icon
from ui.widgets.common import label


class BusinessCalendarSettings(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.holidays: list[dt.date] = []
        self.days = {i: QCheckBox(name) for i, name in enumerate(WEEKDAY_NAMES)}
        week = QHBoxLayout()
        week.setSpacing(14)
        for box in self.days.values():
            box.toggled.connect(self._update)
            week.addWidget(box)
        week.addStretch(1)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.setFixedWidth(170)
        arrow = resource_path("icons", "chevron-down.svg").as_posix()
        self.date.setStyleSheet("QDateEdit { padding-right: 24px; } QDateEdit::drop-down { border: none; width: 22px; "
                                "subcontrol-origin: padding; subcontrol-position: center right; } "
                                f"QDateEdit::down-arrow {{ image: url({arrow}); width: 14px; height: 14px; }}")
        self.add_button = QPushButton(icon("plus"), "Add holiday")
        self.add_button.clicked.connect(self.add_holiday)
        self.remove_button = QPushButton(icon("trash"), "Remove")
        self.remove_button.clicked.connect(self.remove_holiday)
        self.model = RecordTableModel([("Holiday", lambda d: d.strftime("%a %d %b %Y"))], parent=self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setMaximumWidth(360)
        self.list.setMinimumHeight(160)
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._update())
        add = QHBoxLayout()
        add.setSpacing(8)
        add.addWidget(self.date)
        add.addWidget(self.add_button)
        add.addWidget(self.remove_button)
        add.addStretch(1)
        self.next_day = label("", "Muted")
        self.save_button = QPushButton(icon("save", "#ffffff"), "Save business days")
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        self.note = label("", "Muted", wrap=True)
        foot = QHBoxLayout()
        foot.addWidget(self.note, 1)
        foot.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 18, 20, 18)
        lay.setSpacing(10)
        lay.addWidget(label("Working days", "SectionTitle"))
        lay.addWidget(label("Sequence steps are scheduled in business days: a step due on a day off moves to the "
                            "next working day.", "Muted", wrap=True))
        lay.addLayout(week)
        lay.addSpacing(8)
        lay.addWidget(label("Holidays", "SectionTitle"))
        lay.addLayout(add)
        lay.addWidget(self.list)
        lay.addWidget(self.next_day)
        lay.addStretch(1)
        lay.addLayout(foot)
        self.editable = ctx.user.role in CURATORS
        for w in (*self.days.values(), self.date, self.add_button, self.list):
            w.setEnabled(self.editable)
        if not self.editable:
            self.note.setText("Marketing and managers set the workspace's business days.")
        self.load()

    def load(self) -> None:
        with self.ctx.workspace.session() as s:
            cal = load_calendar(s)
        for i, box in self.days.items():
            box.setChecked(i in cal.weekdays)
        self.holidays = sorted(cal.holidays)
        self.model.set_rows(self.holidays)
        self._update()

    def calendar(self) -> BusinessCalendar:
        """The calendar as edited; raises CalendarError without a working day."""
        return BusinessCalendar(frozenset(i for i, b in self.days.items() if b.isChecked()),
                                frozenset(self.holidays))

    def _update(self) -> None:
        self.remove_button.setEnabled(self.editable and bool(self.list.selectionModel().selectedRows()))
        self.save_button.setEnabled(self.editable and any(b.isChecked() for b in self.days.values()))
        try:
            nxt = self.calendar().next_business_day(dt.date.today() + dt.timedelta(days=1))
            self.next_day.setText(f"Next business day after today: {nxt:%A %d %B}")
        except CalendarError as exc:
            self.next_day.setText(str(exc))

    def add_holiday(self, day: dt.date | None = None) -> None:
        day = day or self.date.date().toPython()
        if day not in self.holidays:
            self.holidays = sorted([*self.holidays, day])
            self.model.set_rows(self.holidays)
        self._update()

    def remove_holiday(self) -> None:
        rows = self.list.selectionModel().selectedRows()
        if rows:
            del self.holidays[rows[0].row()]
            self.model.set_rows(self.holidays)
        self._update()

    def save(self) -> None:
        if not self.editable:
            return
        try:
            cal = self.calendar()
        except CalendarError as exc:
            dialogs.show_error(self, "Business days", str(exc))
            return
        if attempt(self.ctx, self, "Could not save the business days",
                   lambda s: save_calendar(s, cal)) is not FAILED:
            self.note.setText("Saved. New steps are scheduled on these days.")
