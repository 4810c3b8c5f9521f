"""The mapping per workspace: stored in ``workspace_settings`` (``crm.mapping.<system>``), validated on every
save, edited field by field or picklist value by picklist value (the functions the mapping screen calls).

A workspace that never saved a mapping uses the defaults; a stored mapping is complete (not a diff), so a later
change of the defaults never silently changes a workspace's sync.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from accounts.models import ACTIVITY_TYPES, COVERAGE_STATUSES, WorkspaceSetting
from accounts.models.activity import OPPORTUNITY_STAGES
from bdr_desk.crm.connector import RemoteField
from bdr_desk.crm.mapping import (
    DIRECTIONS,
    KIND_KEY,
    LOCAL_DELETE_POLICIES,
    LOCAL_FIELDS,
    NATURAL_KEYS,
    OBJECT_DIRECTIONS,
    REMOTE_DELETE_POLICIES,
    RULES,
    FieldMap,
    ObjectMap,
    Picklist,
    SyncMapping,
)
from bdr_desk.crm.mapping_defaults import DEFAULTS, default_mapping
from bdr_desk.taxonomy import ABM_STAGE, FUNNEL_STAGE, INDUSTRY, Taxonomy

SETTING = "crm.mapping.{system}"
# what each picklist translates: a taxonomy vocabulary (marketing may extend it) or a fixed list of keys
PICKLIST_VOCABULARIES = {"industry": INDUSTRY, "lifecycle_stage": FUNNEL_STAGE, "abm_stage": ABM_STAGE}
PICKLIST_KEYS: dict[str, tuple[str, ...]] = {
    "lead_status": COVERAGE_STATUSES, "activity_type": ACTIVITY_TYPES, "opportunity_stage": OPPORTUNITY_STAGES,
    "task_status": ("true", "false"), "call_direction": ("inbound", "outbound"),
}
PICKLISTS = (*PICKLIST_VOCABULARIES, *PICKLIST_KEYS, "owner")


class MappingError(ValueError):
    """An invalid mapping; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# ---- JSON ---------------------------------------------------------------------------------------------------

def mapping_from_json(data: Mapping[str, Any]) -> SyncMapping:
    """Parse a stored mapping; raises :class:`MappingError` on a malformed document."""
    try:
        objects = {
            name: ObjectMap(name, tuple(FieldMap(f["local"], f["remote"], f.get("direction", "both"),
                                                 f.get("rule", "latest_wins")) for f in obj["fields"]),
                            bool(obj.get("enabled", True)), obj.get("key"), dict(obj.get("defaults") or {}))
            for name, obj in data["objects"].items()
        }
        picklists = {
            name: Picklist(dict(p.get("to_remote") or {}), dict(p.get("to_local") or {}), p.get("fallback_local"),
                           p.get("fallback_remote"))
            for name, p in (data.get("picklists") or {}).items()
        }
        return SyncMapping(str(data["system"]), objects, picklists, data.get("remote_deletes", "mark"),
                           data.get("local_deletes", "archive"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise MappingError([f"the stored mapping is malformed ({exc!r})"]) from None


# ---- validation ---------------------------------------------------------------------------------------------

def _allowed_keys(picklist: str, taxonomy: Taxonomy | None) -> set[str] | None:
    """The local keys a picklist may use; None when anything goes (no taxonomy given) or for owners."""
    if picklist in PICKLIST_KEYS:
        return set(PICKLIST_KEYS[picklist])
    if picklist in PICKLIST_VOCABULARIES and taxonomy is not None:
        return set(taxonomy.keys(PICKLIST_VOCABULARIES[picklist]))
    return None


def _check_remote(fm: FieldMap, where: str) -> list[str]:
    if isinstance(fm.remote, str):
        return [] if fm.remote.strip() or fm.direction == "none" else [f"{where}: no CRM property given"]
    if not isinstance(fm.remote, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in fm.remote.items()):
        return [f"{where}: the CRM property must be a name or one name per activity kind"]
    if fm.direction != "none" and not any(v.strip() for v in fm.remote.values()):
        return [f"{where}: no CRM property given"]
    return []


def _check_object(mapping: SyncMapping, obj: ObjectMap, remote: dict[str, RemoteField] | None) -> list[str]:
    problems: list[str] = []
    catalog = LOCAL_FIELDS[obj.object_type]
    seen_local: set[str] = set()
    seen_remote: dict[str, str] = {}
    for fm in obj.fields:
        where = f"{obj.object_type}.{fm.local}"
        if fm.local not in catalog:
            problems.append(f"{where}: not a field we can sync (known: {', '.join(catalog)})")
            continue
        if fm.local in seen_local:
            problems.append(f"{where}: mapped twice")
        seen_local.add(fm.local)
        if fm.direction not in DIRECTIONS:
            problems.append(f"{where}: direction {fm.direction!r} is not one of {', '.join(DIRECTIONS)}")
        elif fm.direction not in OBJECT_DIRECTIONS[obj.object_type]:
            allowed = " or ".join(OBJECT_DIRECTIONS[obj.object_type])
            problems.append(f"{where}: {obj.object_type} fields sync {allowed} only, not {fm.direction}")
        if fm.rule not in RULES:
            problems.append(f"{where}: rule {fm.rule!r} is not one of {', '.join(RULES)}")
        elif fm.rule == "dont_sync" and fm.direction != "none":
            problems.append(f"{where}: rule dont_sync needs direction none")
        if catalog[fm.local].virtual and fm.direction not in ("pull", "none"):
            problems.append(f"{where}: can only be pulled")
        problems += _check_remote(fm, where)
        if fm.direction == "none" or fm.rule == "dont_sync":
            continue
        for name in fm.remote_names():
            if name in seen_remote and not isinstance(fm.remote, dict):
                problems.append(f"{where}: CRM property {name} is already mapped to {seen_remote[name]}")
            seen_remote.setdefault(name, fm.local)
            if remote is None or name.startswith("@"):
                continue
            rf = remote.get(name)
            if rf is None:
                problems.append(f"{where}: {mapping.system} has no property {name!r}")
            elif rf.read_only and fm.direction in ("both", "push"):
                problems.append(f"{where}: {mapping.system} property {name} is read-only; it can only be pulled")
    key_local = NATURAL_KEYS.get(obj.object_type)
    if key_local and obj.key:
        fm = obj.field(key_local)
        if fm is None or obj.key not in fm.remote_names():
            problems.append(f"{obj.object_type}: the natural key {obj.key} must be the CRM property of {key_local}")
    if obj.object_type == "activity" and obj.enabled:
        kind = obj.field("type")
        if kind is None or kind.remote != KIND_KEY or kind.direction != "push":
            problems.append(f"activity.type must be pushed to {KIND_KEY} (which CRM object an activity becomes)")
    return problems


def _check_picklists(mapping: SyncMapping, taxonomy: Taxonomy | None,
                     remote: Mapping[str, Mapping[str, RemoteField]] | None) -> list[str]:
    problems: list[str] = []
    for name, table in mapping.picklists.items():
        if name not in PICKLISTS:
            problems.append(f"picklist {name!r} is unknown (known: {', '.join(PICKLISTS)})")
            continue
        allowed = _allowed_keys(name, taxonomy)
        for key, value in table.to_remote.items():
            if allowed is not None and key not in allowed:
                problems.append(f"picklist {name}: {key!r} is not one of our {name.replace('_', ' ')} keys")
            if not isinstance(value, str) or not value.strip():
                problems.append(f"picklist {name}: {key!r} needs a CRM value")
        for value, key in table.to_local.items():
            if not str(value).strip():
                problems.append(f"picklist {name}: an empty CRM value cannot be translated")
            if allowed is not None and key not in allowed:
                problems.append(f"picklist {name}: CRM value {value!r} translates to unknown key {key!r}")
        if name == "owner":
            bad = [k for k in (*table.to_remote, *table.to_local.values()) if not str(k).isdigit()]
            problems += [f"picklist owner: {k!r} is not a user id" for k in bad]
        if table.fallback_local is not None and allowed is not None and table.fallback_local not in allowed:
            problems.append(f"picklist {name}: fallback {table.fallback_local!r} is not one of our keys")
    if remote is not None:  # CRM picklist values must exist in the CRM's options
        for obj in mapping.objects.values():
            for fm in obj.fields:
                lf = LOCAL_FIELDS[obj.object_type].get(fm.local)
                table = mapping.picklists.get(lf.picklist) if lf and lf.picklist else None
                if table is None or not fm.pushes or not isinstance(fm.remote, str):
                    continue
                rf = remote.get(obj.object_type, {}).get(fm.remote.partition(":")[0])
                if rf is None or not rf.options:
                    continue
                for key, value in table.to_remote.items():
                    if value not in rf.options:
                        problems.append(f"picklist {lf.picklist}: {key} → {value!r} is not an option of "
                                        f"{mapping.system} {rf.name}")
    return problems


def validate_mapping(mapping: SyncMapping, taxonomy: Taxonomy | None = None,
                     remote_fields: Mapping[str, Iterable[RemoteField]] | None = None) -> list[str]:
    """Every problem of ``mapping``, one line each ([] when valid). With ``taxonomy`` picklist keys are checked
    against the workspace's vocabularies; with ``remote_fields`` (``Connector.fields`` per object type) CRM
    property names, read-only properties and picklist options are checked too."""
    problems: list[str] = []
    if mapping.system not in DEFAULTS:
        problems.append(f"unknown CRM {mapping.system!r}")
    if mapping.remote_deletes not in REMOTE_DELETE_POLICIES:
        problems.append(f"remote deletes: {mapping.remote_deletes!r} is not one of {', '.join(REMOTE_DELETE_POLICIES)}")
    if mapping.local_deletes not in LOCAL_DELETE_POLICIES:
        problems.append(f"local deletes: {mapping.local_deletes!r} is not one of {', '.join(LOCAL_DELETE_POLICIES)}")
    remote = ({k: {f.name: f for f in v} for k, v in remote_fields.items()} if remote_fields is not None else None)
    for name, obj in mapping.objects.items():
        if name not in LOCAL_FIELDS or obj.object_type != name:
            problems.append(f"object {name!r} is not one of {', '.join(LOCAL_FIELDS)}")
            continue
        problems += _check_object(mapping, obj, remote.get(name) if remote is not None else None)
    problems += _check_picklists(mapping, taxonomy, remote)
    return problems


# ---- storage and editing ------------------------------------------------------------------------------------

def load_mapping(session: Session, system: str) -> SyncMapping:
    """The workspace's mapping for ``system`` (the defaults until one is saved)."""
    row = session.get(WorkspaceSetting, SETTING.format(system=system))
    if row is None or not row.value:
        return default_mapping(system)
    return mapping_from_json(row.value)


def save_mapping(session: Session, mapping: SyncMapping, *, remote_fields: Mapping[str, Iterable[RemoteField]]
                 | None = None) -> SyncMapping:
    """Validate (against the workspace taxonomy, and the CRM's fields when given) and store; raises
    :class:`MappingError` with every problem, storing nothing."""
    problems = validate_mapping(mapping, Taxonomy.load(session), remote_fields)
    if problems:
        raise MappingError(problems)
    key = SETTING.format(system=mapping.system)
    row = session.get(WorkspaceSetting, key)
    if row is None:
        session.add(WorkspaceSetting(key=key, value=mapping.as_json()))
    else:
        row.value = mapping.as_json()
    session.flush()
    return mapping


def reset_mapping(session: Session, system: str) -> SyncMapping:
    """Back to the defaults."""
    row = session.get(WorkspaceSetting, SETTING.format(system=system))
    if row is not None:
        session.delete(row)
        session.flush()
    return default_mapping(system)


def set_field(session: Session, system: str, object_type: str, local: str, *, remote: str | dict[str, str] | None
              = None, direction: str | None = None, rule: str | None = None) -> SyncMapping:
    """Change one field's CRM property, direction or rule (``rule="dont_sync"`` switches the field off); adds
    the field when the mapping has none for it yet."""
    mapping = load_mapping(session, system)
    obj = mapping.objects.get(object_type)
    if obj is None:
        raise MappingError([f"object {object_type!r} is not one of {', '.join(mapping.objects)}"])
    current = obj.field(local) or FieldMap(local, "", "none", "dont_sync")
    if rule == "dont_sync":
        direction = "none"
    elif direction is not None and direction != "none" and current.rule == "dont_sync" and rule is None:
        rule = "latest_wins"
    elif direction == "none" and rule is None:
        rule = "dont_sync"
    new = replace(current, remote=current.remote if remote is None else remote,
                  direction=current.direction if direction is None else direction,
                  rule=current.rule if rule is None else rule)
    fields = tuple(new if f.local == local else f for f in obj.fields)
    if obj.field(local) is None:
        fields += (new,)
    objects = {**mapping.objects, object_type: replace(obj, fields=fields)}
    return save_mapping(session, replace(mapping, objects=objects))


def set_picklist_value(session: Session, system: str, picklist: str, local_key: str | None,
                       remote_value: str | None, *, direction: str = "both") -> SyncMapping:
    """Translate ``local_key`` ↔ ``remote_value``. ``direction`` ``push`` changes only what the key is sent as,
    ``pull`` only what the CRM value comes back as. A None ``remote_value`` removes the key's translation; a
    None ``local_key`` removes the CRM value's."""
    mapping = load_mapping(session, system)
    table = mapping.picklists.get(picklist, Picklist({}, {}))
    to_remote, to_local = dict(table.to_remote), dict(table.to_local)
    if local_key is None and remote_value is not None:
        to_local.pop(remote_value, None)
    elif remote_value is None and local_key is not None:
        to_remote.pop(local_key, None)
    elif local_key is not None and remote_value is not None:
        if direction in ("both", "push"):
            to_remote[local_key] = remote_value
        if direction in ("both", "pull"):
            to_local[remote_value] = local_key
    picklists = {**mapping.picklists, picklist: replace(table, to_remote=to_remote, to_local=to_local)}
    return save_mapping(session, replace(mapping, picklists=picklists))


def set_picklist_fallback(session: Session, system: str, picklist: str, *, local: str | None = None,
                          remote: str | None = None) -> SyncMapping:
    """What unknown values become: ``local`` for unknown CRM values, ``remote`` for unmapped local keys
    (None: skip the field and say so in the journal)."""
    mapping = load_mapping(session, system)
    table = mapping.picklists.get(picklist, Picklist({}, {}))
    picklists = {**mapping.picklists, picklist: replace(table, fallback_local=local, fallback_remote=remote)}
    return save_mapping(session, replace(mapping, picklists=picklists))


def set_delete_policies(session: Session, system: str, *, remote: str | None = None,
                        local: str | None = None) -> SyncMapping:
    """``remote``: a record archived in the CRM is kept (unlinked), deleted or marked locally; ``local``: a
    record deleted here is archived in the CRM or only unlinked."""
    mapping = load_mapping(session, system)
    new = replace(mapping, remote_deletes=remote or mapping.remote_deletes,
                  local_deletes=local or mapping.local_deletes)
    return save_mapping(session, new)


def set_object_enabled(session: Session, system: str, object_type: str, enabled: bool) -> SyncMapping:
    mapping = load_mapping(session, system)
    obj = mapping.objects.get(object_type)
    if obj is None:
        raise MappingError([f"object {object_type!r} is not one of {', '.join(mapping.objects)}"])
    return save_mapping(session, replace(mapping, objects={**mapping.objects,
                                                           object_type: replace(obj, enabled=enabled)}))
