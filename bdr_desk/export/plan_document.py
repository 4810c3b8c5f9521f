"""What an account plan says, section by section: :func:`build_document` turns a
:class:`~bdr_desk.export.plan_data.PlanData` into the blocks of :mod:`bdr_desk.export.plan_blocks`.

Only the sections in ``PlanData.sections`` are built, in that order. Qt-free and query-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bdr_desk.export.plan_blocks import (
    NO_SNAPSHOT,
    Block,
    Callout,
    ChartImage,
    Facts,
    Figure,
    Heading,
    Inline,
    Para,
    PlanDocument,
    Rich,
    Section,
    Strong,
    Table,
    link,
    rich,
)
from bdr_desk.export.plan_data import SECTION_TITLES, PlanData
from bdr_desk.export.plan_format import (
    DASH,
    fmt_date,
    fmt_int,
    fmt_money,
    fmt_pct,
    humanize,
    plural,
    short_url,
)
from bdr_desk.taxonomy import SEGMENT_LABELS

CLOSED_STAGES = ("closed_won", "closed_lost")


def _row(*cells: Inline | Rich | None) -> tuple[Rich, ...]:
    return tuple(c if isinstance(c, tuple) else rich(DASH if c is None or c == "" else c) for c in cells)


def _table(headers: Iterable[str], rows: Iterable[tuple[Rich, ...]], widths: tuple[int, ...] = (),
           kind: str = "") -> Table:
    return Table(tuple(headers), tuple(rows), widths, kind)


def _empty(text: str) -> Para:
    return Para(rich(text), "muted")


# ---- sections ----

def _overview(p: PlanData) -> list[Block]:
    a = p.account
    hq = ", ".join(x for x in (a.hq_city, a.hq_region, a.hq_country) if x)
    band = p.size_label.removesuffix(" employees") + " band" if a.size_band else ""
    size = " · ".join(x for x in (f"{fmt_int(a.employees)} employees" if a.employees else "", band) if x)
    facts: list[tuple[str, Rich]] = [
        ("Domain", rich(link(a.domain or a.website or DASH, a.website or (f"https://{a.domain}" if a.domain
                                                                           else None)))),
        ("Industry", rich(" · ".join(x for x in (p.industry_label if a.industry else "", a.sub_industry) if x)
                          or DASH)),
        ("Company size", rich(size or DASH)),
        ("Segment", rich(SEGMENT_LABELS.get(a.segment or "", humanize(a.segment)))),
        ("Annual revenue", rich(fmt_money(a.annual_revenue))),
        ("Headquarters", rich(hq or DASH)),
        ("ABM stage", rich(p.stage_label)),
        ("Owner", rich(a.owner_name or "Unassigned")),
    ]
    if a.parent_name:
        facts.append(("Parent account", rich(a.parent_name)))
    if a.children:
        facts.append(("Subsidiaries", rich(", ".join(name for _, name in a.children))))
    blocks: list[Block] = [Facts(tuple(facts))]
    if a.description:
        blocks.append(Para(rich(a.description), "lead"))
    if a.notes:
        blocks.append(Para(rich(Strong("Notes: "), a.notes)))
    return blocks


def _icp(p: PlanData) -> list[Block]:
    a = p.account
    score = f"ICP score {a.icp_score}/100" if a.icp_score is not None else "Not scored yet"
    model = f" (scoring model v{a.icp_version})" if a.icp_version else ""
    blocks: list[Block] = [Para(rich(Strong(a.tier_label), f" · {score}{model}"))]
    if a.tier and a.suggested_tier and a.suggested_tier != a.tier:
        blocks.append(Para(rich(f"The ICP score suggests Tier {a.suggested_tier}; the account is kept at "
                                f"Tier {a.tier}."), "muted"))
    if a.icp_explanation:
        rows = [_row(label, f"{pts:+d}") for label, pts in a.icp_explanation]
        rows.append(_row(Strong("Total"), Strong(str(sum(pts for _, pts in a.icp_explanation)))))
        blocks.append(_table(("Why the account fits", "Points"), rows, (80, 20), "icp"))
    else:
        blocks.append(_empty("No scoring rule matched this account, or it has not been scored yet."))
    return blocks


def _research(p: PlanData) -> list[Block]:
    if p.pages_researched:
        blocks: list[Block] = [Para(rich(f"{plural(p.pages_researched, 'web page')} researched, last on "
                                         f"{fmt_date(p.last_researched)}."), "muted")]
    else:
        blocks = [_empty("The account's website has not been researched yet.")]
    blocks.append(Heading(2, "Signals"))
    if p.signals:
        blocks.append(_table(("Date", "Signal", "Kind", "Source"), [
            _row(fmt_date(s.date), s.title, humanize(s.kind), link(short_url(s.source_url), s.source_url)
                 if s.source_url else None) for s in p.signals], (14, 48, 14, 24), "signals"))
    else:
        blocks.append(_empty("No signals recorded."))
    blocks.append(Heading(2, "Technologies"))
    if p.technologies:
        by_cat: dict[str, list[str]] = {}
        for name, cat in p.technologies:
            by_cat.setdefault(humanize(cat) if cat else "Other", []).append(name)
        blocks.append(_table(("Category", "Technologies"), [_row(c, ", ".join(n)) for c, n in by_cat.items()],
                             (30, 70), "technologies"))
    else:
        blocks.append(_empty("No technologies detected."))
    return blocks


def _outline(p: PlanData) -> tuple[tuple[int, Rich], ...]:
    contacts = p.stakeholders.contacts
    ids = {c.id for c in contacts}
    kids: dict[int | None, list[Any]] = {}
    for c in contacts:
        boss = c.reports_to_id if c.reports_to_id in ids and c.reports_to_id != c.id else None
        kids.setdefault(boss, []).append(c)
    out: list[tuple[int, Rich]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for c in kids.get(parent, []):
            if c.id in seen:
                continue
            seen.add(c.id)
            role = p.role_labels.get(c.buying_role or "", "") if c.buying_role else ""
            left = " (left the company)" if c.left_company else ""
            out.append((depth, rich(Strong(c.name), f", {c.title}" if c.title else "",
                                    f" · {role}" if role else "", left)))
            walk(c.id, depth + 1)

    walk(None, 0)
    for c in contacts:  # anyone on a reporting cycle
        if c.id not in seen:
            seen.add(c.id)
            out.append((0, rich(Strong(c.name), f", {c.title}" if c.title else "")))
    return tuple(out)


def _stakeholders(p: PlanData, chart: ChartImage | None) -> list[Block]:
    smap, labels = p.stakeholders, p.role_labels
    cov = smap.coverage
    left = sum(1 for c in smap.contacts if c.left_company)
    summary = [Strong(f"Committee coverage {fmt_pct(cov.coverage)}"),
               f" of the {SEGMENT_LABELS.get(cov.segment, humanize(cov.segment))} buying committee · "
               f"{plural(len(smap.contacts) - left, 'current contact')}"]
    if left:
        summary.append(f" · {left} left the company")
    if smap.stale:
        summary.append(f" · stale map: no touch in {smap.stale_days}+ days")
    blocks: list[Block] = [Para(rich(*summary))]
    w, h = (chart.width_px, chart.height_px) if chart else (0, 0)
    blocks.append(Figure(chart.png if chart else None, w, h, f"Org chart of {p.account.name}",
                         "Reporting lines; fill = buying role, border = sentiment; dashed cards are missing roles.",
                         _outline(p)))
    blocks.append(Heading(2, "Buying committee"))
    if smap.contacts:
        blocks.append(_table(
            ("Name", "Title", "Buying role", "Sentiment", "Coverage status", "Left company"),
            [_row(c.name, c.title, labels.get(c.buying_role or "", humanize(c.buying_role)) if c.buying_role
                  else None, humanize(c.sentiment), humanize(c.coverage_status),
                  "Yes" if c.left_company else "No") for c in smap.contacts],
            (19, 25, 16, 13, 14, 13), "stakeholders"))
    else:
        blocks.append(_empty("Nobody identified at this account yet."))
    blocks.append(Heading(2, "Roles and gaps"))
    names = {c.id: c.name for c in smap.contacts}
    blocks.append(_table(("Role", "Required", "Weight", "Filled by"), [
        _row(s.label, "Required" if s.required else "Optional", f"{s.weight:g}",
             ", ".join(names.get(i, f"#{i}") for i in s.filled_by) if s.filled_by
             else Strong("Gap: nobody identified") if s.required else "Not identified")
        for s in cov.slots], (26, 14, 10, 50), "roles"))
    if cov.missing_roles:
        blocks.append(Para(rich(Strong("Missing required roles: "),
                                ", ".join(labels.get(r, humanize(r)) for r in cov.missing_roles) + ".")))
    else:
        blocks.append(Para(rich("Every required role of the committee is identified."), "muted"))
    return blocks


def _messaging(p: PlanData, links: dict[int, str]) -> list[Block]:
    if not p.message_map:
        return [_empty("No pain hypotheses yet.")]
    blocks: list[Block] = []
    for n, b in enumerate(p.message_map, 1):
        h = b.hypothesis
        blocks.append(Heading(2, f"{n}. {b.pain_label} — {humanize(h.status)}"))
        blocks.append(Para(rich(h.hypothesis)))
        meta = [f"Persona: {b.persona_label}" if h.persona else "",
                f"confidence {h.confidence}%" if h.confidence is not None else "",
                plural(b.messages, "message") + " drafted"]
        if h.evidence:
            blocks.append(Para(rich(Strong("Evidence: "), h.evidence), "muted"))
        blocks.append(Para(rich(" · ".join(m for m in meta if m)), "muted"))
        if h.status_note:
            blocks.append(Para(rich(Strong(f"{humanize(h.status)}: "), h.status_note), "muted"))
        if b.lines:
            rows = []
            for line in b.lines:
                coll: list[Inline] = []
                for k, (item_id, title) in enumerate(line.collateral):
                    coll += ([", "] if k else []) + [link(title, links.get(item_id))]
                rows.append(_row(line.persona_label if line.entry.persona else None, line.entry.angle,
                                 rich(*coll) or None, line.step_label))
            blocks.append(_table(("Persona", "Angle", "Collateral", "Sequence step"), rows, (18, 40, 22, 20),
                                 "message-map"))
    return blocks


def _outreach(p: PlanData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Active sequences")]
    if p.enrollments:
        blocks.append(_table(("Contact", "Sequence", "Step", "Status", "Next due"), [
            _row(e.contact, e.sequence, f"{e.step} of {e.steps}",
                 humanize(e.status) + (f" ({e.paused_reason})" if e.paused_reason else ""), fmt_date(e.next_due))
            for e in p.enrollments], (20, 30, 10, 24, 16), "enrollments"))
    else:
        blocks.append(_empty("Nobody at this account is in an active sequence."))
    blocks.append(Heading(2, "Recent activity"))
    if p.activities:
        blocks.append(_table(("Date", "Type", "Outcome", "Contact", "Subject"), [
            _row(fmt_date(a.when), humanize(a.type), humanize(a.outcome) if a.outcome else None, a.contact,
                 a.subject) for a in p.activities], (14, 12, 16, 20, 38), "activities"))
    else:
        blocks.append(_empty("No activity logged yet."))
    return blocks


def _content(p: PlanData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Recommended content")]
    if p.recommended:
        blocks.append(_table(("Content", "Type", "Why"), [
            _row(link(r.title, r.url), humanize(r.type), r.reason) for r in p.recommended], (40, 16, 44),
            "recommended"))
    else:
        blocks.append(_empty("Nothing in the library matches this account yet."))
    blocks.append(Heading(2, "Used with this account"))
    if p.used_content:
        blocks.append(_table(("Content", "Uses", "Last used"), [
            _row(link(u.title, u.url), str(u.uses), fmt_date(u.last_used)) for u in p.used_content],
            (64, 12, 24), "used-content"))
    else:
        blocks.append(_empty("No content used with this account yet."))
    return blocks


def _opportunities(p: PlanData) -> list[Block]:
    open_ = [o for o in p.opportunities if o.stage not in CLOSED_STAGES]
    closed = [o for o in p.opportunities if o.stage in CLOSED_STAGES]

    def rows(opps: list[Any]) -> list[tuple[Rich, ...]]:
        return [_row(o.name, humanize(o.stage), fmt_money(o.amount, o.currency), fmt_date(o.close_date),
                     "Yes" if o.qualified else "No") for o in opps]

    heads, widths = ("Opportunity", "Stage", "Amount", "Close date", "Qualified"), (40, 16, 16, 16, 12)
    if open_:
        blocks: list[Block] = [Para(rich(Strong(f"Open pipeline {fmt_money(p.account.pipeline_amount)}"),
                                         f" across {plural(len(open_), 'opportunity', 'opportunities')}."))]
        blocks.append(_table(heads, rows(open_), widths, "opportunities"))
    else:
        blocks = [_empty("No open opportunities.")]
    if closed:
        blocks += [Heading(2, "Closed"), _table(heads, rows(closed), widths, "closed-opportunities")]
    return blocks


def _next_steps(p: PlanData) -> list[Block]:
    today = p.generated_at.date()
    blocks: list[Block] = [Para(rich("Account owner: ", Strong(p.account.owner_name or "Unassigned")))]
    if p.next_steps:
        blocks.append(_table(("Due", "Next step", "Who"), [
            _row(fmt_date(s.due) + (" (overdue)" if s.due and s.due < today else ""), s.what, s.who)
            for s in p.next_steps], (20, 55, 25), "next-steps"))
    else:
        blocks.append(_empty("No open tasks or sequence steps: plan the next touch."))
    return blocks


def _callout(diff: Any) -> Callout | None:
    if diff is None:
        return None
    if diff == NO_SNAPSHOT:
        return Callout("Since the last snapshot", (rich("No snapshot of this plan yet: take one to see what "
                                                        "changes by the next review."),))
    items = tuple(rich(line) for line in diff.lines()) or (rich("Nothing changed."),)
    return Callout(f"Since the last snapshot ({diff.since})", items)


def build_document(plan: PlanData, *, diff: Any = None, chart: ChartImage | None = None,
                   links: dict[int, str] | None = None) -> PlanDocument:
    """The plan's blocks, section by section in ``plan.sections`` order. ``diff`` is a ``PlanDiff`` (the
    "since last snapshot" block), :data:`NO_SNAPSHOT` (asked for, none taken yet) or None; ``links`` maps content item
    ids to URLs for the message map's collateral."""
    a = plan.account
    links = dict(links or {})
    for item in (*plan.recommended, *plan.used_content):
        if item.url:
            links.setdefault(item.id, item.url)
    builders = {"overview": lambda: _overview(plan), "icp": lambda: _icp(plan), "research": lambda: _research(plan),
                "stakeholders": lambda: _stakeholders(plan, chart), "messaging": lambda: _messaging(plan, links),
                "outreach": lambda: _outreach(plan), "content": lambda: _content(plan),
                "opportunities": lambda: _opportunities(plan), "next_steps": lambda: _next_steps(plan)}
    sections = [Section(key, SECTION_TITLES[key], builders[key]()) for key in plan.sections]
    generated = fmt_date(plan.generated_at)
    bits = [a.domain or "", f"Tier {a.tier}" if a.tier else "", plan.stage_label,
            f"Owner {a.owner_name}" if a.owner_name else "", f"Generated {generated}"]
    content = ()
    if "content" in plan.sections:
        content = tuple(dict.fromkeys([r.id for r in plan.recommended] + [u.id for u in plan.used_content]))
    return PlanDocument(plan.title, a.name, rich(" · ".join(b for b in bits if b)), generated, _callout(diff),
                        sections, content)
