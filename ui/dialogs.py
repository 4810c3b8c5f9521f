"""The dialog seam: every modal error, question or notice goes through these functions.

Tests replace them with ``monkeypatch.setattr(ui.dialogs, "show_error", ...)``; slots never call
``QMessageBox`` directly.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def save_file(parent: QWidget | None, title: str, suggested: str, filters: str) -> str | None:
    """Ask where to save; None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path or None


def open_file(parent: QWidget | None, title: str, filters: str) -> str | None:
    """Ask for a file to open; None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return path or None


def copy_text(text: str) -> None:
    """Put text on the system clipboard."""
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText(text)


def open_url(url: str) -> bool:
    """Open a link (``https:``, ``mailto:``, ``file:``) in the system's handler; False when nothing opened it."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(QUrl(url))


def choose_folder(parent: QWidget | None, title: str, start: str = "") -> str | None:
    """Ask for a folder; None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    path = QFileDialog.getExistingDirectory(parent, title, start)
    return path or None


def open_path(path: str) -> bool:
    """Open a local file or folder in the system's handler ("Open file", "Show in folder")."""
    from PySide6.QtCore import QUrl

    return open_url(QUrl.fromLocalFile(path).toString())
