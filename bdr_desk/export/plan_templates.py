"""Plan templates: which sections an account plan has, in what order.

Two built-in templates ("Full account plan", "One-page brief"); a workspace can add its own, stored in
``workspace_settings`` under ``plan_templates`` as ``{name: [section, …]}``. Built-ins cannot be overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from accounts.settings import get_setting, put_setting
from bdr_desk.export.plan_data import SECTION_TITLES, SECTIONS

SETTING = "plan_templates"
DEFAULT = "Full account plan"
BUILT_IN: dict[str, tuple[str, ...]] = {
    DEFAULT: SECTIONS,
    "One-page brief": ("overview", "stakeholders", "messaging", "next_steps"),
}


class PlanTemplateError(ValueError):
    pass


def _stored(session: Session) -> dict[str, list[str]]:
    raw = get_setting(session, SETTING, {})
    value = raw if isinstance(raw, dict) else {}
    return {str(k): [s for s in v if s in SECTIONS] for k, v in value.items() if isinstance(v, list)}


def plan_templates(session: Session) -> dict[str, tuple[str, ...]]:
    return {**BUILT_IN, **{k: tuple(v) for k, v in _stored(session).items() if k not in BUILT_IN}}


def resolve_plan_template(session: Session, name: str | None) -> tuple[str, ...]:
    if not name:
        return SECTIONS
    for key, sections in plan_templates(session).items():
        if key.casefold() == name.strip().casefold():
            return sections
    raise PlanTemplateError(f"no plan template named {name!r}; have: {', '.join(plan_templates(session))}")


def save_plan_template(session: Session, name: str, sections: Sequence[str]) -> tuple[str, ...]:
    name = " ".join((name or "").split())
    if not name:
        raise PlanTemplateError("a plan template needs a name")
    if any(name.casefold() == b.casefold() for b in BUILT_IN):
        raise PlanTemplateError(f"{name!r} is built in; save your version under another name")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise PlanTemplateError(f"unknown section(s) {', '.join(unknown)}; use {', '.join(SECTIONS)}")
    chosen = list(dict.fromkeys(sections))
    if not chosen:
        raise PlanTemplateError("a plan template needs at least one section")
    stored = _stored(session)
    stored[name] = chosen
    put_setting(session, SETTING, stored)
    return tuple(chosen)


def delete_plan_template(session: Session, name: str) -> None:
    stored = _stored(session)
    if name not in stored:
        raise PlanTemplateError(f"no custom plan template named {name!r}")
    del stored[name]
    put_setting(session, SETTING, stored)


__all__ = ["BUILT_IN", "DEFAULT", "SECTION_TITLES", "PlanTemplateError", "delete_plan_template", "plan_templates",
           "resolve_plan_template", "save_plan_template"]
