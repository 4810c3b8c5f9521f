"""The shared CRM HTTP layer through the HubSpot connector, over real HTTP: the token bucket against the fake's
budget, Retry-After, retries on 5xx/timeouts/dropped connections, creates that are never duplicated, one-line
errors, credentials from the environment and the keyring, and the token nowhere it should not be."""

from __future__ import annotations

import logging
import socket
import threading

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from bdr_desk.crm import credentials
from bdr_desk.crm.connector import ConnectorError
from bdr_desk.crm.hubspot import HubSpotConnector
from bdr_desk.crm.ratelimit import TokenBucket
from tests.fake_hubspot import FakeClock, FakeHubSpot
from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def hub(clock):
    with FakeHubSpot(clock=clock, hang_seconds=1.0) as fake:
        yield fake
        assert not fake.bugs, fake.bugs[0]


def connect(hub, clock, **kw):
    kw.setdefault("timeout", (2, 0.5))  # the fake hangs 1 s on a "timeout" fault
    return HubSpotConnector(hub.url, token=hub.token, clock=clock, sleep=clock.sleep, **kw)


def test_token_bucket_never_exceeds_its_window_budget():
    clock = FakeClock()
    bucket = TokenBucket.for_budget(190, 10, clock=clock, sleep=clock.sleep)
    assert bucket.max_in_window(10) <= 190 * 0.95 + 1e-9
    stamps = []
    for _ in range(1000):
        bucket.acquire()
        stamps.append(clock())
    worst = max(sum(1 for s in stamps[i:] if s < t + 10) for i, t in enumerate(stamps))
    assert 170 <= worst <= 181
    bucket.pause(5)
    t0 = clock()
    bucket.acquire()
    assert clock() - t0 >= 5
    assert not bucket.try_acquire(100)


def test_the_bucket_keeps_a_burst_of_500_calls_under_the_fake_budget(hub, clock):
    conn = connect(hub, clock)
    for i in range(450):
        conn.read("account", [str(i + 1)], ["name"])
    for i in range(50):
        conn.find("account", "domain", [f"d{i}.example"], ["name"])  # search: its own, smaller budget
    assert 429 not in hub.statuses() and conn.api_calls == 500 == len(hub.requests)
    assert clock() - hub.requests[0].at >= 25  # it really was paced: ~30 virtual seconds for 500 calls


def test_without_a_bucket_the_fake_throttles_and_retry_after_is_honoured(hub, clock):
    conn = connect(hub, clock, budget=(100_000, 10), search_budget=(100_000, 1))
    for i in range(400):
        conn.read("account", [str(i + 1)], ["name"])
    assert hub.statuses().count(429) >= 1 and all(s == 207 for s in hub.statuses() if s != 429)
    assert conn.api_calls == len(hub.requests) and clock.slept[0] >= 1  # the fake's Retry-After (seconds)
    hub.fail_next(429, retry_after=7)
    slept = len(clock.slept)
    assert conn.read("account", ["1"], ["name"]) == []
    assert max(clock.slept[slept:]) >= 7


def test_a_retry_after_beyond_reason_is_reported_not_slept(hub, clock):
    conn = connect(hub, clock)
    hub.fail_next(429, retry_after=3600)
    with pytest.raises(ConnectorError) as err:
        conn.test_connection()
    assert err.value.kind == "rate_limit" and err.value.retry_after == 3600 and sum(clock.slept) < 60


@pytest.mark.parametrize("fault", [500, 502, 503, 504, "timeout", "drop"])
def test_reads_are_retried_after_5xx_timeouts_and_dropped_connections(hub, clock, fault):
    conn = connect(hub, clock)
    [made] = conn.create("account", [{"name": "Acme"}])
    hub.fail_next(fault, times=2)
    assert conn.read("account", [made.external_id], ["name"])[0].properties["name"] == "Acme"
    assert conn.api_calls == 4 and conn.http.retries == 2


def test_retries_are_bounded(hub, clock):
    conn = connect(hub, clock, max_retries=3)
    hub.fail_next(502, times=10)
    with pytest.raises(ConnectorError) as err:
        conn.test_connection()
    assert err.value.kind == "server" and conn.api_calls == 4
    assert str(err.value) == "HubSpot GET /account-info/v3/details: HTTP 502 Bad Gateway — injected fault"


@pytest.mark.parametrize("fault", ["timeout", "drop", 500])
def test_a_create_whose_answer_was_lost_is_not_duplicated(hub, clock, fault):
    conn = connect(hub, clock)
    hub.fail_next(fault, phase="after", path="/contacts/batch/create")  # carried out, answer lost
    people = conn.create("contact", [{"email": f"p{i}@acme.example"} for i in range(30)])
    assert all(r.ok for r in people) and len(hub.live("contacts")) == 30
    assert {r.external_id for r in people} == {o["id"] for o in hub.live("contacts")}
    hub.fail_next(fault, phase="before", path="/companies/batch/create")  # not carried out
    firms = conn.create("account", [{"name": "A", "domain": "a.example"}, {"name": "No domain"}])
    assert firms[0].ok and len(hub.live("companies")) == 1
    assert firms[1].error_kind in ("network", "server") and "outcome unknown" in firms[1].error


def test_twenty_percent_faults_end_with_every_record_once(clock):
    with FakeHubSpot(clock=clock, hang_seconds=1.0) as hub:
        hub.inject_faults(0.2, seed=8, phase="mixed")
        conn = connect(hub, clock, max_retries=6)
        people = conn.create("contact", [{"email": f"p{i}@acme.example"} for i in range(1000)])
        firms = conn.create("account", [{"name": f"F{i}", "domain": f"f{i}.example"} for i in range(1000)])
        hub.inject_faults(0)
        for batch, hs, key in ((people, "contacts", "email"), (firms, "companies", "domain")):
            live = hub.live(hs)
            assert len({o["properties"][key] for o in live}) == len(live)  # nothing created twice
            ok = {r.external_id for r in batch if r.ok}
            assert ok <= {o["id"] for o in live} and len(ok) >= 980
        assert sum(1 for r in hub.requests if r.fault) >= 3 and not hub.bugs


def test_a_bad_token_is_an_auth_error_on_one_line(hub, clock):
    conn = HubSpotConnector(hub.url, token="pat-na1-wrong-token-0000", clock=clock, sleep=clock.sleep)
    with pytest.raises(ConnectorError) as err:
        conn.create("account", [{"name": "Acme"}])
    text = str(err.value)
    assert err.value.kind == "auth" and "\n" not in text and "POST /crm/v3/objects/companies/batch/create" in text
    assert "401" in text and "wrong-token" not in text and conn.api_calls == 1


def test_a_closed_port_is_a_network_error_naming_the_url(clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = HubSpotConnector(f"http://127.0.0.1:{port}", token="pat-na1-secret", clock=clock, sleep=clock.sleep)
    with pytest.raises(ConnectorError) as err:
        conn.test_connection()
    assert err.value.kind == "network" and conn.api_calls == 3  # 1 + 2 retries: nothing listening rarely heals
    assert str(err.value) == f"HubSpot GET http://127.0.0.1:{port}/account-info/v3/details: connection refused"
    assert err.value.__cause__ is None and err.value.__context__ is None  # no requests exception kept


def test_the_token_is_never_logged_repr_d_or_sent_outside_the_header(hub, clock, caplog):
    caplog.set_level(logging.DEBUG)
    conn = connect(hub, clock)
    errors = []
    hub.fail_next(503)
    hub.fail_next("drop", path="/contacts/batch/create", phase="after")
    conn.create("contact", [{"email": "a@acme.example"}, {"email": "a@acme.example"}])
    conn.find("account", "domain", ["acme.example"], ["name"])
    for call in (lambda: conn.associate("contact", "1", "account", "2"),
                 lambda: HubSpotConnector(hub.url, token=hub.token[::-1]).test_connection()):
        try:
            call()
        except ConnectorError as exc:
            errors.append(f"{exc} {exc!r} {exc.args}")
    assert len(errors) == 2
    for text in [caplog.text, *errors, repr(conn), repr(conn.http), repr(vars(conn)), repr(vars(conn.http))]:
        assert hub.token not in text and hub.token[::-1] not in text
    assert all(hub.token not in f"{r.path}?{r.query} {r.body}" for r in hub.requests)
    assert "Bearer" not in caplog.text and "GET /account-info/v3/details -> 401" in caplog.text


@pytest.fixture
def use_keyring(monkeypatch):
    monkeypatch.delenv("BDR_DESK_HUBSPOT_TOKEN", raising=False)
    before = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend
    yield install
    keyring.set_keyring(before)


def test_credentials_from_the_environment_then_the_keyring(use_keyring, monkeypatch, hub, clock):
    store = use_keyring(MemoryKeyring())
    with pytest.raises(ConnectorError) as err:
        HubSpotConnector(hub.url)
    assert err.value.kind == "config" and "BDR_DESK_HUBSPOT_TOKEN" in str(err.value) and "\n" not in str(err.value)
    credentials.set_token("hubspot", "token", hub.token)
    assert store.store == {("bdr-desk", "hubspot:token"): hub.token}
    conn = HubSpotConnector(hub.url, clock=clock, sleep=clock.sleep)
    assert conn.test_connection().startswith("HubSpot portal") and hub.token not in repr(conn)
    monkeypatch.setenv("BDR_DESK_HUBSPOT_TOKEN", "  from-the-environment ")
    assert credentials.find_token("hubspot") == ("from-the-environment", "environment")
    monkeypatch.setenv("BDR_DESK_SALESFORCE_CLIENT_ID", "sf-client")
    assert credentials.get_token("salesforce", "client_id") == "sf-client"
    assert credentials.delete_token("hubspot") and not credentials.delete_token("hubspot")
    assert store.store == {}


def test_a_missing_keyring_counts_as_no_token(use_keyring):
    use_keyring(keyring.backends.fail.Keyring())
    value, reason = credentials.find_token("hubspot")
    assert value is None and "no usable OS keyring" in reason
    with pytest.raises(ConnectorError) as err:
        credentials.set_token("hubspot", "token", "pat-na1-never-stored")
    assert err.value.kind == "config" and "never-stored" not in str(err.value)
    assert "BDR_DESK_HUBSPOT_TOKEN" in str(err.value)
    assert repr(credentials.Secret("pat-na1-x")) == "Secret('***')"


class BlockingKeyring(MemoryKeyring):
    """A backend stuck on an unlock prompt nobody answers."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service, username):
        self.release.wait(10)
        return "pat-na1-too-late"


def test_a_keyring_that_blocks_is_given_up_on(use_keyring, monkeypatch):
    backend = use_keyring(BlockingKeyring())
    monkeypatch.setattr(credentials, "KEYRING_TIMEOUT", 0.2)
    try:
        value, reason = credentials.find_token("hubspot")
        assert value is None and "did not answer within 0.2 s" in reason
    finally:
        backend.release.set()
