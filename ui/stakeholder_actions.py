"""What the Stakeholders tab can change: contacts, reporting lines, placeholders, influence and conflict
lines — each one short unit of work, errors through the dialog seam, then a reload."""


from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex

from accounts.stakeholders import (
    ROLE_LABELS,
    StakeholderError,
    add_relationship,
    delete_contact,
    fill_role,
    remove_relationship,
    save_contact,
    set_reports_to,
)
from ui import contact_dialog, dialogs
from ui.context import AppContext
from ui.models.contacts_model import ID_ROLE
from ui.orgchart_view import is_placeholder, placeholder_role

TABLE, CHART = 0, 1


class StakeholderActionsMixin:
    """Mixed into :class:`ui.stakeholders_panel.StakeholdersPanel` (uses its ctx, account id, map and views)."""

    ctx: AppContext

    def _choices(self, exclude: int | None = None, current_only: bool = False) -> list[tuple[int, str]]:
        out = []
        for c in sorted(self.contacts(), key=lambda c: c.name.casefold()):
            if c.id == exclude or (current_only and c.left_company):
                continue
            out.append((c.id, f"{c.name} — {c.title}" if c.title else c.name))
        return out

    def add_contact(self) -> None:
        saved = contact_dialog.open_contact_dialog(self, self.ctx, self.account_id, None,
                                                   [(c.id, c.name) for c in self.contacts()])
        if saved is not None:
            self._after_write(select=saved.id)

    def edit_contact(self, contact_id: int) -> None:
        card = self.contact(contact_id)
        if card is None:
            return
        saved = contact_dialog.open_contact_dialog(self, self.ctx, self.account_id, card,
                                                   [(c.id, c.name) for c in self.contacts()])
        if saved is not None:
            self._after_write(select=saved.id)

    def edit_selected(self) -> None:
        cid = self.selected_contact_id()
        if cid is not None:
            self.edit_contact(cid)

    def _table_activated(self, index: QModelIndex) -> None:
        cid = index.data(ID_ROLE)
        if cid is not None:
            self.edit_contact(int(cid))

    def _card_activated(self, key: Any) -> None:
        if is_placeholder(key):
            self.card_action("fill", key)
        else:
            self.edit_contact(int(key))

    def _write(self, title: str, op: Callable[[Any], Any]) -> bool:
        """Run ``op(session)`` as one unit of work; on a StakeholderError say so and write nothing."""
        try:
            with self.ctx.workspace.session() as s:
                op(s)
        except StakeholderError as exc:
            dialogs.show_error(self, title, str(exc))
            return False
        return True

    def _after_write(self, select: int | None = None) -> None:
        self.load()
        if select is not None:
            self.select_contact(select)
        self.changed.emit()

    def reparent(self, contact_id: Any, manager_id: Any) -> bool:
        """A card dropped on its new manager (None: reports to nobody)."""
        uid = self.ctx.user.id
        ok = self._write("Could not change the reporting line",
                         lambda s: set_reports_to(s, int(contact_id), None if manager_id is None else int(manager_id),
                                                  user_id=uid))
        if ok:
            self._after_write(select=int(contact_id))
        else:
            self.chart.snap_back(contact_id)
        return ok

    def fill_placeholder(self, role: str, contact_id: int | None = None) -> bool:
        """A real person takes the placeholder's role (picked in a dialog when ``contact_id`` is None)."""
        role_label = ROLE_LABELS.get(role, role)
        if contact_id is None:
            contact_id = contact_dialog.pick_contact(
                self, f"Fill the {role_label.lower()} role",
                f"Who is the {role_label.lower()} at {self.smap.account_name if self.smap else 'this account'}?",
                self._choices(current_only=True))
            if contact_id is None:
                return False
        uid = self.ctx.user.id
        ok = self._write(f"Could not fill the {role_label.lower()} role",
                         lambda s: fill_role(s, int(contact_id), role, user_id=uid))
        if ok:
            self._after_write(select=int(contact_id))
        return ok

    def add_line(self, contact_id: int, kind: str, to_id: int | None = None) -> bool:
        name = self.contact(contact_id).name if self.contact(contact_id) else "this person"
        if to_id is None:
            verb = "influences" if kind == "influence" else "is in conflict with"
            to_id = contact_dialog.pick_contact(self, f"Add {kind} line", f"{name} {verb}…",
                                                self._choices(exclude=contact_id))
            if to_id is None:
                return False
        ok = self._write(f"Could not add the {kind} line",
                         lambda s: add_relationship(s, int(contact_id), int(to_id), kind))
        if ok:
            self._after_write(select=contact_id)
        return ok

    def remove_line(self, contact_id: int) -> bool:
        if self.smap is None:
            return False
        names = {c.id: c.name for c in self.smap.contacts}
        rels = [r for r in self.smap.relationships if contact_id in (r.from_id, r.to_id)]
        if not rels:
            return False
        choices = [(r.id, f"{r.kind.capitalize()}: {names.get(r.from_id, '?')} → {names.get(r.to_id, '?')}")
                   for r in rels]
        rid = contact_dialog.pick_contact(self, "Remove a line", "Which line should go?", choices)
        if rid is None:
            return False
        ok = self._write("Could not remove the line", lambda s: remove_relationship(s, int(rid)))
        if ok:
            self._after_write(select=contact_id)
        return ok

    def set_left_company(self, contact_id: int, left: bool = True) -> bool:
        card = self.contact(contact_id)
        if card is None:
            return False
        uid = self.ctx.user.id
        ok = self._write("Could not update the contact",
                         lambda s: save_contact(s, self.account_id, {"left_company": left}, contact_id,
                                                expected_version=card.version, user_id=uid))
        if ok:
            self._after_write(select=contact_id)
        return ok

    def delete(self, contact_id: int) -> bool:
        card = self.contact(contact_id)
        if card is None:
            return False
        if not dialogs.ask(self, "Delete contact",
                           f"Delete {card.name} from this account? Their reports will report to nobody. "
                           "To keep the history, mark them as having left the company instead."):
            return False
        uid = self.ctx.user.id
        ok = self._write("Could not delete the contact", lambda s: delete_contact(s, contact_id, user_id=uid))
        if ok:
            self._after_write()
        return ok

    def card_action(self, action: str, key: Any) -> None:
        """What a card's context menu asked for (see ``OrgChartView.card_menu``)."""
        if action == "fill" and is_placeholder(key):
            self.fill_placeholder(placeholder_role(key))
            return
        if is_placeholder(key):
            return
        cid = int(key)
        card = self.contact(cid)
        if action == "edit":
            self.edit_contact(cid)
        elif action == "no_manager":
            self.reparent(cid, None)
        elif action in ("influence", "conflict"):
            self.add_line(cid, action)
        elif action == "remove_line":
            self.remove_line(cid)
        elif action == "left" and card is not None:
            self.set_left_company(cid, not card.left_company)
        elif action == "delete":
            self.delete(cid)

    # ---- export ----
