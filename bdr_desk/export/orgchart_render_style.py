"""The org chart's look: role and sentiment colours, fonts, canvas geometry, and the small painting
helpers the cards use (QtGui only, headless)."""


from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QPainter,
    QPen,
)

# ---- palette ----

ROLE_COLORS: dict[str | None, str] = {  # card fills: pastel, dark text stays readable on every one
    "economic_buyer": "#FFE49A",
    "decision_maker": "#FFCDB8",
    "champion": "#C6E8C8",
    "influencer": "#D9CCF0",
    "technical_evaluator": "#C2DDF8",
    "user": "#BDEBEF",
    "procurement": "#DDD3CC",
    "blocker": "#F7C3D4",
    "gatekeeper": "#E4EBA8",
    None: "#E8ECEF",
}
ROLE_INK: dict[str | None, str] = {  # chip text and placeholder borders: a dark shade of the same hue
    "economic_buyer": "#7A5600",
    "decision_maker": "#9A3412",
    "champion": "#1B5E20",
    "influencer": "#4527A0",
    "technical_evaluator": "#0D47A1",
    "user": "#00606A",
    "procurement": "#4E342E",
    "blocker": "#880E4F",
    "gatekeeper": "#4F5B00",
    None: "#455A64",
}
ROLE_LABELS: dict[str, str] = {  # fallback when no taxonomy is given
    "economic_buyer": "Economic buyer", "decision_maker": "Decision maker", "champion": "Champion",
    "influencer": "Influencer", "technical_evaluator": "Technical evaluator", "user": "User",
    "procurement": "Procurement", "blocker": "Blocker", "gatekeeper": "Gatekeeper",
}
SENTIMENT_COLORS: dict[str, str] = {  # card borders
    "champion": "#2E7D32",
    "supporter": "#8BC34A",
    "neutral": "#9E9E9E",
    "skeptic": "#F59E0B",
    "detractor": "#D32F2F",
    "unknown": "#A0A7AE",  # dashed
}
SENTIMENT_LABELS: dict[str, str] = {
    "champion": "Champion", "supporter": "Supporter", "neutral": "Neutral", "skeptic": "Skeptic",
    "detractor": "Detractor", "unknown": "Unknown",
}
EDGE_COLORS = {"reports": "#94A3B8", "influence": "#1E6FD9", "conflict": "#D32F2F"}
TEXT = "#1F2937"
TEXT_MUTED = "#4B5563"
LEFT_FILL = "#F1F2F4"
LEFT_TEXT = "#9AA1AA"
HIGHLIGHT = "#2563EB"
FONT_FAMILIES = ["Inter", "Segoe UI", "Helvetica Neue", "Arial", "Noto Sans", "DejaVu Sans"]

# ---- canvas geometry ----

MARGIN = 32
HEADER_H = 72
LEGEND_GAP = 40
LEGEND_MIN_W = 640
LEGEND_HEAD_W = 150
LEGEND_SLOT_W = 166
LEGEND_ROW_H = 24
LEGEND_SECTION_GAP = 8
MAX_SIDE = 32_000  # QImage/raster limits: a bigger chart is exported at a smaller scale
MAX_PIXELS = 160_000_000

_APP: QGuiApplication | None = None


def ensure_gui_app() -> QGuiApplication:
    """Fonts need a Q(Gui)Application: reuse the running one, else create a headless QGuiApplication."""
    global _APP
    app = QGuiApplication.instance()
    if app is None:
        no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux") and no_display:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _APP = QGuiApplication(["bdr-desk"])
        app = _APP
    return app  # type: ignore[return-value]


def _font(px: float, bold: bool = False, weight: QFont.Weight | None = None) -> QFont:
    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPixelSize(max(1, round(px)))
    if weight is not None:
        f.setWeight(weight)
    elif bold:
        f.setBold(True)
    return f


def role_color(role_key: str | None) -> QColor:
    return QColor(ROLE_COLORS.get(role_key, ROLE_COLORS[None]))


def role_ink(role_key: str | None) -> QColor:
    return QColor(ROLE_INK.get(role_key, ROLE_INK[None]))


def sentiment_pen(sentiment: str | None, width: float = 3.0) -> QPen:
    key = sentiment if sentiment in SENTIMENT_COLORS else "unknown"
    pen = QPen(QColor(SENTIMENT_COLORS[key]), width if key != "unknown" else max(1.5, width - 1))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if key == "unknown":
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def role_label(role_key: str | None, taxonomy: Any = None) -> str:
    if not role_key:
        return "No role set"
    if taxonomy is not None:
        return taxonomy.label("buying_role", role_key)
    return ROLE_LABELS.get(role_key, role_key.replace("_", " ").capitalize())


def _blend(color: QColor, toward: QColor, t: float) -> QColor:
    return QColor(round(color.red() + (toward.red() - color.red()) * t),
                  round(color.green() + (toward.green() - color.green()) * t),
                  round(color.blue() + (toward.blue() - color.blue()) * t))


def _draw_dots(painter: QPainter, right: float, cy: float, value: int | None, color: QColor) -> None:
    """Influence as five dots, right-aligned at ``right``; None = five hollow, lighter dots."""
    r, step = 3.2, 9.0
    faint = QColor(color)
    faint.setAlpha(110)
    for k in range(5):
        centre = QPointF(right - r - (4 - k) * step, cy)
        filled = value is not None and k < value
        painter.setPen(QPen(color if value is not None else faint, 1.2))
        painter.setBrush(QBrush(color) if filled else Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, r, r)
