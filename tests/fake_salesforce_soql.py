"""The fake Salesforce's SOQL: a real tokenizer and parser for the subset the connector needs (SELECT fields
FROM object [WHERE …AND/OR/NOT, =, !=, <, >, IN, NOT IN, LIKE…] [ORDER BY …] [LIMIT n]), string literals with
SOQL escapes, and evaluating a WHERE clause against a stored record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fake_salesforce_schema import (
    NUMBER_TYPES,
    SCHEMA,
    TEXT_TYPES,
    F,
    fields_of,
    is_valid_id,
    parse_sf_datetime,
)


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_KEYWORDS = {"select", "from", "where", "and", "or", "not", "in", "like", "order", "by", "asc", "desc",
             "limit", "null", "true", "false", "nulls", "first", "last"}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
  | (?P<quote>')
""", re.X)
_ESCAPES = {"n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t", "b": "\b", "B": "\b", "f": "\f",
            "F": "\f", '"': '"', "'": "'", "\\": "\\"}


class Literal(str):
    """A string literal's value, with the regex it stands for as a LIKE pattern (``%``/``_`` wildcards,
    ``\\%``/``\\_`` literal) and whether it used those LIKE-only escapes."""

    like_rx: str
    like_escapes: bool


def tokenize(soql: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(soql):
        m = _TOKEN.match(soql, pos)
        if not m:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{soql[pos:pos + 20]}'")
        kind = m.lastgroup
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "quote":
            buf: list[str] = []
            rx: list[str] = []
            like_escapes = False
            while True:
                if pos >= len(soql):
                    raise SoqlError("MALFORMED_QUERY", "unterminated string literal")
                c = soql[pos]
                if c == "'":
                    pos += 1
                    break
                if c == "\\":
                    nxt = soql[pos + 1:pos + 2]
                    if nxt in _ESCAPES:
                        ch, pos = _ESCAPES[nxt], pos + 2
                    elif nxt in ("%", "_"):
                        ch, pos, like_escapes = nxt, pos + 2, True
                    elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", soql[pos + 2:pos + 6]):
                        ch, pos = chr(int(soql[pos + 2:pos + 6], 16)), pos + 6
                    else:
                        raise SoqlError("MALFORMED_QUERY", "Invalid string literal: illegal escape sequence")
                    buf.append(ch)
                    rx.append(re.escape(ch))
                else:
                    buf.append(c)
                    rx.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
                    pos += 1
            lit = Literal("".join(buf))
            lit.like_rx, lit.like_escapes = "".join(rx), like_escapes
            out.append(("string", lit))
        elif kind == "ident" and m.group().lower() in _KEYWORDS:
            out.append(("kw", m.group().lower()))
        elif kind == "datetime":
            out.append(("datetime", parse_sf_datetime(m.group())))
        elif kind == "date":
            out.append(("date", dt.date.fromisoformat(m.group())))
        elif kind == "number":
            out.append(("number", float(m.group())))
        else:
            out.append((kind or "", m.group()))
    return out


@dataclass
class Query:
    sobject: str
    fields: list[F]
    where: Any = None
    order: list[tuple[F, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


class _Parser:
    def __init__(self, soql: str) -> None:
        self.toks = tokenize(soql)
        self.i = 0
        self.schema: dict[str, F] = {}
        self.sobject = ""

    def peek(self) -> tuple[str, Any] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str, value: Any = None) -> Any:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            got = "end of query" if tok is None else repr(tok[1])
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {got}")
        self.i += 1
        return tok[1]

    def at(self, kind: str, value: Any = None) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == kind and (value is None or tok[1] == value)

    def field(self, name: str) -> F:
        f = self.schema.get(name.lower())
        if f is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity '{self.sobject}'.")
        return f

    def parse(self) -> Query:
        self.take("kw", "select")
        names = [self.take("ident")]
        while self.at("op", ","):
            self.take("op", ",")
            names.append(self.take("ident"))
        self.take("kw", "from")
        obj = self.take("ident")
        sobject = next((s for s in SCHEMA if s.lower() == obj.lower()), None)
        if sobject is None:
            raise SoqlError("INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        self.sobject, self.schema = sobject, fields_of(sobject)
        q = Query(sobject, [self.field(n) for n in names])
        if self.at("kw", "where"):
            self.take("kw", "where")
            q.where = self.expr()
        if self.at("kw", "order"):
            self.take("kw", "order")
            self.take("kw", "by")
            while True:
                f = self.field(self.take("ident"))
                desc = False
                if self.at("kw", "asc") or self.at("kw", "desc"):
                    desc = self.take("kw") == "desc"
                q.order.append((f, desc))
                if not self.at("op", ","):
                    break
                self.take("op", ",")
        if self.at("kw", "limit"):
            self.take("kw", "limit")
            q.limit = int(self.take("number"))
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {self.peek()[1]!r}")  # type: ignore[index]
        return q

    def expr(self) -> Any:
        node = self.term()
        while self.at("kw", "or"):
            self.take("kw", "or")
            node = ("or", node, self.term())
        return node

    def term(self) -> Any:
        node = self.factor()
        while self.at("kw", "and"):
            self.take("kw", "and")
            node = ("and", node, self.factor())
        return node

    def factor(self) -> Any:
        if self.at("kw", "not"):
            self.take("kw", "not")
            return ("not", self.factor())
        if self.at("op", "("):
            self.take("op", "(")
            node = self.expr()
            self.take("op", ")")
            return node
        f = self.field(self.take("ident"))
        negate = False
        if self.at("kw", "not"):
            self.take("kw", "not")
            negate = True
        if self.at("kw", "in"):
            self.take("kw", "in")
            self.take("op", "(")
            values = [self.value(f)]
            while self.at("op", ","):
                self.take("op", ",")
                values.append(self.value(f))
            self.take("op", ")")
            node = ("in", f, values)
            return ("not", node) if negate else node
        if negate:
            raise SoqlError("MALFORMED_QUERY", "unexpected token: NOT")
        if self.at("kw", "like"):
            self.take("kw", "like")
            if f.type not in TEXT_TYPES:
                raise SoqlError("INVALID_FIELD", f"invalid operator on field '{f.name}'")
            return ("like", f, self.take("string"))
        op = self.take("op")
        if op not in ("=", "!=", "<>", "<", "<=", ">", ">="):
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {op!r}")
        return ("cmp", op, f, self.value(f))

    def value(self, f: F) -> Any:
        tok = self.peek()
        if tok is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        kind, val = tok
        self.i += 1
        if kind == "kw" and val in ("null", "true", "false"):
            return None if val == "null" else val == "true"
        expected = {"datetime": ("datetime", "of type dateTime and should not be enclosed in quotes"),
                    "date": ("date", "of type date and should not be enclosed in quotes")}.get(f.type)
        if expected is None:
            expected = ("number", "a number") if f.type in NUMBER_TYPES else \
                ("string", "of type string and should be enclosed in quotes")
        if kind != expected[0]:
            raise SoqlError("INVALID_FIELD",
                            f"value of filter criterion for field '{f.name}' must be {expected[1]}")
        if kind != "string":
            return val
        if getattr(val, "like_escapes", False):
            raise SoqlError("MALFORMED_QUERY", "Invalid string literal: \\% and \\_ are only allowed in LIKE")
        if f.type in ("id", "reference") and val and not is_valid_id(val):
            raise SoqlError("INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {val}")
        return val


def parse_soql(soql: str) -> Query:
    return _Parser(soql).parse()


def _norm(f: F, value: Any) -> Any:
    if value is None:
        return None
    if f.type in ("id", "reference") and isinstance(value, str):
        return value[:15]  # 15- and 18-character ids name the same record
    if f.type in TEXT_TYPES and isinstance(value, str):
        return value.lower()
    if f.type == "datetime" and isinstance(value, str):
        return parse_sf_datetime(value)
    if f.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if f.type in NUMBER_TYPES:
        return float(value)
    return value


def like(pattern: Literal, value: str) -> bool:
    return re.fullmatch(pattern.like_rx, value, re.S | re.I) is not None


def evaluate(node: Any, rec: dict[str, Any]) -> bool:
    kind = node[0]
    if kind == "and":
        return evaluate(node[1], rec) and evaluate(node[2], rec)
    if kind == "or":
        return evaluate(node[1], rec) or evaluate(node[2], rec)
    if kind == "not":
        return not evaluate(node[1], rec)
    if kind == "in":
        f = node[1]
        v = _norm(f, rec.get(f.name))
        return v is not None and v in {_norm(f, x) for x in node[2]}
    if kind == "like":
        v = rec.get(node[1].name)
        return v is not None and like(node[2], str(v))
    _, op, f, lit = node
    a, b = _norm(f, rec.get(f.name)), _norm(f, lit)
    if op == "=":
        return a == b
    if op in ("!=", "<>"):
        return a != b
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def sort_key(f: F, rec: dict[str, Any]) -> tuple[int, Any]:
    v = _norm(f, rec.get(f.name))
    return (1, "") if v is None else (0, v)  # nulls last

