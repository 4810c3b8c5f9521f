"""Message templates: merge fields with fallbacks, StrictUndefined reporting, the sandbox against known escape
payloads and resource bombs, syntax errors with line and column, template storage on both engines."""

from __future__ import annotations

import pytest

from accounts.messaging import (
    MessagingError,
    draft_message,
    list_templates,
    merge_context,
    render_template,
    render_text,
    resolve_contact,
    resolve_template,
    save_template,
)
from accounts.models import Account, Contact, Message, PainHypothesis, Signal
from accounts.template_sandbox import (
    MAX_SOURCE_CHARS,
    MAX_TAGS,
    Fields,
    TemplateError,
    compile_template,
    recording,
    referenced_names,
    render_source,
)
from bdr_desk.users import User


def _ctx(**contact):
    return {"account": Fields("account", {"name": "Acme Robotics", "industry_label": None}, "Acme Robotics"),
            "contact": Fields("contact", contact), "hypothesis": Fields("hypothesis", {}),
            "content": Fields("content", {})}


# ---- rendering ----------------------------------------------------------------------------------------------

def test_fallbacks_apply_to_missing_and_empty_values():
    r = render_text("Hi {{ contact.first_name | default('there') }}",
                    "{{ account.name }} / {{ account.industry_label | default('your industry') }}",
                    _ctx(first_name=None))
    assert r.subject == "Hi there"
    assert r.body == "Acme Robotics / your industry"
    assert r.missing == [] and r.ready


def test_every_missing_field_is_reported_once_with_its_path_and_shown_as_a_placeholder():
    r = render_text("{{ contact.first_name }}", "Dear {{ contact.first_name }} {{ contact.last_name }}, "
                    "{{ hypothesis.pain }} {{ nothing.here }} {{ contact.first_name }}", _ctx(last_name="Doe"))
    assert r.missing == ["contact.first_name", "hypothesis.pain", "nothing.here"]
    assert not r.ready
    assert "Dear {{ contact.first_name }} Doe" in r.body


def test_if_on_a_missing_field_is_a_guard_not_a_missing_field():
    r = render_text(None, "{% if contact.title %}As {{ contact.title }}{% else %}Hello{% endif %}", _ctx())
    assert r.body == "Hello" and r.missing == []


def test_outside_a_recording_missing_values_raise_like_strict_undefined():
    with pytest.raises(TemplateError, match="undefined"):
        render_source("{{ contact.first_name }}", _ctx())
    with recording() as missing:
        render_source("{{ contact.first_name }}", _ctx())
    assert missing == ["contact.first_name"]


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__ }}",
    "{{ ''|attr('__class__') }}",
    "{{ account.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__['__builtins__'] }}",
    "{{ contact._data }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ request.application.__globals__ }}",
    "{{ config.items() }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ '{0.__class__}'.format('') }}",
    "{{ 'x'.format_map({}) }}{{ '{0.__class__.__mro__}'.format_map([1]) }}",
    "{% set x = account.__getitem__ %}{{ x('name') }}",
    "{{ account|attr('_data') }}",
    "{{ (account|attr('__class__')).__name__ }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_escapes_fail_safely(payload):
    """Every known payload either raises a one-line TemplateError or renders without reaching internals."""
    try:
        r = render_text(None, payload, _ctx(first_name="Jane"))
    except TemplateError as exc:
        assert "\n" not in str(exc)
        return
    for leak in ("<class", "subclasses", "builtins", "uid=", "os.", "function", "_data", "Fields("):
        assert leak not in r.body, f"{payload!r} leaked {r.body[:120]!r}"


@pytest.mark.parametrize("payload", [
    "{{ 'x' * 1000000000 }}", "{{ [1] * 1000000000 }}", "{{ '%1000000000d' % 1 }}", "{{ '%*d' % (1000000000, 1) }}",
    "{{ 'x'.center(1000000000) }}", "{{ 'x'.ljust(1000000000) }}", "{{ 'x'|indent(1000000000) }}",
    "{{ 'x'|center(1000000000) }}", "{{ '{:>1000000000}'.format(1) }}", "{{ 9 ** 999999 }}",
    "{{ range(1000000000)|list }}",
])
def test_resource_bombs_are_refused_before_they_run(payload):
    with pytest.raises(TemplateError, match="not allowed|too large|too long|range"):
        render_text(None, payload, _ctx())


def test_runaway_loops_are_stopped_by_the_time_limit():
    loop = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError, match="longer than"):
        render_source(loop, {}, time_limit=0.2)
    strings = "{% for a in 'x' * 100000 %}{% for b in 'y' * 100000 %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError, match="longer than"):
        render_source(strings, {}, time_limit=0.2)


def test_output_over_the_cap_is_refused():
    with pytest.raises(TemplateError, match="output is over"):
        render_source("{% for i in range(30000) %}{{ 'x' * 100 }}{% endfor %}", {})


def test_a_one_megabyte_template_renders_and_a_bigger_or_tag_heavy_one_is_refused():
    para = ("Our customers in regulated industries tell us that audit evidence takes weeks to assemble. " * 12
            + "Hello {{ account.name }}, about {{ contact.first_name | default('you') }}.\n")
    big = para * (MAX_SOURCE_CHARS // len(para))
    r = render_text(None, big, _ctx())
    assert len(big) > 0.95 * MAX_SOURCE_CHARS
    assert r.body.count("Hello Acme Robotics, about you.") == MAX_SOURCE_CHARS // len(para)
    with pytest.raises(TemplateError, match="limit is 1,000,000"):
        compile_template(big + "x" * (MAX_SOURCE_CHARS - len(big) + 1))
    with pytest.raises(TemplateError, match=f"6,000 merge fields and tags; the limit is {MAX_TAGS:,}"):
        compile_template("{{ account.name }} " * 6000)


@pytest.mark.parametrize(("source", "line", "column"), [
    ("Hello {{ contact.first_name", 1, 7),
    ("line one\nline two {% if %}", 2, 10),
    ("a\nb\n  {% endfor %}", 3, 3),
    ("{{ 'unterminated }}", 1, 1),
    ("ok\n{{ foo( }}", 2, 1),
    ("Hi {{ a }}, {{ b }", 1, 13),
])
def test_syntax_errors_name_line_and_column(source, line, column):
    with pytest.raises(TemplateError, match=rf"line {line}, column {column}:"):
        compile_template(source, "body")


def test_referenced_names():
    assert referenced_names("{{ account.name }} {% for s in research.signals %}{{ s.title }}{% endfor %}") == {
        "account", "research"}
    assert referenced_names("{% if %}") == set()


# ---- merge context and storage on both engines ----------------------------------------------------------------

@pytest.fixture
def acme(workspace):
    with workspace.session() as s:
        owner = User(name="Maya Okafor", email="maya@seller.example", role="bdr")
        s.add(owner)
        s.flush()
        acc = Account(name="Acme Robotics", domain="acme.example", industry="fintech", size_band=None,
                      owner_id=owner.id, hq_city="Berlin")
        s.add(acc)
        s.flush()
        jane = Contact(account_id=acc.id, first_name="Jane", last_name="Doe", title="CFO", email="jane@acme.example",
                       persona="cfo")
        anon = Contact(account_id=acc.id, email="ap@acme.example")
        hyp = PainHypothesis(account_id=acc.id, pain="compliance_risk", hypothesis="Audit evidence is assembled by hand",
                             confidence=70, persona="cfo")
        s.add_all([jane, anon, hyp, Signal(account_id=acc.id, kind="funding", title="Series C raised")])
        s.flush()
        return {"account": acc.id, "jane": jane.id, "anon": anon.id, "hyp": hyp.id, "owner": owner.id}


def test_merge_context_fields_come_from_the_records(workspace, acme):
    with workspace.session() as s:
        jane = s.get(Contact, acme["jane"])
        ctx = merge_context(s, account=jane.account, contact=jane, hypothesis=s.get(PainHypothesis, acme["hyp"]),
                            content={"title": "Fintech audit case study", "url": "https://x.example/cs"})
        r = render_text("{{ hypothesis.pain }} for {{ contact.persona_label }}",
                        "{{ contact.full_name }}, {{ contact.title }} at {{ account }} ({{ account.city }}); "
                        "{{ account.industry_label }}; {{ content.title }} {{ content.url }}; "
                        "{{ research.latest_signal.title }}; from {{ sender.first_name }}", ctx)
    assert r.missing == []
    assert r.subject == "Compliance & regulatory risk for CFO / Finance leader"
    assert "Jane Doe, CFO at Acme Robotics (Berlin)" in r.body
    assert "https://x.example/cs" in r.body and "Series C raised" in r.body and r.body.endswith("from Maya")


def test_render_template_for_a_contact_without_a_name_blocks_drafting(workspace, acme):
    with workspace.session() as s:
        tpl = save_template(s, name="Cold", body="Hi {{ contact.first_name }}, {{ account.name }}",
                            subject="{{ account.name }}", owner_id=acme["owner"])
        anon = s.get(Contact, acme["anon"])
        r = render_template(s, tpl, contact=anon)
        assert r.missing == ["contact.first_name"] and r.subject == "Acme Robotics"
        with pytest.raises(MessagingError, match="contact.first_name"):
            draft_message(s, contact=anon, rendered=r)
        ok = render_template(s, tpl, contact=s.get(Contact, acme["jane"]))
        msg = draft_message(s, contact=s.get(Contact, acme["jane"]), rendered=ok, template_id=tpl.id,
                            hypothesis_id=acme["hyp"])
        assert s.get(Message, msg.id).hypothesis_id == acme["hyp"]


def test_templates_validate_and_resolve(workspace, acme):
    with workspace.session() as s:
        t = save_template(s, name="  LinkedIn   hello ", body="Hi {{ contact.first_name | default('there') }}",
                          channel="LinkedIn note", persona="CFO", pain="Audit readiness", shared=True)
        assert (t.name, t.channel, t.persona) == ("LinkedIn hello", "linkedin", "cfo")
        assert resolve_template(s, "linkedin HELLO").id == t.id == resolve_template(s, str(t.id)).id
        with pytest.raises(MessagingError, match="already exists"):
            save_template(s, name="LinkedIn hello", body="x")
        with pytest.raises(MessagingError, match="unknown channel 'fax'"):
            save_template(s, name="Fax", body="x", channel="fax")
        with pytest.raises(MessagingError, match="unknown persona"):
            save_template(s, name="P", body="x", persona="astronaut")
        with pytest.raises(TemplateError, match="line 1, column"):
            save_template(s, name="Broken", body="{% if %}")
        with pytest.raises(MessagingError, match="changed by someone else"):
            save_template(s, name="LinkedIn hello", body="y", template_id=t.id, expected_version=t.version + 1)
        private = save_template(s, name="Mine", body="x", owner_id=acme["owner"])
        other = User(name="Other", email="o@seller.example")
        s.add(other)
        s.flush()
        assert {x.name for x in list_templates(s, user_id=other.id)} == {"LinkedIn hello"}
        assert {x.name for x in list_templates(s, user_id=acme["owner"])} == {"LinkedIn hello", "Mine"}
        assert private.id in {x.id for x in list_templates(s, channel="email")}
        with pytest.raises(MessagingError, match="no template"):
            resolve_template(s, "nope")


def test_resolve_contact_by_id_email_and_name(workspace, acme):
    with workspace.session() as s:
        assert resolve_contact(s, str(acme["jane"])).id == acme["jane"]
        assert resolve_contact(s, "JANE@acme.example").id == acme["jane"]
        assert resolve_contact(s, "jane  doe").id == acme["jane"]
        for bad, msg in (("999999", "no contact with id"), ("x@y.example", "no contact with e-mail"),
                         ("Nobody Here", "no contact is named"), ("", "name a contact")):
            with pytest.raises(MessagingError, match=msg):
                resolve_contact(s, bad)
