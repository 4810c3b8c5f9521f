"""The account window's Research tab: research the account's website (or refresh only its stale pages, or
re-read the stored pages offline) as a job with a progress bar and Cancel, and see what was found — company
facts to apply to the account field by field, people to add to the stakeholder map, technologies, signals and
the pages read — every fact with its source.

The tab reads the stored research when it is shown (one account: a few small queries); network and
re-extraction run as jobs, each opening its own Session. A cancelled research stores nothing."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from accounts.account_detail import AccountEditError, EditConflict
from accounts.research.pipeline import AccountResearch, research_job
from accounts.research.store import (
    ResearchError,
    SaveSummary,
    accept_people,
    apply_company_fields,
    dismiss_people,
    reextract,
)
from accounts.stakeholders import StakeholderError
from bdr_desk.taxonomy import BUYING_ROLE, INDUSTRY
from ui import dialogs
from ui.context import AppContext
from ui.jobs import JobHandle, JobProgressPanel
from ui.pages.content.notice import Notice
from ui.research import common
from ui.research.common import FIELD_LABELS, plural, when
from ui.research.data import TabData, display, load
from ui.research.fact_models import CompanyFactsModel, PeopleModel
from ui.research.sections import (
    CompanySection,
    PagesSection,
    PeopleSection,
    SignalsSection,
    TechnologiesSection,
    button,
)
from ui.research.site_models import PagesModel, SignalsModel, TechnologyTreeModel
from ui.widgets.common import EmptyState, label

RUN_KINDS = {"crawl": "full research", "refresh": "refresh of stale pages", "reextract": "offline re-read"}
SECTIONS = (("company", "Company"), ("people", "People"), ("technologies", "Technologies"),
            ("signals", "Signals"), ("pages", "Pages"))


class ResearchPanel(QWidget):
    finished = Signal(str)  # a job ended: "done", "failed" or "cancelled"
    accountChanged = Signal()  # company facts were applied: the account's fields (and version) changed
    contactsChanged = Signal()  # people were added to the stakeholder map
    editWebsite = Signal()  # the user asked to set the account's website

    def __init__(self, ctx: AppContext, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.account_id = ctx, account_id
        self.data: TabData | None = None
        self.handle: JobHandle | None = None
        self._outcome = ""  # how the running job ended; ``finished`` says it once the tab shows the result
        tax = ctx.taxonomy
        self.facts_model = CompanyFactsModel(self, label_of=lambda f, v: tax.label(INDUSTRY, v) if f == "industry"
                                             else display(v, f))
        self.people_model = PeopleModel(self, role_label=lambda key: tax.label(BUYING_ROLE, key))
        self.tech_model = TechnologyTreeModel(self)
        self.signals_model = SignalsModel(self)
        self.pages_model = PagesModel(self)
        self.sections = {"company": CompanySection(self.facts_model), "people": PeopleSection(self.people_model),
                         "technologies": TechnologiesSection(self.tech_model),
                         "signals": SignalsSection(self.signals_model), "pages": PagesSection(self.pages_model)}
        self.sections["company"].applyRequested.connect(self.apply_fields)
        self.sections["people"].acceptRequested.connect(self.add_people)
        self.sections["people"].dismissRequested.connect(self.dismiss_people)

        self.status = label("", "Muted", wrap=True)
        self.research_button = button("Research website", "globe", "Read up to 8 pages of the website (home, "
                                      "about, team, careers, news) and extract what they say", primary=True)
        self.refresh_button = button("Refresh", "sync", "")
        self.reread_button = button("Re-read offline", "book-open", "Extract the stored pages again with the "
                                    "current rules, without going to the website")
        self.research_button.clicked.connect(self.research)
        self.refresh_button.clicked.connect(self.refresh_stale)
        self.reread_button.clicked.connect(self.reread)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(label("Website research", "SectionTitle"))
        words.addWidget(self.status)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addLayout(words, 1)
        for b in (self.reread_button, self.refresh_button, self.research_button):
            top.addWidget(b)
        self.progress = JobProgressPanel(inline=True)
        self.notice = Notice()
        self.error_note = label("", "ErrorNote", wrap=True)
        self.error_note.hide()

        self.nav: dict[str, QPushButton] = {}
        self.nav_group = QButtonGroup(self)
        nav = QHBoxLayout()
        nav.setSpacing(0)
        self.section_stack = QStackedWidget()
        for key, text in SECTIONS:
            b = QPushButton(text)
            b.setObjectName("Segment")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, k=key: self.show_section(k))
            self.nav_group.addButton(b)
            self.nav[key] = b
            nav.addWidget(b)
            self.section_stack.addWidget(self.sections[key])
        nav.addStretch(1)
        self.nav["company"].setChecked(True)
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(10)
        body.addLayout(nav)
        body.addWidget(self.section_stack, 1)

        self.no_website = EmptyState("globe", "No website to research",
                                     "Research reads the account's own website: its home, about, team, careers "
                                     "and news pages. Add the website on the Overview tab (for example "
                                     "https://acme.com), save, and come back here.")
        self.no_website.add_button("Set the website", self.editWebsite.emit, primary=True)
        self.not_researched = EmptyState("globe", "Not researched yet", "")
        self.not_researched.add_button("Research website", self.research, primary=True)
        self.body = QStackedWidget()
        for w in (content, self.no_website, self.not_researched):
            self.body.addWidget(w)
        self.content = content

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 12)
        lay.setSpacing(10)
        lay.addLayout(top)
        lay.addWidget(self.progress)
        lay.addWidget(self.notice)
        lay.addWidget(self.error_note)
        lay.addWidget(self.body, 1)

    # ---- data ----
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()  # cheap (one account); keeps "on the account" current after edits on other tabs

    def refresh(self) -> None:
        try:
            self.data = d = load(self.ctx.workspace, self.account_id)
        except ResearchError:
            self.data = None
            return
        v = d.view
        self.facts_model.set_facts(v.company, v.stale_days)
        self.people_model.set_people(v.people, v.stale_days)
        self.tech_model.set_technologies(v.technologies, d.first_seen, v.stale_days)
        self.signals_model.set_rows(v.signals)
        self.pages_model.set_pages(v.pages, v.stale_days)
        self.sections["company"].set_social(v.social, lambda url: dialogs.open_url(url))
        counts = {"company": len(v.company), "people": len(v.people), "technologies": self.tech_model.count(),
                  "signals": len(v.signals), "pages": len(v.pages)}
        for key, text in SECTIONS:
            n = counts[key]
            self.nav[key].setText(f"{text}  {n}" if n else text)
            self.sections[key].set_count(n)
        if d.researched:
            self.body.setCurrentWidget(self.content)
        elif d.start:
            self.not_researched.set_message(
                "Not researched yet",
                f"Research website reads up to 8 pages of {d.start} — home, about, team, careers and news — "
                "politely (robots.txt honoured, a pause between pages). It finds company facts, people, "
                "technologies and trigger signals, each with its source. Nothing on the account changes "
                "until you apply it.")
            self.body.setCurrentWidget(self.not_researched)
        else:
            self.body.setCurrentWidget(self.no_website)
        self._show_status()
        self._update_buttons()

    def _show_status(self) -> None:
        d = self.data
        if d is None:
            return
        v, run = d.view, d.view.last_run
        parts = [d.start or "No website"]
        if run is not None:
            parts.append(f"last {RUN_KINDS.get(run.kind, run.kind)} {when(run.finished_at or run.started_at)}")
            parts.append(plural(run.pages, "page") + " read" + (f", {run.pages_failed} failed"
                                                               if run.pages_failed else ""))
        if d.stale_pages and d.researched:
            parts.append(f"{plural(d.stale_pages, 'page')} to refresh")
        if d.researched:
            parts.append(f"facts older than {v.stale_days} days are marked stale")
        self.status.setText(" · ".join(parts))
        failed = run is not None and run.status == "failed"
        self.error_note.setVisible(failed)
        self.error_note.setText(f"The last research read nothing: {run.error or 'no page could be read'}. "
                                "Check the website address on the Overview tab." if failed and run else "")

    def _update_buttons(self) -> None:
        d, idle = self.data, self.handle is None
        start = bool(d and d.start)
        self.research_button.setEnabled(idle and start)
        self.refresh_button.setEnabled(idle and start and bool(d and d.view.pages))
        self.reread_button.setEnabled(idle and bool(d and d.stored_pages))
        for b in self.not_researched.findChildren(QPushButton):
            b.setEnabled(idle and start)
        if d is not None:
            n, days = d.stale_pages, d.view.stale_days
            self.refresh_button.setToolTip(
                f"Fetch the {plural(n, 'page')} older than {days} days (or not read) again and re-read the "
                "others offline" if n else f"Every page was read within {days} days: Refresh re-reads them "
                "offline")

    def show_section(self, key: str) -> None:
        self.nav[key].setChecked(True)
        self.section_stack.setCurrentWidget(self.sections[key])

    # ---- jobs ----
    def research(self) -> None:
        self._research(refresh=False)

    def refresh_stale(self) -> None:
        self._research(refresh=True)

    def _research(self, refresh: bool) -> None:
        if self.handle is not None or self.data is None or not self.data.start:
            return
        job = research_job(self.ctx.workspace, self.account_id, options=common.crawl_options(self.ctx),
                           refresh=refresh, stale_days=self.data.view.stale_days if refresh else None)
        what = "Refreshing the stale pages of" if refresh else "Researching"
        self._start(f"{what} {self.data.start}", job, self._researched)

    def reread(self) -> None:
        if self.handle is not None:
            return
        ws, account_id = self.ctx.workspace, self.account_id

        def job(progress, cancel) -> SaveSummary:  # noqa: ANN001
            cancel.raise_if_cancelled()
            progress(0, 0, "")
            with ws.session() as s:
                return reextract(s, account_id)[1]

        self._start("Re-reading the stored pages offline", job, self._reread, cancellable=False)

    def _start(self, title: str, job, on_success, cancellable: bool = True) -> None:  # noqa: ANN001
        self.notice.hide()
        self.handle = handle = self.ctx.jobs.start(title, job, on_success=on_success, on_failure=self._failed,
                                                   parent_widget=self, inline=True)
        handle.cancelled.connect(self._cancelled)
        handle.done.connect(self._job_done)
        self.destroyed.connect(handle.cancel)  # the window closed: stop, store nothing
        self.progress.cancel_button.setVisible(cancellable)
        self.progress.attach(handle, title)
        self._update_buttons()

    def cancel(self) -> None:
        if self.handle is not None:
            self.progress.cancel_button.click()

    def _job_done(self) -> None:
        self.handle = None
        self.refresh()
        self.finished.emit(self._outcome)

    def _researched(self, res: AccountResearch) -> None:
        s = res.summary
        if s.status != "done":  # the error note says why; the Pages section says it for each page
            self.show_section("pages")
            self._outcome = "failed"
            return
        got = [plural(len(res.result.company.fields), "company fact"),
               f"{plural(len(res.result.people), 'person', 'people')} ({s.people_new} new)",
               plural(s.technologies, "technology", "technologies"), plural(s.signals_added, "new signal")]
        read = f"Read {plural(res.pages_fetched, 'page')}" + (f" and re-read {res.pages_reread} offline"
                                                               if res.pages_reread else "")
        changes = [f"added {n}" for n in s.technologies_added] + [f"removed {n}" for n in s.technologies_removed]
        tail = f" Technology changes: {', '.join(changes)}." if changes else ""
        self.notice.show_message(f"{read}: {', '.join(got)}.{tail}", "success")
        self._outcome = "done"

    def _reread(self, s: SaveSummary) -> None:
        self.notice.show_message(f"Re-read {plural(s.pages_stored, 'stored page')} offline with the current "
                                 f"rules: {plural(s.technologies, 'technology', 'technologies')}, "
                                 f"{s.people_new} new people.", "success")
        self._outcome = "done"

    def _failed(self, message: str, _details: str) -> None:
        self.notice.show_message(f"Research failed: {message}", "warning")
        self._outcome = "failed"

    def _cancelled(self) -> None:
        self.notice.show_message("Research cancelled; nothing was stored.", "info")
        self._outcome = "cancelled"

    # ---- applying research ----
    def apply_fields(self, fields: list[str]) -> None:
        if self.data is None:
            return
        rows = {r.field: r for r in self.data.view.company}
        values = {}
        for name in fields:
            row = rows.get(name)
            if row is None or row.account_field is None:
                continue
            value = row.value
            if row.account_field == "industry":
                value = self.ctx.taxonomy.resolve(INDUSTRY, str(value)) or value
            values[name] = value
        if not values:
            return
        try:
            with self.ctx.workspace.session() as s:
                apply_company_fields(s, self.account_id, values, self.data.view.account_version,
                                     user_id=self.ctx.user.id)
        except EditConflict as exc:
            dialogs.show_error(self, "The account changed meanwhile", f"{exc}. The tab now shows the account's "
                               "current values; apply again if the website is right.")
            self.refresh()
            return
        except AccountEditError as exc:
            dialogs.show_error(self, "Could not apply the research", str(exc))
            return
        self.refresh()
        names = ", ".join(FIELD_LABELS.get(n, n) for n in values)
        self.notice.show_message(f"Applied to the account: {names}. The change is in the account's timeline.",
                                 "success")
        self.accountChanged.emit()

    def add_people(self, ids: list[int]) -> None:
        if not ids:
            return
        try:
            with self.ctx.workspace.session() as s:
                res = accept_people(s, self.account_id, ids, user_id=self.ctx.user.id)
        except (ResearchError, StakeholderError) as exc:
            dialogs.show_error(self, "Could not add the people", str(exc))
            return
        self.refresh()
        lines = []
        if res.created:
            lines.append(f"Added {plural(len(res.created), 'person', 'people')} to the stakeholder map.")
        if res.linked:
            lines.append(f"{plural(len(res.linked), 'person', 'people')} already "
                         f"{'was a contact' if len(res.linked) == 1 else 'were contacts'} and now "
                         f"{'is' if len(res.linked) == 1 else 'are'} linked.")
        lines += res.skipped
        self.notice.show_message(" ".join(lines) or "Nobody to add.", "success" if res.created else "info")
        if res.created or res.linked:
            self.contactsChanged.emit()

    def dismiss_people(self, ids: list[int]) -> None:
        if ids:
            with self.ctx.workspace.session() as s:
                dismiss_people(s, self.account_id, ids)
            self.refresh()
