"""``templates list|add``, ``message render``, ``sequences list|enroll``, ``tasks today`` and ``activity log``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from bdr_desk.commands import CliError, current_user_id, open_ws, print_json
from bdr_desk.config import Settings

MAX_TEMPLATE_FILE = 1_000_000


def _domain_errors() -> tuple[type[Exception], ...]:
    from accounts.activities import ActivityError
    from accounts.hypotheses import HypothesisError
    from accounts.messaging import MessagingError
    from accounts.sequences import SequenceError
    from accounts.template_sandbox import TemplateError
    from content_library.items import ContentError

    return ActivityError, HypothesisError, MessagingError, SequenceError, TemplateError, ContentError


def _run(settings: Settings, work: Any) -> Any:
    """Run ``work(session, user_id)`` in one transaction; domain errors become one-line CLI errors."""
    ws = open_ws(settings)
    try:
        user_id = current_user_id(ws, settings)
        with ws.session() as s:
            return work(s, user_id)
    except _domain_errors() as exc:
        raise CliError(str(exc)) from None
    finally:
        ws.dispose()


def cmd_templates_list(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.messaging import list_templates
    from accounts.models.messaging import CHANNEL_LABELS

    def work(s: Any, user_id: int | None) -> list[dict[str, Any]]:
        return [{"id": t.id, "name": t.name, "channel": t.channel, "subject": t.subject, "persona": t.persona,
                 "industry": t.industry, "pain": t.pain, "shared": t.shared}
                for t in list_templates(s, channel=args.channel)]

    rows = _run(settings, work)
    if args.json:
        print_json(rows)
    elif not rows:
        print("No templates yet. Add one with `bdr-desk templates add FILE --name NAME`.")
    for r in [] if args.json else rows:
        print(f"#{r['id']:<4} {CHANNEL_LABELS.get(r['channel'], r['channel']):<14} {r['name']}"
              f"{'  (shared)' if r['shared'] else ''}")
    return 0


def cmd_templates_add(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.messaging import resolve_template, save_template

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_TEMPLATE_FILE:
            raise CliError(f"{path}: the template is over 1 MB")
        body = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None

    def work(s: Any, user_id: int | None) -> Any:
        existing = None
        if args.replace:
            try:
                existing = resolve_template(s, args.name).id
            except ValueError:
                existing = None
        t = save_template(s, name=args.name, body=body, channel=args.channel, subject=args.subject,
                          persona=args.persona, industry=args.industry, pain=args.pain, shared=args.shared,
                          owner_id=user_id, template_id=existing)
        return {"id": t.id, "name": t.name, "channel": t.channel}

    out = _run(settings, work)
    print_json(out) if args.json else print(f"Template #{out['id']} saved: {out['name']} ({out['channel']})")
    return 0


def cmd_message_render(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.messaging import render_template, resolve_contact, resolve_template
    from accounts.models import PainHypothesis
    from bdr_desk.users import User
    from content_library.collateral import merge_fields
    from content_library.models import ContentItem

    def work(s: Any, user_id: int | None) -> Any:
        tpl = resolve_template(s, args.template)
        contact = resolve_contact(s, args.contact)
        hyp = s.get(PainHypothesis, args.hypothesis) if args.hypothesis else None
        if args.hypothesis and (hyp is None or hyp.account_id != contact.account_id):
            raise CliError(f"hypothesis {args.hypothesis} is not one of {contact.account.name}'s")
        item = s.get(ContentItem, args.content) if args.content else None
        if args.content and item is None:
            raise CliError(f"no content item with id {args.content}")
        sender = s.get(User, user_id) if user_id else None
        return render_template(s, tpl, contact=contact, hypothesis=hyp, content=merge_fields(item), sender=sender)

    rendered = _run(settings, work)
    if args.json:
        print_json(rendered.as_json())
    else:
        if rendered.subject:
            print(f"Subject: {rendered.subject}\n")
        print(rendered.body)
    if rendered.missing:
        print(f"bdr-desk: error: unfilled merge fields: {', '.join(rendered.missing)} "
              "(give them a value or a | default(...) fallback)", file=sys.stderr)
        return 1
    return 0


def cmd_sequences_list(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import func, select

    from accounts.models import Enrollment, Sequence

    def work(s: Any, user_id: int | None) -> list[dict[str, Any]]:
        counts = dict(s.execute(select(Enrollment.sequence_id, func.count()).where(Enrollment.status == "active")
                                .group_by(Enrollment.sequence_id)).all())
        return [{"id": q.id, "name": q.name, "steps": [{"position": st.position, "day": st.day_offset,
                                                        "channel": st.channel, "template_id": st.template_id,
                                                        "instruction": st.instruction} for st in q.steps],
                 "active_enrollments": int(counts.get(q.id, 0))}
                for q in s.scalars(select(Sequence).order_by(Sequence.name))]

    rows = _run(settings, work)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        print(f"#{r['id']:<4} {r['name']} — {len(r['steps'])} steps, {r['active_enrollments']} active")
    return 0


def cmd_sequences_enroll(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import func, select

    from accounts.messaging import resolve_contact
    from accounts.models import Sequence
    from accounts.sequences import enroll

    def work(s: Any, user_id: int | None) -> Any:
        ref = args.sequence
        seq = s.get(Sequence, int(ref)) if ref.isdigit() else s.scalar(
            select(Sequence).where(func.lower(Sequence.name) == ref.lower()))
        if seq is None:
            raise CliError(f"no sequence with id or name {ref!r}")
        ids = [resolve_contact(s, c).id for c in args.contacts]
        return enroll(s, seq.id, ids, today=dt.date.today(), user_id=user_id, include_warned=args.force)

    res = _run(settings, work)
    out = {"enrolled": res.enrolled, "warnings": [w.__dict__ for w in res.warnings],
           "skipped": [w.__dict__ for w in res.skipped]}
    if args.json:
        print_json(out)
        return 0
    print(f"Enrolled {len(res.enrolled)} contact(s).")
    for w in res.skipped:
        print(f"  skipped: {w.message}")
    if res.skipped and not args.force:
        print("  (enrol warned contacts anyway with --force)")
    return 0


def cmd_tasks_today(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.outreach import tasks_due
    from accounts.sequences import due_steps

    now = dt.datetime.now().astimezone()

    def work(s: Any, user_id: int | None) -> list[dict[str, Any]]:
        mine = user_id if args.mine else None
        rows = [{"kind": "sequence_step", **d.as_json()} for d in due_steps(s, now, user_id=mine)]
        for t in tasks_due(s, now, user_id=mine):
            rows.append({"kind": "task", "task_id": t.id, "contact": t.contact_name, "account": t.account_name,
                         "account_id": t.account_id, "channel": t.type, "due": t.due_at.astimezone().date().isoformat(),
                         "overdue": t.overdue, "step": None, "subject": t.subject})
        return sorted(rows, key=lambda r: (r["due"], r["account"] or ""))

    rows = _run(settings, work)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("Nothing due today. Enrol contacts in a sequence: `bdr-desk sequences enroll SEQUENCE CONTACT…`.")
    for r in rows:
        late = " OVERDUE" if r["overdue"] else ""
        step = f"step {r['step']}/{r.get('steps')}" if r["step"] else "task"
        print(f"{r['due']}{late}  {r['channel']:<8} {r['contact'] or '—'} @ {r['account']}  ({step})")
    return 0


def cmd_activity_log(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.activities import log_activity
    from accounts.messaging import resolve_contact

    when = None
    if args.at:
        try:
            when = dt.datetime.fromisoformat(args.at)
        except ValueError:
            raise CliError(f"--at {args.at!r} is not an ISO date-time (2026-12-04T15:30)") from None
        when = when if when.tzinfo else when.astimezone()

    def work(s: Any, user_id: int | None) -> dict[str, Any]:
        contact = resolve_contact(s, args.contact)
        logged = log_activity(s, kind=args.type, contact_id=contact.id, outcome=args.outcome, note=args.note,
                              subject=args.subject, occurred_at=when, user_id=user_id)
        return {"id": logged.activity.id, "type": logged.activity.type, "outcome": logged.activity.outcome,
                "contact": contact.full_name, "account": contact.account.name,
                "coverage": list(logged.coverage) if logged.coverage else None,
                "stage": list(logged.stage) if logged.stage else None, "paused_enrollments": logged.paused}

    out = _run(settings, work)
    if args.json:
        print_json(out)
        return 0
    parts = [f"Logged {out['type']}{' (' + out['outcome'] + ')' if out['outcome'] else ''} with {out['contact']} "
             f"at {out['account']}"]
    if out["coverage"]:
        parts.append("coverage {} → {}".format(*out["coverage"]))
    if out["stage"]:
        parts.append("ABM stage {} → {}".format(*out["stage"]))
    if out["paused_enrollments"]:
        parts.append(f"paused {len(out['paused_enrollments'])} sequence enrolment(s) at the account")
    print("; ".join(parts))
    return 0


def register(sub: Any) -> None:
    from accounts.activities import OUTCOMES

    t = sub.add_parser("templates", help="message templates (email, call script, LinkedIn note, event invite)")
    tsub = t.add_subparsers(dest="templates_cmd", metavar="{list,add}", required=True)
    tl = tsub.add_parser("list", help="list templates")
    tl.add_argument("--channel")
    tl.add_argument("--json", action="store_true")
    tl.set_defaults(func=cmd_templates_list)
    ta = tsub.add_parser("add", help="add a template; FILE holds the body (Jinja2, sandboxed)")
    ta.add_argument("file", metavar="FILE")
    ta.add_argument("--name", required=True)
    ta.add_argument("--channel", default="email", help="email, call, linkedin or event")
    ta.add_argument("--subject")
    ta.add_argument("--persona")
    ta.add_argument("--industry")
    ta.add_argument("--pain")
    ta.add_argument("--shared", action="store_true", help="share with the team (marketing-curated)")
    ta.add_argument("--replace", action="store_true", help="update the template of that name if it exists")
    ta.add_argument("--json", action="store_true")
    ta.set_defaults(func=cmd_templates_add)

    m = sub.add_parser("message", help="render a message for a contact")
    msub = m.add_subparsers(dest="message_cmd", metavar="{render}", required=True)
    mr = msub.add_parser("render", help="render a template for a contact; exit 1 if merge fields are unfilled")
    mr.add_argument("template", metavar="TEMPLATE_ID_OR_NAME")
    mr.add_argument("--contact", required=True, help="contact id, e-mail or full name")
    mr.add_argument("--hypothesis", type=int, help="pain hypothesis id (the account's)")
    mr.add_argument("--content", type=int, help="content item id for the content.* fields")
    mr.add_argument("--json", action="store_true")
    mr.set_defaults(func=cmd_message_render)

    q = sub.add_parser("sequences", help="outreach sequences (cadences) and enrolment")
    qsub = q.add_subparsers(dest="sequences_cmd", metavar="{list,enroll}", required=True)
    ql = qsub.add_parser("list", help="list sequences with their steps")
    ql.add_argument("--json", action="store_true")
    ql.set_defaults(func=cmd_sequences_list)
    qe = qsub.add_parser("enroll", help="enrol contacts in a sequence")
    qe.add_argument("sequence", metavar="SEQUENCE")
    qe.add_argument("contacts", metavar="CONTACT", nargs="+")
    qe.add_argument("--force", action="store_true", help="also enrol contacts with warnings")
    qe.add_argument("--json", action="store_true")
    qe.set_defaults(func=cmd_sequences_enroll)

    k = sub.add_parser("tasks", help="what is due: sequence steps and tasks")
    ksub = k.add_subparsers(dest="tasks_cmd", metavar="{today}", required=True)
    kt = ksub.add_parser("today", help="steps and tasks due today or overdue")
    kt.add_argument("--mine", action="store_true", help="only my enrolments and accounts")
    kt.add_argument("--json", action="store_true")
    kt.set_defaults(func=cmd_tasks_today)

    a = sub.add_parser("activity", help="log calls, emails, LinkedIn touches, meetings, events and notes")
    asub = a.add_subparsers(dest="activity_cmd", metavar="{log}", required=True)
    al = asub.add_parser("log", help="log an activity against a contact")
    al.add_argument("--contact", required=True, help="contact id, e-mail or full name")
    al.add_argument("--type", required=True, choices=[k for k in OUTCOMES if k != "task"])
    al.add_argument("--outcome", help="; ".join(f"{k}: {', '.join(v)}" for k, v in OUTCOMES.items() if v))
    al.add_argument("--note")
    al.add_argument("--subject")
    al.add_argument("--at", help="when (ISO date-time, local time unless a zone is given); default now")
    al.add_argument("--json", action="store_true")
    al.set_defaults(func=cmd_activity_log)
