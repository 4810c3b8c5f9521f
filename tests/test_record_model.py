from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

from ui.models.record_table import RecordTableModel


@dataclass(frozen=True)
class Row:
    name: str
    size: int | None


def test_record_table_model(qtmodeltester):
    model = RecordTableModel([("Name", lambda r: r.name), ("Size", lambda r: r.size)],
                             [Row("Acme", 10), Row("Globex", None)])
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"
    assert model.data(model.index(1, 1)) == ""  # None shows as empty, never "None"
    assert model.data(model.index(0, 1)) == "10"
    model.set_rows([Row("Initech", 3)])
    assert model.rowCount() == 1 and model.row_at(0).name == "Initech"
    qtmodeltester.check(model)
