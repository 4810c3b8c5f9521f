"""Research extraction on hand-made pages: the entry points, company facts, structured data, signals, text and
links, combining pages, and bad input (broken, huge, deeply nested, invalid JSON-LD, a failing extractor)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.research import extract
from accounts.research.extract import combine, extract_page
from accounts.research.extract.dates import find_date
from accounts.research.facts import PageInfo

AT = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)

CONTRACT_PAGE = """<html><head><title>Acme Robotics — Leadership</title>
<meta name="description" content="Acme Robotics builds warehouse robots.">
<script async src="https://js.hs-scripts.com/123456.js"></script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Acme Robotics","url":"https://acme-robotics.example"}</script>
</head><body><h1>Our team</h1>
<div class="member"><h3>Jane Doe</h3><p>Chief Financial Officer</p></div>
<div class="member"><h3>John Smith</h3><p>VP of Engineering</p></div>
</body></html>"""


def page(html: str, url: str = "https://www.acme.example/", **kw):
    return extract_page(html, url, captured_at=AT, **kw)


def test_contract_page_yields_company_people_and_hubspot():
    pf = page(CONTRACT_PAGE, "https://acme-robotics.example/team")
    out = combine([pf], [PageInfo("https://acme-robotics.example/team", 200)]).as_json()
    assert out["company"]["name"] == "Acme Robotics"
    assert out["company"]["description"] == "Acme Robotics builds warehouse robots."
    people = {p["name"]: p["title"] for p in out["people"]}
    assert people == {"Jane Doe": "Chief Financial Officer", "John Smith": "VP of Engineering"}
    assert all(p["source_url"] == "https://acme-robotics.example/team" for p in out["people"])
    hub = next(t for t in out["technologies"] if t["name"] == "HubSpot")
    assert hub["category"] == "marketing_automation" and "js.hs-scripts.com" in hub["evidence"]
    assert {"company", "people", "technologies", "signals", "pages"} <= set(out)
    assert out["pages"] == [{"url": "https://acme-robotics.example/team", "status": 200, "title": None, "error": None,
                             "fetched_at": None}]
    assert pf.title == "Acme Robotics — Leadership"
    src = pf.company.fields["name"]
    assert (src.confidence, src.source_url, src.captured_at) == (0.9, "https://acme-robotics.example/team", AT)


ORG_JSONLD = """<html><head><title>Home | Initech</title>
<meta property="og:site_name" content="Initech Inc.">
<meta property="og:description" content="OG description">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://initech.example/#site", "name": "Initech"},
  {"@type": ["Organization", "Corporation"], "@id": "https://initech.example/#org", "name": "Initech",
   "legalName": "Initech Inc.", "url": "https://initech.example/", "description": "Initech makes TPS reports.",
   "logo": {"@type": "ImageObject", "url": "/img/logo.png"}, "foundingDate": "1998-04-01",
   "numberOfEmployees": {"@type": "QuantitativeValue", "value": 250}, "telephone": "+1 512 555 0100",
   "address": {"@type": "PostalAddress", "streetAddress": "1 Main St", "addressLocality": "Austin",
               "addressRegion": "TX", "postalCode": "78701", "addressCountry": "United States"},
   "sameAs": ["https://www.linkedin.com/company/initech/", "https://twitter.com/initech",
              "https://github.com/initech", "https://www.youtube.com/@initech", "https://www.xing.com/pages/initech",
              "https://www.crunchbase.com/organization/initech"]}
]}
</script></head><body>
<a href="https://twitter.com/intent/tweet?url=x">Tweet</a>
<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>
<a href="https://www.facebook.com/">Facebook</a>
<a href="https://www.linkedin.com/in/some-person">Someone</a>
<footer><a href="https://www.instagram.com/initech_hq/">Instagram</a><a href="https://www.facebook.com/initech">FB</a>
<a href="mailto:info@initech.example">Mail us</a> <a href="tel:+15125550199">Call</a></footer>
</body></html>"""


def test_jsonld_organization_with_graph_and_sameas():
    c = page(ORG_JSONLD, "https://initech.example/").company
    assert c.value("name") == "Initech"
    assert c.value("description") == "Initech makes TPS reports."
    assert c.value("logo") == "https://initech.example/img/logo.png"
    assert c.value("founded") == 1998 and c.value("employees") == 250
    assert c.value("phone") == "+1 512 555 0100"
    assert c.value("address") == "1 Main St, 78701 Austin, TX"
    assert (c.value("city"), c.value("region"), c.value("country")) == ("Austin", "TX", "US")
    assert c.value("email") == "info@initech.example"
    assert c.fields["name"].confidence == 0.9 and c.fields["name"].evidence.startswith("json-ld")
    social = {k: v.value for k, v in c.social.items()}
    assert social == {
        "linkedin": "https://www.linkedin.com/company/initech", "twitter": "https://twitter.com/initech",
        "github": "https://github.com/initech", "youtube": "https://www.youtube.com/@initech",
        "xing": "https://www.xing.com/pages/initech", "crunchbase": "https://www.crunchbase.com/organization/initech",
        "instagram": "https://www.instagram.com/initech_hq", "facebook": "https://www.facebook.com/initech"}
    assert c.social["linkedin"].confidence == 0.9 and c.social["facebook"].confidence < 0.9


def test_microdata_organization_and_meta_fallbacks():
    html = """<html><head><title>Widgets | Globex</title><meta name="description" content="Globex sells widgets.">
    <meta property="og:description" content="OG text"></head><body>
    <div itemscope itemtype="http://schema.org/LocalBusiness"><span itemprop="name">Globex GmbH</span>
      <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
        <span itemprop="streetAddress">Hauptstraße 5</span> <span itemprop="postalCode">10115</span>
        <span itemprop="addressLocality">Berlin</span> <meta itemprop="addressCountry" content="DE"></div>
      <span itemprop="telephone">+49 30 1234567</span></div></body></html>"""
    c = page(html, "https://www.globex.example/").company
    assert c.value("name") == "Globex GmbH" and c.fields["name"].confidence == 0.85
    assert c.value("address") == "Hauptstraße 5, 10115 Berlin"
    assert (c.value("city"), c.value("country"), c.value("phone")) == ("Berlin", "DE", "+49 30 1234567")
    assert c.value("description") == "Globex sells widgets." and c.fields["description"].confidence == 0.7
    bare = page("<html><head><title>Products - Hooli</title></head><body><p>x</p></body></html>",
                "https://hooli.example/products").company
    assert bare.value("name") == "Hooli" and bare.fields["name"].confidence <= 0.6


def test_impressum_address_phone_email_and_managing_director():
    html = """<html><head><title>Impressum | Muster Software GmbH</title></head><body><h1>Impressum</h1>
    <h2>Angaben gemäß § 5 TMG</h2><p>Muster Software GmbH</p><p>Musterstraße 12</p><p>80331 München</p>
    <p>Telefon: +49 89 1234 567</p><p>Fax: +49 89 1234 568</p><p>E-Mail: kontakt@muster-software.de</p>
    <p>Geschäftsführer: Max Mustermann, Erika Musterfrau</p><p>Handelsregister: HRB 12345</p>
    <p>Seit 1998 entwickeln wir Software. Wir beschäftigen über 120 Mitarbeiter.</p></body></html>"""
    pf = page(html, "https://www.muster-software.de/impressum")
    c = pf.company
    assert c.value("address") == "Musterstraße 12, 80331 München" and c.value("city") == "München"
    assert c.value("phone") == "+49 89 1234 567"
    assert c.value("email") == "kontakt@muster-software.de" and c.value("country") == "DE"
    assert c.value("founded") == 1998 and c.value("employees") == 120
    people = {p.name: p.title for p in pf.people}
    assert people == {"Max Mustermann": "Geschäftsführer", "Erika Musterfrau": "Geschäftsführer"}


@pytest.mark.parametrize("sentence,founded,employees", [
    ("Founded in 2004, we are a team of 45 engineers.", 2004, 45),
    ("Established 1987. Today 1,200+ employees serve customers worldwide.", 1987, 1200),
    ("We have more than 200 employees.", None, 200),
    ("Das Unternehmen wurde 2011 gegründet und hat rund 60 Mitarbeiterinnen.", 2011, 60),
    ("In 2019 revenue grew. Our 2020 report is online.", None, None),
])
def test_founding_year_and_employee_hints(sentence, founded, employees):
    c = page(f"<html><body><p>{sentence}</p></body></html>", "https://x.example/about").company
    assert c.value("founded") == founded and c.value("employees") == employees
    if founded:
        assert c.fields["founded"].confidence == 0.5 and c.fields["founded"].evidence == sentence


CAREERS = """<html><head><title>Careers at Acme</title>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"JobPosting","title":"Senior Backend Engineer",
"datePosted":"2024-05-20","hiringOrganization":{"@type":"Organization","name":"Acme"}}</script></head><body>
<h1>Careers</h1><ul>
<li><a href="https://boards.greenhouse.io/acme/jobs/4001">Senior Backend Engineer</a></li>
<li><a href="https://boards.greenhouse.io/acme/jobs/4002">Frontend Developer</a></li>
<li><a href="https://boards.greenhouse.io/acme/jobs/4003">Account Executive, EMEA</a></li>
<li><a href="/careers/sdr-berlin">Sales Development Representative</a></li>
<li><a href="/careers/pmm">Product Marketing Manager</a></li>
<li><a href="/careers/controller">Financial Controller</a></li>
<li><a href="/careers/recruiter">Technical Recruiter</a></li>
<li><a href="/careers/csm">Customer Success Manager</a></li>
<li><a href="/careers/">View all jobs</a></li></ul></body></html>"""


def test_careers_page_counts_open_roles_by_function():
    pf = page(CAREERS, "https://acme.example/careers")
    hiring = [s for s in pf.signals if s.kind == "hiring"]
    assert len(hiring) == 1
    s = hiring[0]
    assert s.detail["open_roles"] == 8
    assert s.detail["roles"] == {"engineering": 2, "sales": 2, "marketing": 1, "finance": 1, "customer_success": 1,
                                 "hr": 1}
    assert s.date == AT.date() and s.confidence == 0.9 and "8 open roles" in s.text
    assert any(t.name == "Greenhouse" and t.category == "ats" for t in pf.technologies)


PRESS = """<html><head><title>Acme raises $20M Series B | Acme Newsroom</title>
<meta property="article:published_time" content="2024-03-05T09:00:00Z"><meta property="og:type" content="article">
</head><body><h1>Acme raises $20M Series B to expand into Europe</h1>
<p class="date">March 5, 2024</p>
<p>BERLIN — Acme, the warehouse robotics company, today announced it has raised $20 million in Series B funding
led by Example Ventures. “We will use the funds to grow,” said Jane Doe, Chief Executive Officer of Acme.</p>
<p>Acme also announced that it appointed John Smith as Chief Financial Officer.</p>
<p>The weather in Berlin was nice.</p></body></html>"""


def test_press_release_funding_with_date_and_leadership():
    pf = page(PRESS, "https://acme.example/press/acme-series-b")
    kinds = {(s.kind, s.date) for s in pf.signals}
    assert ("funding", dt.date(2024, 3, 5)) in kinds and ("leadership_change", dt.date(2024, 3, 5)) in kinds
    funding = next(s for s in pf.signals if s.kind == "funding")
    assert funding.text == "Acme raises $20M Series B to expand into Europe"
    assert not any("weather" in s.text for s in pf.signals)
    people = {p.name: p.title for p in pf.people}
    assert people["Jane Doe"] == "Chief Executive Officer" and people["John Smith"] == "Chief Financial Officer"


def test_news_list_items_with_english_and_german_dates():
    html = """<html><body><h1>News</h1>
    <div class="item"><h3>Acme acquires Widgetco to strengthen its platform</h3><span>12 January 2024</span></div>
    <div class="item"><h3>Acme opens new office in Singapore</h3><span>Nov. 3, 2023</span></div>
    <div class="item"><h3>Acme und Beispiel AG vereinbaren strategische Partnerschaft</h3><time>05.10.2023</time></div>
    <div class="item"><h3>Acme at the Logistics Summit in Hamburg this year</h3><span>2023-09-14</span></div>
    <div class="item"><h3>Contact our press team</h3></div></body></html>"""
    sig = {(s.kind, s.date) for s in page(html, "https://acme.example/news/").signals}
    assert sig == {("acquisition", dt.date(2024, 1, 12)), ("expansion", dt.date(2023, 11, 3)),
                   ("partnership", dt.date(2023, 10, 5)), ("news", dt.date(2023, 9, 14))}


@pytest.mark.parametrize("text,expected", [
    ("Published on March 5, 2024", dt.date(2024, 3, 5)), ("am 5. März 2024", dt.date(2024, 3, 5)),
    ("Stand: 07.11.2022", dt.date(2022, 11, 7)), ("2021-12-31T23:00:00+01:00", dt.date(2021, 12, 31)),
    ("Dec. 6th, 2022", dt.date(2022, 12, 6)), ("13/05/2024", dt.date(2024, 5, 13)), ("no date here", None),
    ("2024-02-30", None), ("in 2031-01-01", None),
])
def test_dates_in_text(text, expected):
    hit = find_date(text, today=dt.date(2024, 6, 1))
    assert (hit[0] if hit else None) == expected


def test_main_text_title_and_links():
    html = """<html><head><base href="https://cdn.example.org/site/"><title> Hello  World </title>
    <style>.x{}</style><script>var x = "script text";</script></head><body>
    <nav><a href="/about">About</a></nav><header><p>Header text</p></header>
    <main><h1>Welcome</h1><p>First <b>paragraph</b>.</p><ul><li>Item one</li></ul>
    <a href="page.html#top">Relative</a> <a href="https://other.example/x">Other</a>
    <a href="javascript:void(0)">JS</a><form><p>Form text</p></form></main>
    <footer><p>Footer text</p></footer></body></html>"""
    pf = page(html, "https://cdn.example.org/site/index.html")
    assert pf.title == "Hello World"
    assert pf.text == "Welcome\nFirst paragraph.\nItem one\nRelative Other JS"
    assert pf.links == [("https://cdn.example.org/about", "About"), ("https://cdn.example.org/site/page.html", "Relative"),
                        ("https://other.example/x", "Other")]


@pytest.mark.parametrize("html", [
    "", "<<<>>>", "<html><body><div><p>unclosed <b>bold <i>italic", "\x00\x01\x02 binary \xff\xfe",
    "<script type='application/ld+json'>{not json at all</script><p>Jane Doe, CEO</p>",
    "<script type='application/ld+json'>{\"@type\": \"Organization\", \"name\": [1, {\"a\": null}], \"sameAs\": 5}</script>",
    "<div itemscope itemtype='http://schema.org/Organization'><span itemprop='name'><div itemscope itemprop='x'>",
    "<meta name='description'><link rel='icon'><a href='tel:'>x</a><a href='mailto:'>y</a><a href='http://[bad'>z</a>",
    '<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>Jane Doe, CEO</p></body></html>',
    "\ufeff<html dir='rtl'><body><p>\u0645\u062d\u0645\u062f \u0639\u0644\u064a</p><p>\u682a\u5f0f\u4f1a\u793e</p></body></html>",
])
def test_bad_input_never_raises(html):
    pf = page(html, "https://x.example/")
    assert pf.url == "https://x.example/"
    combine([pf], [])


_PIECES = st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<br>", "<h3>", "</h3>", "<li>", "<a href='/x'>", "</a>", "<script>", "</script>",
    "<script type='application/ld+json'>", "{\"@type\": \"Organization\", \"name\": ", "\"Acme\"}", "<table><tr><td>",
    "Jane Doe", "Chief Executive Officer", ", ", " (CFO) ", "Geschäftsführer: ", "founded in 1999", "raises $5M",
    "March 5, 2024", "<meta name='generator' content='WordPress'>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "\x00",
    "<div itemscope itemtype='http://schema.org/Person'>", "<span itemprop='jobTitle'>", "</span>", "\ud800",
])


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=60))
def test_any_markup_is_read_without_an_exception(pieces):
    pf = page("".join(pieces), "https://x.example/p")
    combine([pf], []).as_json()


def test_lone_surrogates_from_a_bad_decode_are_replaced():
    pf = page("<html><body><p>bad \ud800 char</p><h3>Jane Doe</h3><p>Chief Executive Officer</p></body></html>")
    assert [(p.name, p.title) for p in pf.people] == [("Jane Doe", "Chief Executive Officer")]
    assert "bad" in pf.text


def test_huge_and_deeply_nested_pages_finish_quickly():
    big = "<html><body>" + "<div><p>Jane Doe, Chief Executive Officer of nothing.</p></div>" * 200_000 + "</body></html>"
    assert len(big) > 10_000_000
    t0 = time.perf_counter()
    pf = page(big, "https://x.example/")
    assert time.perf_counter() - t0 < 30
    assert len(pf.text) <= extract.MAX_TEXT_CHARS
    deep = "<html><body>" + "<div>" * 5000 + "<p>Deep text</p>" + "</div>" * 5000 + "</body></html>"
    t0 = time.perf_counter()
    page(deep, "https://x.example/")
    assert time.perf_counter() - t0 < 10


def test_a_failing_extractor_loses_only_its_concern(monkeypatch):
    from accounts.research.extract import people

    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(people, "extract_people", boom)
    pf = page(CONTRACT_PAGE, "https://acme-robotics.example/team")
    assert pf.people == [] and pf.company.value("name") == "Acme Robotics" and pf.technologies


def test_combine_merges_pages():
    home = page(ORG_JSONLD, "https://initech.example/")
    team = page("""<html><head><meta property="og:site_name" content="Initech Team"></head><body>
      <div><h3>Bill Lumbergh</h3><p>Vice President</p></div><div><h3>Peter Gibbons</h3><p>Engineer</p></div>
      <p>Bill Lumbergh</p><script src="https://js.hs-scripts.com/1.js"></script></body></html>""",
                "https://initech.example/team")
    about = page("<html><body><p>Bill Lumbergh is the Vice President of Sales.</p>"
                 "<a href='https://boards.greenhouse.io/initech/jobs/1'>Software Engineer</a></body></html>",
                 "https://initech.example/about")
    careers = page(CAREERS, "https://initech.example/careers")
    r = combine([home, team, about, careers], [PageInfo(u, 200) for u in ("https://initech.example/",)])
    assert r.company.value("name") == "Initech" and r.company.fields["name"].source_url == "https://initech.example/"
    names = [p.name for p in r.people]
    assert names.count("Bill Lumbergh") == 1
    assert next(p for p in r.people if p.name == "Bill Lumbergh").title == "Vice President"
    assert [t.name for t in r.technologies].count("HubSpot") == 1
    hiring = [s for s in r.signals if s.kind == "hiring"]
    assert len(hiring) == 1 and hiring[0].detail["open_roles"] == 9
    assert r.signals[-1].date is None or all(s.date is not None for s in r.signals)
    assert [p.url for p in r.pages] == ["https://initech.example/"]
