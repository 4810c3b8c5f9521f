"""The Jinja2 sandbox that message templates render in: no Python internals, no runaway work.

- :class:`SandboxedEnvironment` with private (``_``-prefixed) attributes refused outright — an escape attempt
  such as ``{{ ''.__class__.__mro__ }}`` fails with :class:`TemplateError`, it never prints as blank.
- Missing values follow ``StrictUndefined``: they never print silently. While a render is being recorded
  (:func:`recording`), each one is noted by its dotted path (``contact.first_name``) and shows as a visible
  ``{{ contact.first_name }}`` placeholder, so a preview can flag every unfilled field at once; ``| default(...)``
  supplies a fallback as usual. ``{% if x %}`` on a missing value is a deliberate guard and is simply false.
- Bounded work: a template source over 1 MB or with over 5,000 tags is refused, output over 2 MB is refused, a render that runs over
  one second stops (a trace on the template's own frames checks the clock at every line), and operations that
  would allocate huge strings in one step (``'x' * 10**9``, ``'%999999999d' % 1``, ``'x'.center(10**9)``,
  ``| indent(10**9)``) are refused before they run.
"""

from __future__ import annotations

import contextvars
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

MAX_SOURCE_CHARS = 1_000_000
MAX_TAGS = 5_000  # {{ }} and {% %} tags: compiling costs ~40 µs each, so 5,000 stay well under the time limit
_TAG = re.compile(r"\{\{|\{%")
MAX_OUTPUT_CHARS = 2_000_000
MAX_NUMBER_ARG = 100_000  # larger integers never reach a method or filter (padding and repeat bombs)
TIME_LIMIT_S = 1.0
_WIDE_FORMAT = re.compile(r"\d{6,}")
_TEMPLATE_FILE = "<template>"


class TemplateError(ValueError):
    """A template that cannot be compiled or rendered; the message is one line, with line and column when known."""


class Fields(Mapping[str, Any]):
    """A record of merge fields (``account``, ``contact`` …) that knows its own name, so that a missing field
    is reported as ``contact.first_name`` rather than ``first_name``. Values that are None are left out, which
    makes them undefined — and ``| default(...)`` then applies."""

    __slots__ = ("_data", "_path", "_display")

    def __init__(self, path: str, data: Mapping[str, Any], display: str = "") -> None:
        self._path = path
        self._data = {k: v for k, v in data.items() if v is not None and v != ""}
        self._display = display

    @property
    def path(self) -> str:
        return self._path

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __str__(self) -> str:
        return self._display

    def __repr__(self) -> str:
        return f"Fields({self._path!r}, {self._data!r})"


_RECORD: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("missing_fields", default=None)


class MissingField(StrictUndefined):
    """StrictUndefined that, inside :func:`recording`, notes the missing path and prints a placeholder."""

    __slots__ = ()

    def _path(self) -> str:
        return str(self._undefined_name) if self._undefined_name is not None else "value"

    def _note(self) -> bool:
        rec = _RECORD.get()
        if rec is None:
            return False
        if self._path() not in rec:
            rec.append(self._path())
        return True

    def __str__(self) -> str:
        if not self._note():
            self._fail_with_undefined_error()
        return "{{ " + self._path() + " }}"

    def __iter__(self) -> Iterator[Any]:
        if not self._note():
            self._fail_with_undefined_error()
        return iter(())

    def __len__(self) -> int:
        if not self._note():
            self._fail_with_undefined_error()
        return 0

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Undefined)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(type(self))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return MissingField(name=f"{self._path()}.{name}")


@contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the paths of the missing fields printed while the block runs."""
    missing: list[str] = []
    token = _RECORD.set(missing)
    try:
        yield missing
    finally:
        _RECORD.reset(token)


def _refuse_big_numbers(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER_ARG:
            raise SecurityError(f"the number {value} is too large for a template")


def _guard_filter(fn: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _refuse_big_numbers(args, kwargs)
        return fn(*args, **kwargs)

    for attr in ("jinja_pass_arg",):
        if hasattr(fn, attr):
            setattr(guarded, attr, getattr(fn, attr))
    return guarded


class MessageSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=MissingField, autoescape=False, keep_trailing_newline=True)
        self.globals = {"range": self.globals["range"]}  # no lipsum, cycler, joiner, namespace, dict
        self.filters = {name: _guard_filter(fn) for name, fn in self.filters.items()}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to {attribute!r} is not allowed in templates")

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, str) and attribute in ("format", "format_map") and _WIDE_FORMAT.search(obj):
            raise SecurityError("the format width is too large for a template")
        value = super().getattr(obj, attribute)
        if isinstance(value, Undefined) and isinstance(obj, Fields):
            return self.undefined(name=f"{obj.path}.{attribute}")
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(value, Undefined) and isinstance(obj, Fields):
            return self.undefined(name=f"{obj.path}.{argument}")
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("the exponent is too large for a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT_CHARS:
                    raise SecurityError("the repeated text would be too large")
        if operator == "%" and isinstance(left, str):
            if _WIDE_FORMAT.search(left):
                raise SecurityError("the format width is too large for a template")
            _refuse_big_numbers(right if isinstance(right, tuple) else (right,), {})
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        _refuse_big_numbers(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


ENV = MessageSandbox()


def _column(source: str, lineno: int | None) -> int:
    """A best guess at the column of a syntax error on the reported line: the first tag that opens there and
    is not closed before the next one opens, else the first tag on the line (Jinja reports lines only)."""
    lines = source.splitlines() or [""]
    line = lines[min(max((lineno or 1) - 1, 0), len(lines) - 1)]
    opens = [(m.start(), m.group()) for m in re.finditer(r"\{\{|\{%|\{#", line)]
    closer = {"{{": "}}", "{%": "%}", "{#": "#}"}
    for i, (pos, tag) in enumerate(opens):
        end = opens[i + 1][0] if i + 1 < len(opens) else len(line)
        if closer[tag] not in line[pos + 2:end]:
            return pos + 1
    return (opens[0][0] if opens else 0) + 1


def compile_template(source: str, what: str = "template") -> Any:
    """Compile ``source`` in the sandbox, or raise :class:`TemplateError` naming line and column."""
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateError(f"{what} is {len(source):,} characters; the limit is {MAX_SOURCE_CHARS:,}")
    tags = len(_TAG.findall(source))
    if tags > MAX_TAGS:
        raise TemplateError(f"{what} has {tags:,} merge fields and tags; the limit is {MAX_TAGS:,}")
    try:
        return ENV.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{what}: syntax error at line {exc.lineno}, column {_column(source, exc.lineno)}: "
                            f"{exc.message}") from None
    except (JinjaTemplateError, RecursionError, MemoryError) as exc:
        raise TemplateError(f"{what}: cannot be compiled: {exc}") from None


def referenced_names(source: str) -> set[str]:
    """The top-level variable names a template uses (``account``, ``contact`` …); empty if it does not parse."""
    try:
        ast = ENV.parse(source)
    except (JinjaTemplateError, RecursionError):
        return set()
    names = list(ast.find_all(nodes.Name))
    return {n.name for n in names if n.ctx == "load"} - {n.name for n in names if n.ctx in ("store", "param")}


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.perf_counter() + seconds

    def tracer(self, frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != _TEMPLATE_FILE:
            return None
        return self.local

    def local(self, frame: Any, event: str, arg: Any) -> Any:
        if time.perf_counter() > self.at:
            raise TimeoutError
        return self.local


def render_source(source: str, context: Mapping[str, Any], what: str = "template",
                  time_limit: float = TIME_LIMIT_S) -> str:
    """Render in the sandbox with the limits above. Missing fields are recorded by an enclosing
    :func:`recording` block (outside one they raise, as StrictUndefined does)."""
    template = compile_template(source, what)
    deadline = _Deadline(time_limit)
    previous = sys.gettrace()
    sys.settrace(deadline.tracer)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(dict(context)):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateError(f"{what}: output is over {MAX_OUTPUT_CHARS:,} characters")
            parts.append(chunk)
    except TimeoutError:
        raise TemplateError(f"{what}: rendering took longer than {time_limit:g} s and was stopped") from None
    except SecurityError as exc:
        raise TemplateError(f"{what}: not allowed: {exc}") from None
    except JinjaTemplateError as exc:  # UndefinedError outside a recording, filter errors …
        raise TemplateError(f"{what}: {exc.message or exc}") from None
    except (TypeError, ValueError, ArithmeticError, OverflowError, LookupError, RecursionError) as exc:
        if isinstance(exc, TemplateError):
            raise
        raise TemplateError(f"{what}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.settrace(previous)
    return "".join(parts)
