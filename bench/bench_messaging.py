"""Messaging: template rendering in the sandbox and sequence scale.

- Rendering a typical outreach email (merge fields, fallbacks, an ``if``) and a 1 MB template through
  ``accounts.messaging.render_text`` (sandbox, missing-field recording, the one-second trace guard, the output
  cap) against plain ``jinja2.Environment().from_string(...).render`` of the same source — the baseline.
- A runaway template (nested loops): how long until the guard stops it.
- Enrolling 1,000 contacts at once (warnings checked, due dates on business days) against a raw INSERT of the
  same 1,000 enrolment rows; and the Today list (``due_steps``) over 20,000 active enrolments against the raw
  SQL SELECT of the same rows.

``python -m bench.bench_messaging``; from ``run_all``: ``summary += bench_messaging.report(bench_messaging.measure(root))``.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from bench._common import median, ms, ratio, table, temp_root

EMAIL = """Hi {{ contact.first_name | default("there") }},

Most finance teams at companies like {{ account.name }} spend the first week of every month matching files by hand.
{% if hypothesis.hypothesis %}{{ hypothesis.hypothesis }}{% endif %}
Teams in {{ account.industry_label | default("your industry") }} take two to four days out of close.
{{ content.title | default("") }} {{ content.url | default("") }}

Best,
{{ sender.name }}
"""
# a 1 MB template as people write them: prose with a merge field or two per paragraph
LINE = ("Our customers in regulated industries tell us that audit evidence takes weeks to assemble. " * 12
        + "Hello {{ account.name }}, about {{ contact.first_name | default('you') }} and {{ hypothesis.pain }}.\n")
TAG_HEAVY = "Hello {{ account.name }}. " * 6_000  # over MAX_TAGS: refused before compiling
RUNS = 200
N_ENROL = 1_000
N_TODAY = 20_000


def _context() -> dict:
    from accounts.template_sandbox import Fields

    return {"account": Fields("account", {"name": "Acme Robotics", "industry_label": "Fintech"}, "Acme Robotics"),
            "contact": Fields("contact", {"first_name": "Jane"}), "sender": Fields("sender", {"name": "Maya Okafor"}),
            "hypothesis": Fields("hypothesis", {"pain": "audit readiness", "hypothesis": "Evidence is manual."}),
            "content": Fields("content", {"title": "Case study", "url": "https://x.example/cs"})}


def _plain_context() -> dict:
    return {k: dict(v) for k, v in _context().items()}


def _time(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return median(samples)


def measure_rendering() -> dict:
    import jinja2

    from accounts.messaging import render_text
    from accounts.template_sandbox import MAX_SOURCE_CHARS, TemplateError, render_source

    plain = jinja2.Environment()
    ctx, pctx = _context(), _plain_context()
    big = LINE * (MAX_SOURCE_CHARS // len(LINE))
    out = {
        "email_ms": _time(lambda: render_text("Re: {{ account.name }}", EMAIL, ctx), RUNS),
        "email_plain_ms": _time(lambda: plain.from_string(EMAIL).render(pctx), RUNS),
        "big_ms": _time(lambda: render_text(None, big, ctx), 3),
        "big_plain_ms": _time(lambda: plain.from_string(big).render(pctx), 3),
        "big_chars": len(big),
    }
    t0 = time.perf_counter()
    try:
        render_source(TAG_HEAVY, ctx)
    except TemplateError:
        pass
    out["tag_heavy_ms"] = (time.perf_counter() - t0) * 1000
    out["tag_heavy_plain_ms"] = _time(lambda: plain.from_string(TAG_HEAVY).render(pctx), 3)
    t0 = time.perf_counter()
    try:
        render_source("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", {})
    except TemplateError:
        pass
    out["runaway_s"] = time.perf_counter() - t0
    return out


def measure_sequences(root: Path) -> dict:
    from sqlalchemy import insert, select, text

    from accounts.models import Account, Contact, Enrollment
    from accounts.sequences import StepDraft, due_at, due_steps, enroll, save_sequence
    from bdr_desk.db import open_workspace

    ws = open_workspace(f"sqlite:///{root / 'messaging.db'}")
    try:
        with ws.session() as s:
            s.execute(insert(Account), [{"id": i, "name": f"Account {i}", "domain": f"a{i}.example"}
                                        for i in range(1, 2001)])
            s.execute(insert(Contact), [{"account_id": 1 + i % 2000, "first_name": f"P{i}",
                                         "email": f"p{i}@a{1 + i % 2000}.example"} for i in range(N_TODAY + 2 * N_ENROL)])
            seq = save_sequence(s, "Bench", [StepDraft(0, "call", None, "Call"), StepDraft(2, "call", None, "Again")])
            other = save_sequence(s, "Raw", [StepDraft(0, "call", None, "Call")])
            seq_id, other_id = seq.id, other.id
        ids = list(range(1, N_ENROL + 1))
        with ws.session() as s:
            t0 = time.perf_counter()
            res = enroll(s, seq_id, ids, today=dt.date.today())
            enrol_s = time.perf_counter() - t0
        assert len(res.enrolled) == N_ENROL
        raw_rows = [{"sequence_id": other_id, "contact_id": c, "status": "active", "current_step": 1,
                     "next_due_at": due_at(dt.date.today())} for c in range(N_ENROL + 1, 2 * N_ENROL + 1)]
        with ws.session() as s:
            t0 = time.perf_counter()
            s.execute(insert(Enrollment), raw_rows)
            raw_enrol_s = time.perf_counter() - t0
        with ws.session() as s:  # fill up to N_TODAY active enrolments, all due today
            s.execute(insert(Enrollment), [{"sequence_id": seq_id, "contact_id": c, "status": "active",
                                            "current_step": 1, "next_due_at": due_at(dt.date.today())}
                                           for c in range(2 * N_ENROL + 1, N_TODAY + 1)])
        now = dt.datetime.now().astimezone()
        with ws.session() as s:
            t0 = time.perf_counter()
            rows = due_steps(s, now, limit=N_TODAY + N_ENROL * 2)
            today_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            raw = s.execute(text(
                "SELECT e.id, e.next_due_at, st.position, st.channel, c.first_name, c.last_name, a.name "
                "FROM enrollments e JOIN sequence_steps st ON st.sequence_id = e.sequence_id AND "
                "st.position = e.current_step JOIN contacts c ON c.id = e.contact_id JOIN accounts a ON "
                "a.id = c.account_id WHERE e.status = 'active' AND e.next_due_at < :end ORDER BY e.next_due_at"),
                {"end": (now + dt.timedelta(days=1)).astimezone(dt.UTC).isoformat(sep=" ")}).all()
            raw_today_s = time.perf_counter() - t0
            count = s.scalar(select(Enrollment.id).order_by(Enrollment.id.desc()).limit(1))
        return {"enrol_s": enrol_s, "raw_enrol_s": raw_enrol_s, "today_s": today_s, "raw_today_s": raw_today_s,
                "today_rows": len(rows), "raw_rows": len(raw), "enrolments": count}
    finally:
        ws.dispose()


def measure(root: Path) -> dict:
    return {**measure_rendering(), **measure_sequences(root)}


def report(r: dict) -> list[list[str]]:
    print("Messaging: sandboxed rendering vs plain Jinja2, enrolment and the Today list vs raw SQL")
    rows = [
        ["render a typical email (median of 200)", ms(r["email_ms"]), ms(r["email_plain_ms"]),
         ratio(r["email_ms"], r["email_plain_ms"])],
        [f"render a 1 MB template ({r['big_chars']:,} chars)", ms(r["big_ms"]), ms(r["big_plain_ms"]),
         ratio(r["big_ms"], r["big_plain_ms"])],
        ["refuse a template with 6,000 tags", ms(r["tag_heavy_ms"]), ms(r["tag_heavy_plain_ms"]) + " (renders)",
         ratio(r["tag_heavy_ms"], r["tag_heavy_plain_ms"])],
        ["runaway nested loop stopped after", f"{r['runaway_s']:.2f} s", "limit 1 s", ""],
        [f"enrol {N_ENROL:,} contacts", f"{r['enrol_s'] * 1000:,.0f} ms", f"{r['raw_enrol_s'] * 1000:,.0f} ms",
         ratio(r["enrol_s"], r["raw_enrol_s"])],
        [f"Today list over {r['today_rows']:,} due steps", f"{r['today_s'] * 1000:,.0f} ms",
         f"{r['raw_today_s'] * 1000:,.0f} ms", ratio(r["today_s"], r["raw_today_s"])],
    ]
    print(table(rows, ["case", "BDR Desk", "baseline", "ratio"]))
    print(f"  baselines: plain jinja2.Environment render; raw INSERT of the same rows; raw SELECT ({r['raw_rows']:,} rows)")
    return [["messaging: 1 MB template render", ms(r["big_ms"]), ms(r["big_plain_ms"]) + " plain Jinja2",
             ratio(r["big_ms"], r["big_plain_ms"])],
            [f"messaging: enrol {N_ENROL:,} contacts", f"{r['enrol_s'] * 1000:,.0f} ms",
             f"{r['raw_enrol_s'] * 1000:,.0f} ms raw INSERT", ratio(r["enrol_s"], r["raw_enrol_s"])],
            ["messaging: Today list, 20k due", f"{r['today_s'] * 1000:,.0f} ms",
             f"{r['raw_today_s'] * 1000:,.0f} ms raw SELECT", ratio(r["today_s"], r["raw_today_s"])]]


def main() -> int:
    from bench._common import use_env

    with temp_root() as root:
        use_env(root)
        report(measure(root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
