"""Why an account scores what it scores: "ICP 82" with its tier, then one row per rule that fired, with a bar
sized by its points (green adds, red subtracts). A manual tier is shown as an override of the suggestion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.theme import TIER_COLORS

BAR_WIDTH = 140
POSITIVE, NEGATIVE = "#10b981", "#ef4444"


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


def explanation_text(score: int | None, rows: Sequence[dict[str, Any]]) -> str:
    """One line: "ICP 82 = Target industry +20, Employees 200–5,000 +20, …"."""
    if score is None:
        return "ICP not scored yet"
    if not rows:
        return f"ICP {score} (no rule fired)"
    return f"ICP {score} = " + ", ".join(f"{r.get('label', r.get('rule'))} {_signed(int(r['points']))}" for r in rows)


class _Bar(QFrame):
    def __init__(self, points: int, scale: int) -> None:
        super().__init__()
        width = max(4, round(BAR_WIDTH * min(abs(points), scale) / scale)) if points else 2
        self.setFixedSize(width, 10)
        color = POSITIVE if points > 0 else NEGATIVE if points < 0 else "#cbd5e1"
        self.setStyleSheet(f"background: {color}; border-radius: 3px;")


class ScoreExplanation(QWidget):
    """Embed in the account window; call :meth:`set_explanation` whenever the account is (re)loaded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScoreExplanation")
        self.score_label = QLabel("—")
        self.score_label.setObjectName("CardValue")
        self.caption = QLabel("ICP score")
        self.caption.setObjectName("CardLabel")
        self.tier_badge = QLabel()
        self.tier_badge.setObjectName("Badge")
        self.override = QLabel()
        self.override.setObjectName("Muted")
        self.override.setWordWrap(True)
        head = QHBoxLayout()
        head.setSpacing(10)
        number = QVBoxLayout()
        number.setSpacing(0)
        number.addWidget(self.score_label)
        number.addWidget(self.caption)
        head.addLayout(number)
        head.addWidget(self.tier_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.override, 1, Qt.AlignmentFlag.AlignVCenter)
        self.rows = QGridLayout()
        self.rows.setHorizontalSpacing(10)
        self.rows.setVerticalSpacing(4)
        self.rows.setColumnStretch(0, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addSpacing(4)
        lay.addLayout(self.rows)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_explanation(None, [], None, None, False)

    def text(self) -> str:
        return self._text

    def set_explanation(self, score: int | None, explanation_rows: Sequence[dict[str, Any]], tier: int | None,
                        suggested_tier: int | None, manual: bool) -> None:
        self._text = explanation_text(score, explanation_rows)
        self.setToolTip(self._text)
        self.setAccessibleDescription(self._text)
        self.score_label.setText("—" if score is None else str(score))
        self.tier_badge.setVisible(tier is not None)
        if tier is not None:
            color = TIER_COLORS.get(tier, "#64748b")
            self.tier_badge.setText(f"Tier {tier}" + (" · manual" if manual else ""))
            self.tier_badge.setStyleSheet(f"background: {color}; color: #ffffff;")
        if manual and suggested_tier is not None and suggested_tier != tier:
            self.override.setText(f"Manual override — the score suggests tier {suggested_tier}")
        elif manual:
            self.override.setText("Manual tier (matches the score's suggestion)")
        elif score is None:
            self.override.setText("Not scored yet: rescore from the ICP rules")
        else:
            self.override.setText("")
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        scale = max([abs(int(r["points"])) for r in explanation_rows] + [20])
        for i, r in enumerate(explanation_rows):
            points = int(r["points"])
            name = QLabel(str(r.get("label") or r.get("rule")))
            name.setToolTip(f"rule {r.get('rule')}")
            value = QLabel(_signed(points))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setStyleSheet(f"font-weight: 600; color: {'#047857' if points > 0 else '#b91c1c' if points else '#64748b'};")
            self.rows.addWidget(name, i, 0)
            self.rows.addWidget(_Bar(points, scale), i, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.rows.addWidget(value, i, 2)
        self.rows.setColumnMinimumWidth(1, BAR_WIDTH)
        if score is not None and not explanation_rows:
            none = QLabel("No rule fired for this account.")
            none.setObjectName("Muted")
            self.rows.addWidget(none, 0, 0, 1, 3)
