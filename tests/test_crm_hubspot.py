"""The HubSpot connector against the stateful fake over real HTTP on 127.0.0.1: round trips, batching,
per-input results (207, 409), lookups, incremental pulls, associations, properties, activities and deals."""

from __future__ import annotations

import datetime as dt

import pytest

from bdr_desk.crm.connector import ConnectorError, iter_changes
from bdr_desk.crm.hubspot import HubSpotConnector
from tests.fake_hubspot import FakeClock, FakeHubSpot


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def hub(clock):
    with FakeHubSpot(clock=clock) as fake:
        yield fake
        assert not fake.bugs, fake.bugs[0]


@pytest.fixture
def conn(hub, clock):
    with HubSpotConnector(hub.url, token=hub.token, clock=clock, sleep=clock.sleep) as c:
        yield c


def companies(n, start=0):
    return [{"name": f"Company {i}", "domain": f"company{i}.example", "industry": "COMPUTER_SOFTWARE"}
            for i in range(start, start + n)]


def now(clock):
    return dt.datetime.fromtimestamp(clock(), dt.UTC)


def test_round_trip_create_update_read_archive(conn, hub):
    [made] = conn.create("account", [{"name": "Acme", "domain": "acme.example", "numberofemployees": 120}])
    assert made.ok and made.external_id and made.updated_at is not None
    [rec] = conn.read("account", [made.external_id], ["name", "domain", "numberofemployees"])
    assert rec.properties["name"] == "Acme" and rec.properties["numberofemployees"] == "120"  # HubSpot: strings
    [upd] = conn.update("account", [(made.external_id, {"name": "Acme Corp", "city": None})])
    assert upd.ok and upd.updated_at > made.updated_at
    assert conn.read("account", [made.external_id], ["name"])[0].properties["name"] == "Acme Corp"
    [gone] = conn.delete("account", [made.external_id])
    assert gone.ok and conn.read("account", [made.external_id], ["name"]) == []
    assert hub.get("companies", made.external_id)["archived"]
    assert conn.delete("account", [made.external_id])[0].ok  # archiving twice is harmless


def test_batches_of_100_and_results_in_input_order(conn, hub):
    results = conn.create("account", companies(250))
    assert hub.calls("/companies/batch/create") == 3  # ceil(250 / 100)
    assert [r.index for r in results] == list(range(250)) and all(r.ok for r in results)
    names = [hub.get("companies", r.external_id)["properties"]["name"] for r in results]
    assert names == [f"Company {i}" for i in range(250)]
    assert conn.batch_limit("account") == 100
    with pytest.raises(ConnectorError) as err:  # the fake enforces HubSpot's limit
        conn.http.request("POST", "/crm/v3/objects/companies/batch/create",
                          json={"inputs": [{"properties": {"name": str(i)}} for i in range(101)]})
    assert err.value.kind == "validation" and "limit" in str(err.value)


def test_207_partial_failure_mapped_per_input(conn, hub):
    hub.item_fault = lambda hs, op, props: ("VALIDATION_ERROR", "Blocked by a validation rule") \
        if props.get("name") == "Company 3" else None
    results = conn.create("account", companies(6))
    assert [r.ok for r in results] == [True, True, True, False, True, True]
    assert results[3].error_kind == "validation" and "validation rule" in results[3].error
    assert len(hub.live("companies")) == 5 and hub.calls("batch/create") == 1


def test_duplicate_email_is_a_duplicate_item_with_the_existing_id(conn, hub):
    existing = hub.add("contacts", {"email": "ada@acme.example", "firstname": "Ada"})
    results = conn.create("contact", [{"email": "grace@acme.example"}, {"email": "ADA@acme.example"},
                                      {"email": "linus@acme.example"}, {"email": "grace@acme.example"}])
    assert [r.error_kind for r in results] == [None, "duplicate", None, "duplicate"]
    assert results[1].external_id == existing and results[3].external_id == results[0].external_id
    assert "Existing ID" in results[1].error and "\n" not in results[1].error
    assert len(hub.live("contacts")) == 3


def test_a_batch_refused_as_a_whole_is_split_to_find_the_bad_inputs(clock):
    with FakeHubSpot(clock=clock, multi_status=False) as hub, \
            HubSpotConnector(hub.url, token=hub.token, clock=clock, sleep=clock.sleep) as conn:
        hub.add("contacts", {"email": "taken@acme.example"})
        records = [{"email": f"p{i}@acme.example"} for i in range(40)]
        records[17] = {"email": "taken@acme.example"}
        results = conn.create("contact", records)
        assert [i for i, r in enumerate(results) if not r.ok] == [17]
        assert results[17].error_kind == "duplicate" and hub.calls("batch/create") <= 2 * 6 + 1
        assert len(hub.live("contacts")) == 40
        # the same fault in every input: found out in three calls, not by splitting down to single records
        before = hub.calls("batch/create")
        bad = conn.create("contact", [{"email": f"q{i}@acme.example", "no_such_property": 1} for i in range(100)])
        assert all(r.error_kind == "validation" for r in bad) and hub.calls("batch/create") - before == 3


def test_find_by_email_and_by_domain(conn, hub):
    ids = {f"p{i}@acme.example": hub.add("contacts", {"email": f"p{i}@acme.example"}) for i in range(150)}
    found = conn.find("contact", "email", ["P3@Acme.example", "p149@acme.example", "nobody@acme.example"], ["email"])
    assert {k: v.external_id for k, v in found.items()} == {"P3@Acme.example": ids["p3@acme.example"],
                                                            "p149@acme.example": ids["p149@acme.example"]}
    before = hub.calls()
    assert len(conn.find("contact", "email", list(ids), [])) == 150
    assert hub.calls() - before == 3 and hub.calls("/search") == 0  # 2 batch reads by email + 1 association read
    made = conn.create("account", companies(120))
    hub.add("companies", {"name": "Dup", "domain": "company5.example"})  # HubSpot allows a second one
    found = conn.find("account", "domain", [f"COMPANY{i}.example" for i in range(0, 130, 5)], ["name"])
    assert len(found) == 24 and found["COMPANY5.example"].external_id == made[5].external_id  # oldest wins
    assert hub.calls("/companies/search") == 1


def test_first_pull_lists_then_incremental_pull_sees_only_remote_changes(conn, hub, clock):
    made = conn.create("account", companies(230))
    pulled = list(iter_changes(conn, "account", None, ["name"]))
    assert len(pulled) == 230 and hub.calls("/companies/search") == 0  # a first pull lists (3 pages)
    high_water = max(r.updated_at for r in pulled)
    clock.advance(60)
    for r in made[10:13]:
        hub.touch("companies", r.external_id, {"name": "Renamed"})
    changed = list(iter_changes(conn, "account", high_water + dt.timedelta(milliseconds=1), ["name"]))
    assert sorted(r.external_id for r in changed) == sorted(r.external_id for r in made[10:13])
    assert {r.properties["name"] for r in changed} == {"Renamed"}
    assert list(iter_changes(conn, "account", now(clock) + dt.timedelta(seconds=1), ["name"])) == []


def test_pulling_more_than_the_search_cap_and_changes_during_the_scan(clock):
    with FakeHubSpot(clock=clock, search_cap=500) as hub, \
            HubSpotConnector(hub.url, token=hub.token, clock=clock, sleep=clock.sleep) as conn:
        since = now(clock)
        ids = [r.external_id for r in conn.create("account", companies(1200))]
        seen: list[str] = []
        page = conn.changed_since("account", since, ["name"])
        seen += [r.external_id for r in page.records]
        hub.touch("companies", ids[5], {"name": "Moved to the end"})  # changes under the running scan
        while page.cursor:
            page = conn.changed_since("account", since, ["name"], page.cursor)
            seen += [r.external_id for r in page.records]
        assert set(seen) == set(ids) and len(seen) == 1201  # none lost past 10,000 (here 500); one seen twice
        assert all(r.status != 400 for r in hub.requests)


def test_records_sharing_one_timestamp_are_paged_exactly(clock):
    with FakeHubSpot(clock=clock, same_ts_per_batch=True) as hub, \
            HubSpotConnector(hub.url, token=hub.token, clock=clock, sleep=clock.sleep) as conn:
        since = now(clock)
        ids = [r.external_id for r in conn.create("contact", [{"email": f"t{i}@x.example"} for i in range(500)])]
        pulled = [r.external_id for r in iter_changes(conn, "contact", since, ["email"])]
        assert sorted(pulled) == sorted(ids)  # 5 timestamps of 100 records each, pages of 200
        resumed = conn.changed_since("contact", since, ["email"], "S:0:0")  # a cursor from another process
        assert len(resumed.records) == 200


def test_associations(conn, hub):
    [acme, globex] = conn.create("account", companies(2))
    people = conn.create("contact", [{"email": f"c{i}@acme.example"} for i in range(3)])
    conn.associate("contact", people[0].external_id, "account", acme.external_id)
    pairs = [(people[1].external_id, acme.external_id), (people[2].external_id, globex.external_id),
             (people[2].external_id, "999999")]
    linked = conn.associate_many("contact", "account", pairs)
    assert [r.ok for r in linked] == [True, True, False] and linked[2].error_kind == "validation"
    assert hub.associations("companies", acme.external_id, "contacts") == sorted(
        [people[0].external_id, people[1].external_id], key=int)
    read = conn.read("contact", [p.external_id for p in people], ["email"])
    assert [r.associations["account"] for r in read] == [[acme.external_id], [acme.external_id],
                                                          [globex.external_id]]
    listed = {r.external_id: r.associations for r in iter_changes(conn, "contact", None, ["email"])}
    assert listed[people[2].external_id] == {"account": [globex.external_id]}
    with pytest.raises(ConnectorError) as err:
        conn.associate("contact", people[0].external_id, "account", "424242")
    assert err.value.kind == "not_found"


def test_fields_from_the_properties_api(conn):
    fields = {f.name: f for f in conn.fields("account")}
    assert fields["industry"].type == "enumeration" and "COMPUTER_SOFTWARE" in fields["industry"].options
    assert fields["hs_lastmodifieddate"].read_only and not fields["name"].read_only
    assert fields["numberofemployees"].type == "number" and fields["phone"].type == "string"
    activity = {f.name for f in conn.fields("activity")}
    assert {"hs_note_body", "hs_task_subject", "hs_call_body", "hs_meeting_title"} <= activity


def test_deleted_since(conn, hub, clock):
    made = conn.create("account", companies(5))
    hub.remove("companies", made[0].external_id)
    clock.advance(30)
    since = now(clock)
    conn.delete("account", [made[1].external_id])
    hub.remove("companies", made[2].external_id)
    assert sorted(conn.deleted_since("account", since)) == sorted([made[1].external_id, made[2].external_id])


def test_activities_route_to_notes_tasks_calls_and_meetings(conn, hub):
    when = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    made = conn.create("activity", [
        {"hs_note_body": "Met the CFO", "hs_timestamp": when},
        {"hs_task_subject": "Send the ROI deck", "hs_timestamp": when, "hs_task_status": "NOT_STARTED"},
        {"hs_call_title": "Discovery", "hs_call_body": "Pain: manual close", "hs_timestamp": when},
        {"@kind": "meetings", "hs_meeting_title": "Demo", "hs_timestamp": when, "@account": "1"},  # @: engine's
        {"hs_note_body": "no timestamp"}])
    assert [r.external_id.split(":")[0] if r.ok else r.error_kind for r in made][1:] == \
        ["tasks", "calls", "meetings", "validation"]
    assert made[0].external_id.isdigit() and hub.get("notes", made[0].external_id)["properties"][
        "hs_timestamp"] == "2025-03-01T09:30:00.000Z"
    [done] = conn.update("activity", [(made[1].external_id, {"hs_task_status": "COMPLETED"})])
    assert done.ok and hub.get("tasks", made[1].external_id.split(":")[1])["properties"]["hs_task_status"] == \
        "COMPLETED"
    [contact] = conn.create("contact", [{"email": "cfo@acme.example"}])
    conn.associate("activity", made[2].external_id, "contact", contact.external_id)
    assert hub.associations("contacts", contact.external_id, "calls") == [made[2].external_id.split(":")[1]]
    assert conn.delete("activity", [made[3].external_id])[0].ok
    assert hub.get("meetings", made[3].external_id.split(":")[1])["archived"]
    with pytest.raises(ConnectorError) as err:
        conn.changed_since("activity", None, [])
    assert err.value.kind == "config"


def test_deals_are_pulled_with_their_company(conn, hub):
    acme = hub.add("companies", {"name": "Acme", "domain": "acme.example"})
    deal = hub.add("deals", {"dealname": "Acme renewal", "amount": "50000", "dealstage": "contractsent"})
    hub.link("deals", deal, "companies", acme)
    [rec] = list(iter_changes(conn, "opportunity", None, ["dealname", "amount", "dealstage"]))
    assert rec.properties["dealstage"] == "contractsent" and rec.associations == {"account": [acme]}
    hub.touch("deals", deal, {"dealstage": "closedwon"})
    [won] = conn.read("opportunity", [deal], ["dealstage", "hs_is_closed_won"])
    assert won.properties["hs_is_closed_won"] == "true" and won.updated_at > rec.updated_at
    with pytest.raises(ConnectorError) as err:
        conn.create("opportunity", [{"dealname": "x"}])
    assert err.value.kind == "config" and "\n" not in str(err.value)
    with pytest.raises(ConnectorError):
        conn.create("lead", [{}])


def test_test_connection_names_the_portal(conn, hub):
    assert conn.test_connection().startswith(f"HubSpot portal {hub.portal_id} (STANDARD")
