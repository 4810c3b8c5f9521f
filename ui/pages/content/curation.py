"""Marketing's side of the library page: new and edited items, publish and archive, bulk tagging, and adding
files (the "Add files…" button or a drop on the page) as a background job with a progress bar and Cancel.

Mixed into :class:`ui.pages.content.page.ContentPage`; every action checks the role again, so a BDR's page
cannot curate even if a signal is emitted by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QDialog

from content_library.items import ContentError, set_status, tag_items
from ui import dialogs
from ui.jobs import JobHandle
from ui.pages.content import common
from ui.pages.content.common import VOCAB_TITLES, can_curate, plural
from ui.pages.content.importing import ImportSummary, import_paths_job
from ui.pages.content.item_dialog import ItemDialog
from ui.pages.content.tag_dialog import TagDialog

if TYPE_CHECKING:
    from ui.pages.content.page import ContentPage

    _Base = ContentPage
else:
    _Base = object


def _local_files(event: QDropEvent | QDragEnterEvent) -> list[str]:
    mime = event.mimeData()
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class CurationMixin(_Base):
    import_handle: JobHandle | None = None

    # ---- items ----
    def new_item(self) -> None:
        if can_curate(self.ctx):
            self._run_item_dialog(ItemDialog(self.ctx, None, self), "Created")

    def edit_item(self, item_id: int) -> None:
        if can_curate(self.ctx):
            self._run_item_dialog(ItemDialog(self.ctx, item_id, self), "Saved")

    def _run_item_dialog(self, dlg: ItemDialog, verb: str) -> None:
        if common.run_dialog(dlg) == QDialog.DialogCode.Accepted and dlg.saved_id is not None:
            self.run_search(select_id=dlg.saved_id)
            title = dlg.title.text().strip()
            shown = self.model.row_of(dlg.saved_id) >= 0
            self.notice.show_message(f"{verb} “{title}”." + ("" if shown else
                                     " It is hidden by the current search or filters."), "success")

    def change_status(self, item_ids: Sequence[int], status: str) -> None:
        if not can_curate(self.ctx) or not item_ids:
            return
        try:
            with self.ctx.workspace.session() as s:
                changed = set_status(s, list(item_ids), status, user_id=self.ctx.user.id)
        except ContentError as exc:
            dialogs.show_error(self, "Could not change the status", str(exc))
            return
        verb = {"published": "Published", "archived": "Archived", "draft": "Returned to draft"}[status]
        self.run_search(select_id=item_ids[0])
        self.notice.show_message(f"{verb} {plural(changed, 'item')}." if changed else "Nothing to change.",
                                 "success")

    def publish_selected(self) -> None:
        self.change_status(self.selected_ids(), "published")

    def archive_selected(self) -> None:
        self.change_status(self.selected_ids(), "archived")

    def tag_selected(self, remove: bool = False) -> None:
        ids = self.selected_ids()
        if not can_curate(self.ctx) or not ids:
            return
        dlg = TagDialog(self.ctx, len(ids), remove, self)
        if common.run_dialog(dlg) != QDialog.DialogCode.Accepted:
            return
        vocabulary, terms, remove = dlg.choice()
        try:
            with self.ctx.workspace.session() as s:
                changed = tag_items(s, ids, vocabulary, terms, remove=remove)
        except ContentError as exc:
            dialogs.show_error(self, "Could not tag the items", str(exc))
            return
        self.run_search(select_ids=ids)
        what = VOCAB_TITLES[vocabulary].lower()
        self.notice.show_message(
            f"{'Removed' if remove else 'Added'} {plural(changed, what + ' tag')} "
            f"{'from' if remove else 'on'} {plural(len(ids), 'item')}." if changed
            else f"Nothing changed: the selected items {'did not have' if remove else 'already had'} those tags.",
            "success")

    # ---- files ----
    def add_files(self) -> None:
        if can_curate(self.ctx):
            paths = common.choose_files(self)
            if paths:
                self.import_paths(paths)

    def import_paths(self, paths: Sequence[str]) -> JobHandle | None:
        """Add files and folders to the library as a job; the strip under the results shows its progress."""
        if not can_curate(self.ctx) or not paths:
            return None
        if self.import_handle is not None and self.import_handle.running:
            self.notice.show_message("An import is already running: wait for it or cancel it first.", "warning")
            return None
        job = import_paths_job(self.ctx.workspace, paths, self.ctx.user.id)
        self.import_handle = self.ctx.jobs.start("Adding files to the library", job, on_success=self._imported,
                                                 parent_widget=self, inline=True)
        what = f"“{Path(paths[0]).name}”" if len(paths) == 1 else f"{len(paths)} files and folders"
        self.import_strip.attach(self.import_handle, f"Adding {what} to the library")
        self.import_handle.cancelled.connect(
            lambda: self.notice.show_message("Import cancelled: nothing was added.", "info"))
        return self.import_handle

    def _imported(self, result: ImportSummary) -> None:
        ids = [i for i, _ in result.added]
        self.run_search(select_ids=ids)
        kind = "warning" if result.errors or (result.skipped and not ids) else "success"
        self.notice.show_message(result.message(), kind)

    # ---- drag and drop (Qt calls these on the page) ----
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if can_curate(self.ctx) and _local_files(event):
            event.acceptProposedAction()
            self.show_drop_hint(True)

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802
        if can_curate(self.ctx):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self.show_drop_hint(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.show_drop_hint(False)
        paths = _local_files(event)
        if can_curate(self.ctx) and paths:
            event.acceptProposedAction()
            self.import_paths(paths)
