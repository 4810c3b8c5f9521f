"""Saved views of the accounts table: filter, sort and columns under a name, personal or shared."""

from __future__ import annotations

from typing import Any

from accounts.queries import AccountFilter, AccountSort
from accounts.views import ViewError, ViewInfo, delete_view, list_views, save_view, view_state
from ui import dialogs
from ui.context import AppContext
from ui.models.account_table import DEFAULT_COLUMNS
from ui.theme import icon
from ui.widgets import pickers


class SavedViewsMixin:
    """Mixed into :class:`ui.pages.accounts_page.AccountsPage` (uses its model, filter bar and ctx)."""

    ctx: AppContext

    def reload_views(self, select_id: int | None = None) -> None:
        with self.ctx.workspace.session() as s:
            self._views = list_views(s, self.ctx.user.id)
        self.views.blockSignals(True)
        self.views.clear()
        self.views.addItem("All accounts (default)", None)
        mine = [v for v in self._views if v.mine]
        shared = [v for v in self._views if not v.mine]
        if mine:
            self.views.insertSeparator(self.views.count())
        for v in mine:
            self.views.addItem(icon("person"), v.label, v.id)
        if shared:
            self.views.insertSeparator(self.views.count())
        for v in shared:
            self.views.addItem(icon("accounts"), v.label, v.id)
        i = self.views.findData(select_id) if select_id is not None else 0
        self.views.setCurrentIndex(max(0, i))
        self.views.blockSignals(False)
        self._update_view_buttons()

    def current_view(self) -> ViewInfo | None:
        vid = self.views.currentData()
        return next((v for v in self._views if v.id == vid), None)

    def _update_view_buttons(self) -> None:
        v = self.current_view()
        self.delete_view_button.setEnabled(v is not None and v.mine)

    def _view_chosen(self, _index: int) -> None:
        v = self.current_view()
        if v is None:
            self.apply_view(None)
        else:
            self.apply_view(v)
        self._update_view_buttons()

    def apply_view(self, view: ViewInfo | None) -> None:
        """Show a saved view's filter, sort order and columns (None: the default view)."""
        if view is None:
            flt, sort, cols = AccountFilter(), AccountSort(), list(DEFAULT_COLUMNS)
        else:
            flt, sort, cols = view.account_filter, view.sort, view.columns or list(DEFAULT_COLUMNS)
        self.filters.reload_choices()
        self.filters.set_filter(flt, emit=False)
        self.columns.set_visible(cols)
        self.model.set_sort(sort)
        self.model.set_filter(self.current_filter())
        self._show_list_header(None, "")

    def current_state(self) -> dict[str, Any]:
        return view_state(self.current_filter(), self.model.account_sort, self.columns.visible_keys())

    def save_current_view(self) -> None:
        v = self.current_view()
        answer = pickers.ask_view(self, v.name if v and v.mine else "", v.shared if v and v.mine else False)
        if answer is None:
            return
        name, shared = answer
        overwrite = False
        existing = next((x for x in self._views if x.mine and x.name.casefold() == name.casefold()), None)
        if existing is not None:
            if not dialogs.ask(self, "Replace view", f"You already have a view named “{existing.name}”. Replace it "
                               "with the current filters, sort order and columns?"):
                return
            overwrite = True
        try:
            with self.ctx.workspace.session() as s:
                saved = save_view(s, self.ctx.user.id, name, self.current_state(), shared=shared, overwrite=overwrite)
        except ViewError as exc:
            dialogs.show_error(self, "Could not save the view", str(exc))
            return
        self.reload_views(select_id=saved.id)

    def delete_current_view(self) -> None:
        v = self.current_view()
        if v is None or not v.mine:
            return
        if not dialogs.ask(self, "Delete view", f"Delete the saved view “{v.name}”? The accounts are not affected."):
            return
        try:
            with self.ctx.workspace.session() as s:
                delete_view(s, v.id, self.ctx.user.id)
        except ViewError as exc:
            dialogs.show_error(self, "Could not delete the view", str(exc))
            return
        self.reload_views()

    # ---- selection and bulk actions ----
