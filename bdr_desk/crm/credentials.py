"""CRM credentials: environment variables first, then the OS keyring — never the database, a settings
file or a log.

``get_token("hubspot")`` reads ``BDR_DESK_HUBSPOT_TOKEN``, else the keyring entry ``bdr-desk`` /
``hubspot:token``. Salesforce keys follow the same rule (``get_token("salesforce", "client_secret")`` reads
``BDR_DESK_SALESFORCE_CLIENT_SECRET`` or ``salesforce:client_secret``).

The keyring is guarded: a missing or failing backend (no D-Bus session on a headless machine, a locked
keychain) counts as "no token", and a backend that blocks (an unlock prompt nobody answers) is abandoned
after a few seconds. Values are never logged; :class:`Secret` keeps them out of ``repr``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

from bdr_desk.crm.connector import ConnectorError

log = logging.getLogger(__name__)

SERVICE = "bdr-desk"
KEYRING_TIMEOUT = 5.0  # seconds before a blocking keyring backend is given up on
LABELS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}


class Secret:
    """A credential value that never shows in ``repr``/``str``; ``reveal()`` when building a header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


def env_var(system: str, key: str = "token") -> str:
    return f"BDR_DESK_{system.upper()}_{key.upper()}"


def keyring_username(system: str, key: str = "token") -> str:
    return f"{system}:{key}"


def _label(system: str) -> str:
    return LABELS.get(system, system)


class _KeyringUnavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _keyring_call(fn_name: str, *args: str) -> Any:
    """Call ``keyring.<fn_name>(*args)`` in a helper thread; any backend error or a hang becomes
    :class:`_KeyringUnavailable` with a one-line reason (never the secret)."""
    try:
        import keyring
        import keyring.errors
    except ImportError as exc:  # pragma: no cover - keyring is a dependency
        raise _KeyringUnavailable("the keyring package is not installed") from exc
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            box.put((True, getattr(keyring, fn_name)(*args)))
        except keyring.errors.KeyringError as exc:
            box.put((False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'keyring error'}"))
        except Exception as exc:  # noqa: BLE001 - third-party backends raise anything (D-Bus, OS errors)
            box.put((False, f"{type(exc).__name__} from the keyring backend"))

    timeout = KEYRING_TIMEOUT
    worker = threading.Thread(target=run, name="bdr-desk-keyring", daemon=True)
    worker.start()
    try:
        ok, value = box.get(timeout=timeout)
    except queue.Empty:
        raise _KeyringUnavailable(f"the OS keyring did not answer within {timeout:g} s") from None
    if not ok:
        raise _KeyringUnavailable(value)
    return value


def find_token(system: str, key: str = "token", *, environ: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """``(value, source)`` with source ``"environment"`` or ``"keyring"``; ``(None, reason)`` when absent."""
    env = os.environ if environ is None else environ
    value = (env.get(env_var(system, key)) or "").strip()
    if value:
        return value, "environment"
    try:
        stored = _keyring_call("get_password", SERVICE, keyring_username(system, key))
    except _KeyringUnavailable as exc:
        log.info("%s %s: keyring not usable (%s)", _label(system), key, exc.reason)
        return None, f"no usable OS keyring ({exc.reason})"
    if stored and str(stored).strip():
        return str(stored).strip(), "keyring"
    return None, "not in the environment or the OS keyring"


def get_token(system: str, key: str = "token", *, environ: Mapping[str, str] | None = None) -> str:
    """The credential, or ``ConnectorError("config")`` saying how to provide it."""
    value, reason = find_token(system, key, environ=environ)
    if value is None:
        what = "token" if key == "token" else key.replace("_", " ")
        raise ConnectorError("config", f"no {_label(system)} {what}: set {env_var(system, key)} or store one in "
                                       f"the OS keyring from the Sync page (Connect) — {reason}")
    return value


def set_token(system: str, key: str, value: str) -> None:
    """Store a credential in the OS keyring; ``ConnectorError("config")`` when no keyring can take it (the
    app then says to use the environment variable — it never falls back to a file)."""
    if not value or not value.strip():
        raise ConnectorError("config", f"an empty {_label(system)} {key} cannot be stored")
    try:
        _keyring_call("set_password", SERVICE, keyring_username(system, key), value.strip())
    except _KeyringUnavailable as exc:
        reason = exc.reason.replace(value.strip(), "***")
        raise ConnectorError("config", f"cannot store the {_label(system)} {key} in the OS keyring "
                                       f"({reason}); set {env_var(system, key)} instead") from None


def delete_token(system: str, key: str = "token") -> bool:
    """Remove a stored credential; False when there was none or no keyring is usable."""
    try:
        _keyring_call("delete_password", SERVICE, keyring_username(system, key))
    except _KeyringUnavailable as exc:
        log.info("%s %s: not deleted from the keyring (%s)", _label(system), key, exc.reason)
        return False
    return True


def header_fn(prefix: str, secret: Secret) -> Callable[[], dict[str, str]]:
    """An ``Authorization`` header builder for :class:`bdr_desk.crm.http.CrmHttp` that keeps the value in a
    closure (no attribute, no repr shows it)."""
    def build() -> dict[str, str]:
        return {"Authorization": f"{prefix} {secret.reveal()}"}
    return build
