"""Icons and the stylesheet from ``resources/``; colours shared by painted widgets."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from resources import resource_path

ACCENT = "#1d4ed8"
ICON_STROKE = "#4b5563"  # the stroke colour the SVG files are drawn with
TIER_COLORS = {1: "#1d4ed8", 2: "#0891b2", 3: "#64748b"}


def _pixmap(name: str, color: str, size: int = 48) -> QPixmap:
    svg = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8").replace(ICON_STROKE, color)
    pix = QPixmap()
    pix.loadFromData(QByteArray(svg.encode()), "SVG")
    return pix.scaled(QSize(size, size)) if not pix.isNull() else pix


@cache
def icon(name: str, color: str = ICON_STROKE) -> QIcon:
    if color == ICON_STROKE:
        return QIcon(str(resource_path("icons", f"{name}.svg")))
    return QIcon(_pixmap(name, color))


@cache
def nav_icon(name: str) -> QIcon:
    """Light on the dark navigation rail, white when the page is current."""
    ic = QIcon()
    ic.addPixmap(_pixmap(name, "#cbd5e1"), QIcon.Mode.Normal, QIcon.State.Off)
    ic.addPixmap(_pixmap(name, "#ffffff"), QIcon.Mode.Normal, QIcon.State.On)
    ic.addPixmap(_pixmap(name, "#ffffff"), QIcon.Mode.Active, QIcon.State.Off)
    return ic


def app_icon() -> QIcon:
    return icon("app")


def apply_theme(app: QApplication) -> None:
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")
    qss = resource_path("style.qss").read_text(encoding="utf-8")
    app.setStyleSheet(qss.replace("{ICONS}", resource_path("icons").as_posix()))
