"""Importing 100,000 generated account rows (CSV → read → map → dedupe → insert, one transaction) against the
baseline the issue names: raw ``sqlite3.executemany`` of the same rows, already parsed, into a bare table.
Then the re-import of the same file (every row matched against the 100,000 existing accounts)."""

from __future__ import annotations

import csv
import random
import sqlite3
import time
from pathlib import Path

from bench._common import ratio, table, temp_root, use_env

N_ROWS = 100_000
SEED = 7
WORDS = ("North", "Blue", "Cedar", "Granite", "Harbor", "Iron", "Maple", "Summit", "Silver", "Orchard",
         "Falcon", "Beacon", "Atlas", "Crescent", "Juniper", "Pioneer", "Quartz", "Sterling", "Willow", "Vertex")
KINDS = ("Logistics", "Analytics", "Health", "Capital", "Foods", "Robotics", "Energy", "Software", "Textiles",
         "Insurance")
SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "Corporation", "plc", "")
INDUSTRIES = ("Software", "Financial Services", "Health Care", "Manufacturing", "Retail", "Insurance",
              "Telecommunications", "Energy", "Education", "Logistics")
CITIES = (("Austin", "Texas", "US"), ("Leeds", "England", "GB"), ("Munich", "Bavaria", "DE"),
          ("Toronto", "Ontario", "CA"), ("Utrecht", "Utrecht", "NL"))


def generate(path: Path, n: int) -> list[tuple]:
    """A HubSpot-style export: 10% of rows without a website (matched by name), thousands separators."""
    rnd = random.Random(SEED)
    parsed = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Company name", "Website URL", "Number of Employees", "Industry", "City", "State/Region",
                    "Country/Region"])
        for i in range(n):
            name = f"{rnd.choice(WORDS)} {rnd.choice(KINDS)} {i:06d} {rnd.choice(SUFFIXES)}".strip()
            site = "" if i % 10 == 0 else f"https://www.{name.split()[0].lower()}{i:06d}.example.com/about"
            employees = rnd.randint(5, 50_000)
            city, region, country = rnd.choice(CITIES)
            industry = rnd.choice(INDUSTRIES)
            w.writerow([name, site, f"{employees:,}", industry, city, region, country])
            parsed.append((name, site or None, employees, industry, city, region, country))
    return parsed


def raw_executemany(db: Path, rows: list[tuple]) -> float:
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, website TEXT, employees INTEGER, "
                "industry TEXT, hq_city TEXT, hq_region TEXT, hq_country TEXT)")
    t0 = time.perf_counter()
    con.executemany("INSERT INTO accounts (name, website, employees, industry, hq_city, hq_region, hq_country) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def measure(root: Path, n: int = N_ROWS) -> dict:
    use_env(root)
    from accounts.column_mapping import guess_mapping
    from accounts.importing import import_accounts
    from accounts.tabular import read_table
    from bdr_desk.db import open_workspace

    folder = root / "import"
    folder.mkdir(exist_ok=True)
    csv_path = folder / "companies.csv"
    parsed = generate(csv_path, n)
    raw_s = raw_executemany(folder / "raw.db", parsed)
    ws = open_workspace(f"sqlite:///{folder / 'workspace.db'}")
    try:
        t0 = time.perf_counter()
        tbl = read_table(csv_path)
        read_s = time.perf_counter() - t0
        mapping = guess_mapping(tbl.headers)
        t0 = time.perf_counter()
        first = import_accounts(ws, tbl, mapping)
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = import_accounts(ws, tbl, mapping)
        reimport_s = time.perf_counter() - t0
    finally:
        ws.dispose()
    return {"n": n, "read_s": read_s, "import_s": import_s, "reimport_s": reimport_s, "raw_s": raw_s,
            "created": first.created, "merged": first.merged, "rejected": first.rejected,
            "again_created": again.created, "again_unchanged": again.unchanged}


def report(r: dict) -> list[list[str]]:
    n = r["n"]
    print(f"Import of {n:,} generated rows (HubSpot-style CSV, 10% without a website): read + map + dedupe + "
          "insert in one transaction, vs raw sqlite3.executemany of the same parsed rows")
    rows = [
        ["read the CSV", f"{r['read_s']:.2f} s", "", "", ""],
        ["import (empty workspace)", f"{r['import_s']:.2f} s", f"{r['raw_s']:.2f} s", ratio(r["import_s"], r["raw_s"]),
         f"{r['created']:,} created, {r['merged']:,} merged, {r['rejected']:,} rejected"],
        ["re-import (all matched)", f"{r['reimport_s']:.2f} s", "", "",
         f"{r['again_created']:,} created, {r['again_unchanged']:,} unchanged"],
    ]
    print(table(rows, ["step", "BDR Desk", "raw executemany", "ratio", "outcome"]))
    return [[f"import: {n:,} rows with dedupe", f"{r['import_s']:.2f} s", f"{r['raw_s']:.2f} s raw executemany",
             ratio(r["import_s"], r["raw_s"])]]


def main() -> list[list[str]]:
    with temp_root() as root:
        return report(measure(root))


if __name__ == "__main__":
    main()
