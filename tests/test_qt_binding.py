"""Guards against a broken Qt binding: PySide6 6.12.0 on Python 3.11 returns None/True/False without a
reference, so every void call over-releases None until the interpreter aborts (pyproject pins it out)."""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QCheckBox, QWidget


def test_calls_and_slots_keep_none_and_bool_references(qapp):
    w = QWidget()
    box = QCheckBox()
    box.toggled.connect(lambda checked: None)
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(2000):
        w.setVisible(False)
        box.toggle()
        w.isVisible()
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    assert all(a >= b - 50 for a, b in zip(after, before, strict=True)), \
        f"the Qt binding leaks references to None/True/False: {before} -> {after}"
