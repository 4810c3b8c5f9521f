"""Message templates and account-specific messages: merge fields, the sandboxed render, drafting.

Templates are Jinja2 text rendered in :mod:`accounts.template_sandbox`. The merge fields:

- ``account``: name, domain, website, industry, industry_label, size_band, size_label, employees, city,
  country, tier, abm_stage, description — ``{{ account }}`` prints the name
- ``contact``: first_name, last_name, full_name, title, email, phone, persona, persona_label, buying_role,
  linkedin_url
- ``owner`` (the account's owner) and ``sender`` (who sends: the current user, else the owner): name,
  first_name, email
- ``hypothesis``: pain (its label, e.g. "Audit readiness"), pain_key, hypothesis, persona, evidence, confidence
- ``content``: title, url, type, summary (the collateral chosen; supplied by the caller)
- ``research``: latest_signal (title, kind, date, source_url), signals (the five most recent), technologies
- ``today``: the date, ISO format

A field with no value is undefined: ``{{ contact.first_name | default("there") }}`` falls back, a bare
``{{ contact.first_name }}`` is reported in :attr:`Rendered.missing` and blocks drafting or sending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accounts.models import Account, Contact, Message, MessageTemplate, PainHypothesis, Signal
from accounts.models.history import AccountTechnology
from accounts.models.messaging import CHANNEL_LABELS, CHANNELS
from accounts.template_sandbox import Fields, TemplateError, compile_template, recording, render_source
from bdr_desk.taxonomy import INDUSTRY, PAIN, PERSONA, SIZE_BAND, Taxonomy
from bdr_desk.users import User

CHANNEL_ALIASES = {"mail": "email", "e-mail": "email", "phone": "call", "call_script": "call", "call script": "call",
                   "linkedin_note": "linkedin", "linkedin note": "linkedin", "li": "linkedin", "event_invite": "event",
                   "event invite": "event", "invite": "event"}


class MessagingError(ValueError):
    """Bad input for templates or messages; the message is one line and names the bad value."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    missing: list[str] = field(default_factory=list)  # dotted paths of fields with no value and no fallback

    @property
    def ready(self) -> bool:
        return not self.missing

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "body": self.body, "missing": list(self.missing)}


def normalize_channel(text: str | None) -> str:
    value = (text or "email").strip().lower()
    value = CHANNEL_ALIASES.get(value, value)
    if value not in CHANNELS:
        choices = ", ".join(f"{k} ({v})" for k, v in CHANNEL_LABELS.items())
        raise MessagingError(f"unknown channel {text!r}; use one of {choices}")
    return value


# ---- merge fields ------------------------------------------------------------------------------------------

def _person(path: str, user: User | None) -> Fields:
    if user is None:
        return Fields(path, {})
    return Fields(path, {"name": user.name, "first_name": user.name.split()[0] if user.name else None,
                         "email": user.email}, user.name)


def account_fields(account: Account, tax: Taxonomy) -> Fields:
    return Fields("account", {
        "name": account.name, "domain": account.domain, "website": account.website, "industry": account.industry,
        "industry_label": tax.label(INDUSTRY, account.industry) or None, "size_band": account.size_band,
        "size_label": tax.label(SIZE_BAND, account.size_band) or None, "employees": account.employees,
        "city": account.hq_city, "country": account.hq_country, "tier": account.tier,
        "abm_stage": account.abm_stage, "description": account.description}, account.name)


def contact_fields(contact: Contact | None, tax: Taxonomy) -> Fields:
    if contact is None:
        return Fields("contact", {})
    return Fields("contact", {
        "first_name": contact.first_name, "last_name": contact.last_name, "full_name": contact.full_name,
        "title": contact.title, "email": contact.email, "phone": contact.phone, "persona": contact.persona,
        "persona_label": tax.label(PERSONA, contact.persona) or None, "buying_role": contact.buying_role,
        "linkedin_url": contact.linkedin_url}, contact.full_name)


def hypothesis_fields(hypothesis: PainHypothesis | None, tax: Taxonomy) -> Fields:
    if hypothesis is None:
        return Fields("hypothesis", {})
    return Fields("hypothesis", {
        "pain": tax.label(PAIN, hypothesis.pain), "pain_key": hypothesis.pain, "hypothesis": hypothesis.hypothesis,
        "persona": tax.label(PERSONA, hypothesis.persona) or None, "evidence": hypothesis.evidence,
        "confidence": hypothesis.confidence}, hypothesis.hypothesis)


def _research_fields(session: Session, account_id: int) -> Fields:
    signals = session.scalars(select(Signal).where(Signal.account_id == account_id)
                              .order_by(Signal.detected_at.desc(), Signal.id.desc()).limit(5)).all()
    rows = [Fields("research.signal", {"title": s.title, "kind": s.kind, "source_url": s.source_url,
                                       "date": s.occurred_on.isoformat() if s.occurred_on else None}, s.title)
            for s in signals]
    techs = session.scalars(select(AccountTechnology.name).where(AccountTechnology.account_id == account_id)
                            .order_by(AccountTechnology.name)).all()
    data: dict[str, Any] = {"signals": rows or None, "technologies": ", ".join(techs) or None}
    if rows:
        data["latest_signal"] = rows[0]
    return Fields("research", data)


def merge_context(session: Session, *, account: Account, contact: Contact | None = None,
                  hypothesis: PainHypothesis | None = None, content: Mapping[str, Any] | None = None,
                  sender: User | None = None, today: dt.date | None = None) -> dict[str, Any]:
    tax = Taxonomy.load(session)
    owner = session.get(User, account.owner_id) if account.owner_id else None
    return {
        "account": account_fields(account, tax), "contact": contact_fields(contact, tax),
        "owner": _person("owner", owner), "sender": _person("sender", sender or owner),
        "hypothesis": hypothesis_fields(hypothesis, tax),
        "content": Fields("content", dict(content or {}), str((content or {}).get("title") or "")),
        "research": _research_fields(session, account.id),
        "today": (today or dt.date.today()).isoformat(),
    }


def render_text(subject: str | None, body: str, context: Mapping[str, Any]) -> Rendered:
    """Render a subject and body; raises :class:`TemplateError` for syntax errors, escapes and runaway work."""
    with recording() as missing:
        rendered_subject = render_source(subject or "", context, "subject") if subject else ""
        rendered_body = render_source(body, context, "body")
    return Rendered(" ".join(rendered_subject.split()), rendered_body, list(missing))


def render_template(session: Session, template: MessageTemplate, *, contact: Contact | None = None,
                    account: Account | None = None, hypothesis: PainHypothesis | None = None,
                    content: Mapping[str, Any] | None = None, sender: User | None = None) -> Rendered:
    target = account or (contact.account if contact is not None else None)
    if target is None:
        raise MessagingError("render needs a contact or an account")
    ctx = merge_context(session, account=target, contact=contact, hypothesis=hypothesis, content=content,
                        sender=sender)
    return render_text(template.subject, template.body, ctx)


def resolve_contact(session: Session, ref: str | int) -> Contact:
    """A contact by id, e-mail address or unique full name."""
    text = " ".join(str(ref or "").split())
    if not text:
        raise MessagingError("name a contact by id, e-mail or full name")
    if text.isdigit():
        found = session.get(Contact, int(text))
        if found is None:
            raise MessagingError(f"no contact with id {text}")
        return found
    if "@" in text:
        found = session.scalar(select(Contact).where(func.lower(Contact.email) == text.lower()))
        if found is None:
            raise MessagingError(f"no contact with e-mail {text!r}")
        return found
    full = func.lower(func.coalesce(Contact.first_name, "") + " " + func.coalesce(Contact.last_name, ""))
    rows = session.scalars(select(Contact).where(full == text.lower()).limit(2)).all()
    if len(rows) != 1:
        raise MessagingError(f"{'several contacts are' if rows else 'no contact is'} named {text!r}; use the id or e-mail")
    return rows[0]


# ---- templates -------------------------------------------------------------------------------------------

def resolve_template(session: Session, ref: str | int) -> MessageTemplate:
    text = str(ref).strip()
    found = session.get(MessageTemplate, int(text)) if text.isdigit() else None
    if found is None:
        found = session.scalar(select(MessageTemplate).where(func.lower(MessageTemplate.name) == text.lower()))
    if found is None:
        raise MessagingError(f"no template with id or name {text!r}")
    return found


def list_templates(session: Session, *, channel: str | None = None, user_id: int | None = None) -> list[MessageTemplate]:
    """Shared templates plus the user's own (all templates when no user is given), by channel then name."""
    stmt = select(MessageTemplate).order_by(MessageTemplate.channel, func.lower(MessageTemplate.name))
    if channel:
        stmt = stmt.where(MessageTemplate.channel == normalize_channel(channel))
    if user_id is not None:
        stmt = stmt.where(or_(MessageTemplate.shared.is_(True), MessageTemplate.owner_id == user_id,
                              MessageTemplate.owner_id.is_(None)))
    return list(session.scalars(stmt))


def _check_sources(subject: str | None, body: str) -> None:
    if not body or not body.strip():
        raise MessagingError("a template needs a body")
    if subject:
        compile_template(subject, "subject")
    compile_template(body, "body")


def _tags(session: Session, persona: str | None, industry: str | None, pain: str | None) -> dict[str, str | None]:
    tax = Taxonomy.load(session)
    out: dict[str, str | None] = {}
    for vocab, name, text in ((PERSONA, "persona", persona), (INDUSTRY, "industry", industry), (PAIN, "pain", pain)):
        key = tax.resolve(vocab, text)
        if text and key is None:
            raise MessagingError(f"unknown {name} {text!r}")
        out[name] = key
    return out


def save_template(session: Session, *, name: str, body: str, channel: str | None = "email",
                  subject: str | None = None, persona: str | None = None, industry: str | None = None,
                  pain: str | None = None, shared: bool = False, owner_id: int | None = None,
                  template_id: int | None = None, expected_version: int | None = None) -> MessageTemplate:
    """Create or update a template after checking both sources compile; raises MessagingError/TemplateError."""
    name = " ".join((name or "").split())
    if not name:
        raise MessagingError("a template needs a name")
    chan = normalize_channel(channel)
    _check_sources(subject, body)
    values = {"name": name, "body": body, "channel": chan, "subject": subject or None, "shared": shared, **_tags(session, persona, industry, pain)}
    clash = session.scalar(select(MessageTemplate.id).where(func.lower(MessageTemplate.name) == name.lower(),
                                                           MessageTemplate.id != (template_id or -1)))
    if clash is not None:
        raise MessagingError(f"a template named {name!r} already exists")
    if template_id is None:
        tpl = MessageTemplate(owner_id=owner_id, **values)
        session.add(tpl)
    else:
        found = session.get(MessageTemplate, template_id)
        if found is None:
            raise MessagingError(f"no template with id {template_id}")
        if expected_version is not None and found.version != expected_version:
            raise MessagingError(f"template {name!r} was changed by someone else; reload it and try again")
        tpl = found
        for k, v in values.items():
            setattr(tpl, k, v)
    session.flush()
    return tpl


# ---- messages ---------------------------------------------------------------------------------------------

def draft_message(session: Session, *, contact: Contact, rendered: Rendered, channel: str = "email",
                  template_id: int | None = None, hypothesis_id: int | None = None, enrollment_id: int | None = None,
                  user_id: int | None = None) -> Message:
    """Store a drafted message for the contact; refuses while merge fields are unfilled."""
    if rendered.missing:
        raise MessagingError("fill these fields first: " + ", ".join(rendered.missing))
    if hypothesis_id is not None:
        hyp = session.get(PainHypothesis, hypothesis_id)
        if hyp is None or hyp.account_id != contact.account_id:
            raise MessagingError(f"hypothesis {hypothesis_id} is not one of this account's")
    msg = Message(account_id=contact.account_id, contact_id=contact.id, template_id=template_id,
                  hypothesis_id=hypothesis_id, enrollment_id=enrollment_id, channel=normalize_channel(channel),
                  subject=rendered.subject or None, body=rendered.body, created_by_id=user_id)
    session.add(msg)
    session.flush()
    return msg


__all__ = ["MessagingError", "Rendered", "TemplateError", "draft_message", "list_templates", "merge_context",
           "normalize_channel", "render_template", "resolve_contact", "render_text", "resolve_template", "save_template"]
