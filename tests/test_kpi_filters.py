"""Periods as people type them, the previous period to compare with, names resolved against the workspace,
and the `bdr-desk kpi` command's errors and text output."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accounts.models import Account, Contact, TargetList
from bdr_desk.cli import main
from bdr_desk.kpi import KpiFilter, KpiFilterError, filter_options, parse_period, resolve_filter
from bdr_desk.users import User

TODAY = dt.date(2026, 11, 18)
D = dt.date


@pytest.mark.parametrize("text, kind, start, end, key", [
    ("2026-Q4", "quarter", D(2026, 10, 1), D(2026, 12, 31), "2026-Q4"),
    ("2026q1", "quarter", D(2026, 1, 1), D(2026, 3, 31), "2026-Q1"),
    ("Q2 2025", "quarter", D(2025, 4, 1), D(2025, 6, 30), "2025-Q2"),
    ("2026-11", "month", D(2026, 11, 1), D(2026, 11, 30), "2026-11"),
    ("2024-2", "month", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
    ("2025", "year", D(2025, 1, 1), D(2025, 12, 31), "2025"),
    (None, "days", D(2026, 8, 21), TODAY, "last-90-days"),
    ("last 30 days", "days", D(2026, 10, 20), TODAY, "last-30-days"),
    ("7d", "days", D(2026, 11, 12), TODAY, "last-7-days"),
    ("this-quarter", "quarter", D(2026, 10, 1), D(2026, 12, 31), "2026-Q4"),
    ("last_quarter", "quarter", D(2026, 7, 1), D(2026, 9, 30), "2026-Q3"),
    ("this-month", "month", D(2026, 11, 1), D(2026, 11, 30), "2026-11"),
    ("last-month", "month", D(2026, 10, 1), D(2026, 10, 31), "2026-10"),
    ("ytd", "year", D(2026, 1, 1), D(2026, 12, 31), "2026"),
    ("All", "all", None, None, "all"),
    ("2026-10-01..2026-12-31", "range", D(2026, 10, 1), D(2026, 12, 31), "2026-10-01..2026-12-31"),
])
def test_parse_period(text, kind, start, end, key):
    p = parse_period(text, TODAY)
    assert (p.kind, p.start, p.end, p.key) == (kind, start, end, key)
    assert parse_period(p.key, TODAY) == p  # the key reads back


@pytest.mark.parametrize("text, message", [
    ("2026-Q5", "quarters run from Q1 to Q4"), ("2026-13", "months run from 01 to 12"),
    ("soon", "unknown period 'soon'"), ("2026-12-31..2026-01-01", "ends"), ("last 0 days", "from 1 to"),
    ("2026-02-30..2026-03-01", "not a date"), ("90", "unknown period"),
])
def test_bad_periods(text, message):
    with pytest.raises(KpiFilterError, match=message):
        parse_period(text, TODAY)


@pytest.mark.parametrize("text, previous", [
    ("2026-Q3", (D(2026, 4, 1), D(2026, 6, 30))),
    ("2026-Q4", (D(2026, 7, 1), D(2026, 8, 18))),  # running: as many days of Q3 as have passed of Q4
    ("2026-01", (D(2025, 12, 1), D(2025, 12, 31))),
    ("2026-11", (D(2026, 10, 1), D(2026, 10, 18))),
    ("2025", (D(2024, 1, 1), D(2024, 12, 31))),
    ("last-30-days", (D(2026, 9, 20), D(2026, 10, 19))),
    ("2026-03-01..2026-03-10", (D(2026, 2, 19), D(2026, 2, 28))),
])
def test_previous_period(text, previous):
    prev = KpiFilter.of(text, TODAY).previous
    assert (prev.start, prev.end) == previous
    assert KpiFilter.of("all", TODAY).previous is None


def seed_names(s) -> None:
    s.add_all([User(name="Maya Okafor", email="maya@x.test", role="bdr"),
               User(name="Maya Lindqvist", email="ml@x.test", role="bdr"),
               User(name="Theo Park", email="theo@x.test", role="bdr"),
               TargetList(name="Q1 Fintech Tier 1", kind="static")])
    s.flush()
    acc = Account(name="A", segment="smb")
    s.add(acc)
    s.flush()
    s.add_all([Contact(account_id=acc.id, lead_source="Webinar"), Contact(account_id=acc.id, lead_source=None)])
    s.flush()


def test_resolve_names(workspace):
    with workspace.session() as s:
        seed_names(s)
        theo = resolve_filter(s, owner="theo", today=TODAY)
        assert theo.owner_id is not None and theo.period.key == "last-90-days"
        assert resolve_filter(s, owner="MAYA@x.test", today=TODAY).owner_id is not None
        assert resolve_filter(s, owner="maya okafor", today=TODAY).owner_id != theo.owner_id
        f = resolve_filter(s, list_name="q1 fintech tier 1", segment="Mid-market", source=" WEBINAR ", today=TODAY,
                           start="2026-10-01", end="2026-10-31")
        assert (f.segment, f.source, f.period.key) == ("mid_market", "webinar", "2026-10-01..2026-10-31")
        assert f.list_id is not None and f.account_scoped
        assert resolve_filter(s, source="unknown", today=TODAY).source == "unknown"
        opts = filter_options(s)
        assert [c.label for c in opts.owners] == ["Maya Lindqvist", "Maya Okafor", "Theo Park"]
        assert [c.key for c in opts.sources] == ["webinar", "unknown"]  # unknown last
        assert [c.key for c in opts.segments] == ["smb", "mid_market", "enterprise"]
        for kwargs, message in [
            ({"owner": "maya"}, "matches more than one: Maya Lindqvist, Maya Okafor"),
            ({"owner": "nobody"}, "unknown owner 'nobody'; users: Maya Lindqvist"),
            ({"list_name": "Q9"}, "unknown list 'Q9'; target lists: Q1 Fintech Tier 1"),
            ({"segment": "giant"}, "unknown segment 'giant'"),
            ({"source": "tiktok"}, "unknown lead source 'tiktok'; sources in this workspace: webinar, unknown"),
            ({"period": "2026-Q4", "start": "2026-01-01"}, "either a period or --from/--to"),
            ({"end": "2026-01-01"}, "--to needs --from"),
            ({"no_touch_days": 0}, "no touch in 0 days"),
        ]:
            with pytest.raises(KpiFilterError, match=message):
                resolve_filter(s, today=TODAY, **kwargs)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_errors_are_one_line(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    with sqlite_workspace.session() as s:
        seed_names(s)
    for args, text in [(["--period", "2026-Q5"], "quarters run from Q1 to Q4"),
                       (["--owner", "Nobody"], "unknown owner 'Nobody'"),
                       (["--list", "No such list"], "unknown list 'No such list'"),
                       (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
                       (["--drill", "nope"], "unknown metric 'nope'"),
                       (["--drill", "funnel"], "funnel needs a key"),
                       (["--drill", "funnel", "--key", "won"], "unknown funnel stage 'won'")]:
        code, out, err = run(capsys, "--db", db, "kpi", *args)
        assert code == 1 and out == "", args
        assert err.startswith("bdr-desk: error: ") and text in err and err.count("\n") == 1, err
    with pytest.raises(SystemExit) as exc:  # usage errors: argparse, exit 2
        main(["--db", db, "kpi", "--period"])
    assert exc.value.code == 2 and "expected one argument" in capsys.readouterr().err


def test_cli_text_and_drill(capsys, sqlite_workspace):
    db = sqlite_workspace.url
    code, out, _ = run(capsys, "--db", db, "kpi")
    assert code == 0 and "no accounts yet" in out
    assert run(capsys, "--db", db, "demo")[0] == 0
    code, out, _ = run(capsys, "--db", db, "kpi", "--period", "this-quarter")
    assert code == 0
    for text in ("Target accounts", "Key contact identification", "Win rate", "Funnel", "leaks most at",
                 "By lead source", "Activity vs outcome per BDR", "Content influence"):
        assert text in out
    data = json.loads(run(capsys, "--db", db, "kpi", "--json", "--period", "all")[1])
    sql = next(row["count"] for row in data["funnel"] if row["stage"] == "sql")
    code, out, _ = run(capsys, "--db", db, "kpi", "--drill", "funnel", "--key", "sql", "--period", "all", "--json")
    d = json.loads(out)
    assert code == 0 and d["kind"] == "contacts" and d["total"] == sql
    assert {"id", "name", "account_id", "account", "stage", "source"} <= set(d["rows"][0])
    user = data["by_bdr"][0]
    code, out, _ = run(capsys, "--db", db, "kpi", "--drill", "bdr_touches", "--key", str(user["user_id"]),
                       "--period", "all", "--limit", "3")
    assert code == 0 and out.startswith(f"Touches · {user['name']}: {user['touches']} activities (first 3)")
    assert len(out.strip().splitlines()) == 4
