"""The rendered-message preview shared by the composer and the template editor: subject and body with every
unfilled merge field highlighted, and one status strip — ready, fields missing (listed), or the template error
with its line and column."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from accounts.messaging import Rendered
from ui.theme import icon
from ui.widgets.common import label

PLACEHOLDER = re.compile(r"\{\{ ([A-Za-z0-9_.]+) \}\}")
MARK = ('<span style="background:#fde68a; color:#92400e; border-radius:3px; font-weight:600;">'
        '&#123;&#123; {0} &#125;&#125;</span>')
EMPTY, READY, MISSING, ERROR = "empty", "ready", "missing", "error"


def highlighted(text: str) -> str:
    """``text`` as HTML with each ``{{ field }}`` placeholder of a missing field marked."""
    out, last = [], 0
    for m in PLACEHOLDER.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append(MARK.format(html.escape(m.group(1))))
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def placeholders(text: str) -> list[str]:
    """The merge fields still shown as placeholders in (possibly hand-edited) text, in order, once each."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


class StatusStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pic = QLabel()
        self.text = label("", "", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 7, 10, 7)
        lay.setSpacing(8)
        lay.addWidget(self.pic, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.text, 1)

    def show_state(self, kind: str, text: str) -> None:
        name, icon_name, color = {READY: ("Ready", "check-circle", "#047857"),
                                  MISSING: ("Missing", "warning", "#b45309"),
                                  ERROR: ("Error", "x-circle", "#b91c1c")}[kind]
        self.setObjectName(f"{name}Strip")
        self.text.setObjectName(f"{name}Text")
        for w in (self, self.text):
            w.style().unpolish(w)
            w.style().polish(w)
        self.pic.setPixmap(icon(icon_name, color).pixmap(18, 18))
        self.text.setText(text)
        self.show()


class MessagePreview(QWidget):
    """Call :meth:`show_rendered` or :meth:`show_error`; :attr:`state` and :attr:`missing` say what is shown."""

    def __init__(self, parent: QWidget | None = None, caption: str = "PREVIEW") -> None:
        super().__init__(parent)
        self.state = EMPTY
        self.missing: list[str] = []
        self.rendered: Rendered | None = None
        self.caption = label(caption, "PreviewCaption")
        self.target = label("", "Muted")
        head = QHBoxLayout()
        head.addWidget(self.caption)
        head.addStretch(1)
        head.addWidget(self.target)
        frame = QFrame(objectName="PreviewFrame")
        self.subject = QLabel(objectName="PreviewSubject")
        self.subject.setTextFormat(Qt.TextFormat.RichText)
        self.subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subject.setWordWrap(True)
        self.body = QTextBrowser(objectName="PreviewBody")
        self.body.setOpenLinks(False)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        fl = QVBoxLayout(frame)
        fl.setContentsMargins(1, 1, 1, 1)
        fl.setSpacing(0)
        fl.addWidget(self.subject)
        fl.addWidget(self.body, 1)
        self.status = StatusStrip()
        self.status.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addLayout(head)
        lay.addWidget(frame, 1)
        lay.addWidget(self.status)
        self.clear("Choose a template to see the message.")

    def set_target(self, text: str) -> None:
        self.target.setText(text)

    def clear(self, hint: str) -> None:
        self.state, self.missing, self.rendered = EMPTY, [], None
        self.subject.hide()
        self.body.setHtml(f'<p style="color:#94a3b8;">{html.escape(hint)}</p>')
        self.status.hide()

    def show_rendered(self, rendered: Rendered, *, hint: str = "") -> None:
        self.rendered = rendered
        self.missing = list(rendered.missing)
        self.subject.setVisible(bool(rendered.subject))
        self.subject.setText(highlighted(rendered.subject))
        self.body.setHtml(f'<div style="white-space: pre-wrap; line-height: 140%;">{highlighted(rendered.body)}</div>')
        if self.missing:
            self.state = MISSING
            n = len(self.missing)
            fields = ", ".join(self.missing)
            self.status.show_state(MISSING, f"{n} merge field{'s have' if n != 1 else ' has'} no value: {fields}. "
                                   + (hint or "Fill them (choose a hypothesis or content item, or complete the "
                                      "contact) or give the template a | default(...) fallback."))
        else:
            self.state = READY
            self.status.show_state(READY, "Every merge field is filled — ready to send.")

    def show_error(self, message: str) -> None:
        self.state, self.missing, self.rendered = ERROR, [], None
        self.subject.hide()
        self.body.setHtml('<p style="color:#94a3b8;">The message cannot be shown until the template is fixed.</p>')
        self.status.show_state(ERROR, message)

    def plain_subject(self) -> str:
        return self.rendered.subject if self.rendered else ""

    def plain_body(self) -> str:
        return self.rendered.body if self.rendered else ""
