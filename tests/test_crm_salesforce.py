"""The Salesforce connector against the stateful fake (tests/fake_salesforce.py), real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdr_desk.crm.connector import ConnectorError, iter_changes
from bdr_desk.crm.ratelimit import TokenBucket
from bdr_desk.crm.salesforce import DeletedWindowError, SalesforceConnector, soql_like_contains, soql_string
from tests.fake_salesforce import FakeSalesforce, Faults, is_valid_id, like, tokenize

FAST = {"max_retries": 6, "backoff_base": 0.01, "backoff_cap": 0.05, "timeout": (2, 0.5)}


def connect(fake: FakeSalesforce, token: str | None = None, **kw) -> SalesforceConnector:
    return SalesforceConnector(fake.url, token or fake.token, clock=fake.clock.now,
                               bucket=TokenBucket(1000, 1000), **{**FAST, **kw})


@pytest.fixture
def fake():
    with FakeSalesforce(page_size=50) as f:
        yield f


@pytest.fixture
def sf(fake):
    with connect(fake) as conn:
        yield conn


def accounts(n: int, start: int = 0) -> list[dict]:
    return [{"Name": f"Account {i}", "Website": f"acct{i}.example.org", "Industry": "Technology"}
            for i in range(start, start + n)]


def test_round_trip_accounts_contacts_activities(fake, sf):
    acc = sf.create("account", [{"Name": "Acme", "Website": "https://www.acme.com/about",
                                 "Industry": "Banking", "NumberOfEmployees": 250, "AnnualRevenue": 1.5e6}])[0]
    assert acc.ok and is_valid_id(acc.external_id) and acc.external_id.startswith("001")
    con = sf.create("contact", [{"FirstName": "Ada", "LastName": "Byron", "Email": "ada@acme.com",
                                 "@account": acc.external_id}])[0]
    assert con.ok and con.external_id.startswith("003")
    tasks = sf.create("activity", [
        {"Subject": "Intro call", "Status": "Completed", "ActivityDate": dt.date(2024, 5, 1),
         "@contact": con.external_id, "@account": acc.external_id},
        {"@kind": "Event", "Subject": "Demo", "ActivityDateTime": dt.datetime(2024, 5, 2, 15, tzinfo=dt.UTC),
         "DurationInMinutes": 30, "@account": acc.external_id}])
    assert [t.external_id[:3] for t in tasks] == ["00T", "00U"]
    assert fake.get("Task", tasks[0].external_id)["WhoId"] == con.external_id

    [back] = sf.read("contact", [con.external_id], ["FirstName", "Email", "AccountId"])
    assert back.properties == {"FirstName": "Ada", "Email": "ada@acme.com", "AccountId": acc.external_id}
    assert back.associations == {"account": [acc.external_id]}
    assert back.updated_at == fake.get("Contact", con.external_id)["SystemModstamp"]

    assert sf.update("account", [(acc.external_id, {"NumberOfEmployees": 300})])[0].ok
    assert sf.update("activity", [(tasks[1].external_id, {"@kind": "Task", "Subject": "Demo (moved)"})])[0].ok
    assert fake.get("Event", tasks[1].external_id)["Subject"] == "Demo (moved)"
    [acc_back] = sf.read("account", [acc.external_id], ["Name", "NumberOfEmployees", "AnnualRevenue"])
    assert acc_back.properties == {"Name": "Acme", "NumberOfEmployees": 300, "AnnualRevenue": 1.5e6}

    beta = sf.create("account", [{"Name": "Beta"}])[0].external_id
    sf.associate("contact", con.external_id, "account", beta)
    assert fake.get("Contact", con.external_id)["AccountId"] == beta
    with pytest.raises(ConnectorError) as err:
        sf.create("opportunity", [{"Name": "x"}])
    assert err.value.kind == "config"
    assert [r.ok for r in sf.delete("account", [acc.external_id])] == [True]
    assert sf.read("account", [acc.external_id], ["Name"]) == []


def test_450_records_take_three_collection_calls_each_way(fake, sf):
    created = sf.create("account", accounts(450))
    assert all(r.ok for r in created) and [r.index for r in created] == list(range(450))
    assert len({r.external_id for r in created}) == 450
    posts = fake.calls("POST", "/composite/sobjects")
    assert len(posts) == 3 and all(p.status == 200 for p in posts)
    ids = [r.external_id for r in created]
    assert all(r.ok for r in sf.update("account", [(i, {"Industry": "Banking"}) for i in ids]))
    assert len(fake.calls("PATCH", "/composite/sobjects")) == 3
    read = sf.read("account", ids, ["Industry"])
    assert [r.external_id for r in read] == ids and {r.properties["Industry"] for r in read} == {"Banking"}
    assert all(r.ok for r in sf.delete("account", ids))
    assert len(fake.calls("DELETE", "/composite/sobjects")) == 3 and fake.all("Account") == []
    assert sf.update("account", [(ids[0], {})])[0].ok  # nothing to change: no call
    assert len(fake.calls("PATCH")) == 3


def test_the_fake_refuses_more_than_200_records(fake):
    import requests

    body = {"allOrNone": False,
            "records": [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(201)]}
    resp = requests.post(f"{fake.url}/services/data/v59.0/composite/sobjects", json=body,
                         headers={"Authorization": f"Bearer {fake.token}"}, timeout=5)
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_per_record_failures_are_reported_per_input(fake, sf):
    results = sf.create("contact", [
        {"LastName": "Ok", "Email": "ok@acme.com"},
        {"FirstName": "No last name"},
        {"LastName": "Bad", "Email": "not-an-email"},
        {"LastName": "x" * 81},
        {"LastName": "Unknown", "Favourite_Colour__c": "blue"},
        {"LastName": "Ok too"},
    ])
    assert [r.error_kind for r in results] == [None, *["validation"] * 4, None]
    assert "REQUIRED_FIELD_MISSING" in results[1].error and "LastName" in results[1].error
    assert "INVALID_EMAIL_ADDRESS" in results[2].error and "STRING_TOO_LONG" in results[3].error
    assert "INVALID_FIELD" in results[4].error and len(fake.all("Contact")) == 2
    bad_status = sf.create("activity", [{"Subject": "x", "Status": "Bogus"}])[0]
    assert "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" in bad_status.error

    gone = results[5].external_id
    fake.remove("Contact", gone)
    upd = sf.update("contact", [(results[0].external_id, {"Title": "CTO"}), (gone, {"Title": "x"}),
                                ("003Dn0000000000AAA", {"Title": "x"}), ("not an id", {"Title": "x"})])
    assert [r.error_kind for r in upd] == [None, "not_found", "not_found", "not_found"]
    dele = sf.delete("contact", [gone, results[0].external_id, "003Dn0000000000AAA"])
    assert [r.error_kind for r in dele] == [None, None, "not_found"]  # already deleted counts as done


def test_duplicate_contact_email_names_the_existing_record(fake, sf):
    first = sf.create("contact", [{"LastName": "Ng", "Email": "amy.ng@acme.com"}])[0]
    again = sf.create("contact", [{"LastName": "Ng", "Email": "Amy.Ng@ACME.com"},
                                  {"LastName": "Lee", "Email": "lee@acme.com"},
                                  {"LastName": "Lee", "Email": "LEE@acme.com"}])
    assert again[0].error_kind == "duplicate" and again[0].external_id == first.external_id
    assert "DUPLICATES_DETECTED" in again[0].error and not again[0].ok
    assert again[1].ok and again[2].error_kind == "duplicate" and again[2].external_id == again[1].external_id
    assert len(fake.all("Contact")) == 2


HOSTILE = ["O'Brien", "x' OR LastName != '", "back\\slash", "\\' OR Id != '", 'say "hi"', "tab\tnew\nline",
           "100% _done_", "ünïcödé ✓", "\\", "'", "%"]


def test_find_escapes_hostile_values_and_returns_the_right_record(fake, sf):
    ids = {}
    for i, name in enumerate(HOSTILE):
        ids[name] = fake.insert("Contact", LastName=name, Email=f"person{i}@acme.com")
    decoy = fake.insert("Contact", LastName="Decoy", Email="decoy@acme.com")
    for name in HOSTILE:
        found = sf.find("contact", "LastName", [name], ["LastName", "Email"])
        assert list(found) == [name], name
        assert found[name].external_id == ids[name] and found[name].properties["LastName"] == name
    assert sf.find("contact", "LastName", ["x' OR LastName != 'nobody"], ["LastName"]) == {}
    assert decoy not in {r.external_id for r in sf.find("contact", "LastName", HOSTILE, []).values()}
    assert all(c.status == 200 for c in fake.calls("GET", "/query"))  # every query parsed, none injected

    by_email = sf.find("contact", "Email", ["PERSON0@acme.com", "nobody@acme.com"], ["LastName"])
    assert {k: v.external_id for k, v in by_email.items()} == {"PERSON0@acme.com": ids["O'Brien"]}
    with pytest.raises(ConnectorError):
        sf.find("contact", "Email) OR (Id", ["x"], [])


def test_find_accounts_by_website_domain(fake, sf):
    acme = fake.insert("Account", Name="Acme", Website="https://www.Acme.com/about")
    fake.insert("Account", Name="Not Acme", Website="https://notacme.com")
    uk = fake.insert("Account", Name="Acme UK", Website="acme.co.uk")
    fake.insert("Account", Name="Later Acme", Website="http://acme.com")  # older record wins
    found = sf.find("account", "Website", ["acme.com", "www.acme.co.uk/contact", "o'brien.com", "100%.com"],
                    ["Name"])
    assert {k: v.external_id for k, v in found.items()} == {"acme.com": acme, "www.acme.co.uk/contact": uk}
    many = [f"domain{i}-{'x' * 40}.example.net" for i in range(400)]
    assert sf.find("account", "Website", many, ["Name"]) == {}
    assert all(len(c.url) < 16_384 and c.status == 200 for c in fake.calls("GET", "/query"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_soql_literals_round_trip_through_the_fakes_parser(value):
    assert tokenize(f"SELECT Id FROM Contact WHERE LastName = {soql_string(value)}")[-1] == ("string", value)
    pattern = tokenize(f"SELECT Id FROM Account WHERE Website LIKE {soql_like_contains(value)}")[-1][1]
    assert pattern == f"%{value}%" and like(pattern, f"pre{value}post")
    if "%" in value or "_" in value:  # the wildcards in the value are literal
        assert not like(pattern, value.replace("%", "Q").replace("_", "Q"))


def test_changed_since_pages_and_picks_up_only_remote_changes(fake, sf):
    ids = [fake.insert("Account", Name=f"A{i:03}", Website=f"a{i}.example.org") for i in range(120)]
    first = sf.changed_since("account", None, ["Name"])
    assert len(first.records) == 50 and first.cursor.startswith("/services/data/v59.0/query/")
    everything = list(iter_changes(sf, "account", None, ["Name"]))
    assert [r.external_id for r in everything] == ids  # SystemModstamp, then Id
    since = max(r.updated_at for r in everything)

    fake.clock.advance(60)
    fake.modify("Account", ids[7], Name="Renamed")
    new = fake.insert("Account", Name="New")
    fake.modify("Account", ids[3], Industry="Banking")
    changed = list(iter_changes(sf, "account", since, ["Name", "Industry"]))
    assert [r.external_id for r in changed] == [ids[7], new, ids[3]]
    assert changed[0].properties == {"Name": "Renamed", "Industry": None}
    assert fake.calls("GET", f"WHERE SystemModstamp > {since:%Y-%m-%dT%H:%M:%S}Z ORDER BY SystemModstamp, Id")
    assert list(iter_changes(sf, "account", max(r.updated_at for r in changed), ["Name"])) == []

    page = sf.changed_since("account", None, ["Name"])
    fake.expire_cursors()
    with pytest.raises(ConnectorError) as err:
        sf.changed_since("account", None, ["Name"], page.cursor)
    assert err.value.kind == "validation" and "INVALID_QUERY_LOCATOR" in str(err.value)
    with pytest.raises(ConnectorError):
        sf.changed_since("account", None, ["Name"], "https://evil.example/steal")


def test_deleted_since_uses_get_deleted_and_its_window(fake, sf):
    acc = fake.insert("Account", Name="Gone")
    kids = [fake.insert("Contact", LastName=f"K{i}", AccountId=acc) for i in range(3)]
    keep = fake.insert("Contact", LastName="Keep")
    since = fake.clock.now()
    fake.clock.advance(120)
    fake.remove("Account", acc)  # cascades to its contacts, as Salesforce does
    fake.clock.advance(120)
    assert sf.deleted_since("account", since) == [acc]
    assert sorted(sf.deleted_since("contact", since)) == sorted(kids) and keep not in kids
    assert "contact" in sf.deleted_covered_until
    call = fake.calls("GET", "/sobjects/Contact/deleted")[-1]
    assert "start=" in call.query and "end=" in call.query

    calls = len(fake.calls())
    with pytest.raises(DeletedWindowError) as err:
        sf.deleted_since("account", fake.clock.now() - dt.timedelta(days=20))
    assert err.value.kind == "validation" and "15 days" in str(err.value) and len(fake.calls()) == calls
    fake.purge_deleted("Account", fake.clock.now() - dt.timedelta(minutes=1))
    with pytest.raises(DeletedWindowError):
        sf.deleted_since("account", since)


def test_fields_come_from_describe_with_picklists(fake, sf):
    fields = {f.name: f for f in sf.fields("account")}
    assert fields["Industry"].type == "enumeration" and "Technology" in fields["Industry"].options
    assert fields["NumberOfEmployees"].type == "number" and fields["Website"].type == "string"
    assert fields["SystemModstamp"].read_only and fields["SystemModstamp"].type == "datetime"
    assert not fields["Name"].read_only
    activity = {f.name: f for f in sf.fields("activity")}
    assert "Completed" in activity["Status"].options
    assert activity["DurationInMinutes"].label.endswith("(Event)")
    sf.fields("account")
    assert len(fake.calls("GET", "/sobjects/Account/describe")) == 1  # cached


# seed 8: late timeouts on creates and on a last query page; seed 31: 500s, drops before and after
@pytest.mark.parametrize("seed", [8, 31])
def test_faults_end_with_every_record_created_exactly_once(fake, seed):
    fake.faults = Faults(rate=0.3, kinds=("500", "503", "429", "timeout", "drop"), seed=seed, after=0.5,
                         timeout_delay=0.8, retry_after=0)
    with connect(fake) as sf:
        contacts = [{"LastName": f"P{i}", "Email": f"p{i}@acme.com"} for i in range(450)]
        results = sf.create("contact", contacts)
        tasks = sf.create("activity", [{"Subject": f"Call {i}", "Status": "Completed"} for i in range(60)])
        updates = sf.update("contact", [(r.external_id, {"Title": "VP"}) for r in results if r.ok])
        pulled = list(iter_changes(sf, "contact", None, ["Email", "Title"]))
    assert sum(1 for r in fake.log if r.fault) >= 5, "the faults did fire"
    assert all(r.ok for r in results + tasks + updates), [r.error for r in results + tasks if not r.ok][:3]
    emails = Counter(c["Email"] for c in fake.all("Contact"))
    assert len(emails) == 450 and set(emails.values()) == {1}
    assert Counter(t["Subject"] for t in fake.all("Task")) == Counter(f"Call {i}" for i in range(60))
    assert {r.external_id for r in results} == {c["Id"] for c in fake.all("Contact")}
    assert len(pulled) == 450 and {r.properties["Title"] for r in pulled} == {"VP"}


def test_rate_limits(fake):
    fake.burst = (3, 1.0)
    with connect(fake) as sf:
        for _ in range(5):
            sf.test_connection()
    assert any(r.status == 429 for r in fake.log) and fake.log[-1].status == 200
    fake.burst, fake.daily_limit = None, fake.api_used
    with connect(fake) as sf, pytest.raises(ConnectorError) as err:
        sf.test_connection()
    assert err.value.kind == "rate_limit" and "REQUEST_LIMIT_EXCEEDED" in str(err.value)
    assert sf.api_calls == 1  # a spent daily allowance is not retried


def test_bad_session_is_an_auth_error_on_one_line(fake):
    with connect(fake, token="00DWRONG!definitely-not-valid") as sf, pytest.raises(ConnectorError) as err:
        sf.create("account", accounts(3))
    assert err.value.kind == "auth" and "INVALID_SESSION_ID" in str(err.value)
    assert "\n" not in str(err.value) and "definitely-not-valid" not in str(err.value)


def test_connection_refused_is_a_network_error_naming_the_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with SalesforceConnector(url, "00Dtok!secret-value", max_retries=1, backoff_base=0.01) as sf, \
            pytest.raises(ConnectorError) as err:
        sf.test_connection()
    assert err.value.kind == "network" and url in str(err.value) and "refused" in str(err.value)
    assert "\n" not in str(err.value) and "secret-value" not in str(err.value)


def test_oauth_login_and_session_renewal(fake):
    sf = SalesforceConnector(login_url=fake.url, client_id="fake-client-id",
                             client_secret="fake-client-secret", username="bdr@example.com",
                             password="pw-and-security-token", environ={}, **FAST)
    assert "Salesforce org at 127.0.0.1" in sf.test_connection()
    fake.expire_session()
    assert len(sf.create("account", accounts(2))) == 2 and len(fake.all("Account")) == 2
    assert sum(1 for r in fake.log if r.path == "/services/oauth2/token") == 2
    for r in fake.log:  # the password goes in the body of the token request only
        assert "pw-and-security-token" not in r.url + str(r.headers)
        assert "pw-and-security-token" not in r.body or r.path == "/services/oauth2/token"
    with pytest.raises(ConnectorError) as err:
        SalesforceConnector(login_url=fake.url, client_id="fake-client-id", client_secret="wrong", environ={},
                             **FAST).test_connection()
    assert err.value.kind == "auth" and "wrong" not in str(err.value)


def test_credentials_from_the_environment(fake, monkeypatch):
    monkeypatch.setenv("BDR_DESK_SALESFORCE_INSTANCE_URL", fake.url)
    monkeypatch.setenv("BDR_DESK_SALESFORCE_ACCESS_TOKEN", fake.token)
    with SalesforceConnector(**FAST) as sf:
        assert "daily API requests left" in sf.test_connection()
    with pytest.raises(ConnectorError) as err:
        SalesforceConnector(environ={}).test_connection()
    assert err.value.kind == "config" and "BDR_DESK_SALESFORCE_ACCESS_TOKEN" in str(err.value)


def test_the_token_never_shows(fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.faults = Faults(rate=0.2, kinds=("500", "drop"), seed=3)
    messages = []
    with connect(fake) as sf:
        sf.create("contact", [{"LastName": "A", "Email": "a@x.com"}, {"LastName": "B", "Email": "A@x.com"}])
        list(iter_changes(sf, "contact", None, ["Email"]))
        sf.deleted_since("contact", fake.clock.now() - dt.timedelta(hours=1))
        messages += [repr(sf), str(sf.__dict__)]
        fake.expire_session()
        with pytest.raises(ConnectorError) as err:
            sf.read("contact", ["003Dn0000000000AAA"], ["Email"])
        messages.append(str(err.value))
    stale = fake.log[0].headers["Authorization"].split()[1]
    assert fake.log[0].headers["Authorization"] == f"Bearer {stale}"
    text = "\n".join(messages + [r.getMessage() for r in caplog.records] + [fake.log_text()])
    assert stale not in text and fake.token not in text
