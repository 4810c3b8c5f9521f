"""People with job titles: the layouts (cards, lists, headings, tables, definition lists, title above the name),
one-line and prose patterns (English and German), what must not count as a person, and the measured
(person, title) pair precision/recall/F1 on the 13 annotated webstruct team pages (``tests/webstruct_eval``)."""

from __future__ import annotations

import datetime as dt
import glob
import os

import pytest

from accounts.research.extract import extract_page, roles
from tests.conftest import fixtures_dir
from tests.webstruct_eval import Score, gold_pairs, score, strip_annotations

AT = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def people(body: str, url: str = "https://acme.example/team") -> dict[str, str | None]:
    pf = extract_page(f"<html><head><title>Team</title></head><body>{body}</body></html>", url, captured_at=AT)
    return {p.name: p.title for p in pf.people}


LAYOUTS = {
    "cards": """<h1>Leadership</h1><div class="grid">
        <div class="card"><img src="a.jpg"><h4 class="name">Maria Garcia</h4><p class="role">Chief Operating Officer</p>
          <p>Maria joined us in 2019 after ten years in logistics.</p></div>
        <div class="card"><img src="b.jpg"><h4 class="name">Wei Zhang</h4><p class="role">Head of Sales, EMEA</p>
          <p>Wei leads our European sales team.</p></div></div>""",
    "list": """<ul class="team"><li><strong>Maria Garcia</strong><br>Chief Operating Officer</li>
        <li><strong>Wei Zhang</strong><br>Head of Sales, EMEA</li></ul>""",
    "one-line list": """<ul><li>Maria Garcia, Chief Operating Officer</li><li>Wei Zhang – Head of Sales, EMEA</li></ul>""",
    "headings": """<h2>Maria Garcia</h2><h3>Chief Operating Officer</h3><p>Bio text about operations.</p>
        <h2>Wei Zhang</h2><h3>Head of Sales, EMEA</h3><p>Bio text about sales.</p>""",
    "table": """<table><tr><th>Name</th><th>Position</th></tr><tr><td>Maria Garcia</td><td>Chief Operating Officer</td></tr>
        <tr><td>Wei Zhang</td><td>Head of Sales, EMEA</td></tr></table>""",
    "definition list": """<dl><dt>Maria Garcia</dt><dd>Chief Operating Officer</dd><dt>Wei Zhang</dt>
        <dd>Head of Sales, EMEA</dd></dl>""",
    "title above name": """<div class="person"><span class="job-title">Chief Operating Officer</span><b class="name">Maria
        Garcia</b></div><div class="person"><span class="job-title">Head of Sales, EMEA</span><b class="name">Wei
        Zhang</b></div>""",
    "upper case": """<div><h5>MARIA GARCIA</h5><p>CHIEF OPERATING OFFICER</p></div>
        <div><h5>WEI ZHANG</h5><p>HEAD OF SALES, EMEA</p></div>""",
    "elementor widget": """<div class="elementor-team-member"><img src="m.jpg"><h3 class="elementor-heading-title">Maria
        Garcia</h3><p class="elementor-team-member-position">Chief Operating Officer</p></div><div
        class="elementor-team-member"><h3 class="elementor-heading-title">Wei Zhang</h3><p
        class="elementor-team-member-position">Head of Sales, EMEA</p></div>""",
    "bootstrap cards": """<div class="card"><div class="card-body"><h5 class="card-title">Maria Garcia</h5>
        <p class="card-text">Chief Operating Officer</p><a href="/team/maria" class="btn">Read more</a></div></div>
        <div class="card"><div class="card-body"><h5 class="card-title">Wei Zhang</h5>
        <p class="card-text">Head of Sales, EMEA</p><a href="/team/wei" class="btn">Read more</a></div></div>""",
    "title inside heading": """<h3>Maria Garcia <small>Chief Operating Officer</small></h3><p>Bio.</p>
        <h3>Wei Zhang <small>Head of Sales, EMEA</small></h3><p>Bio.</p>""",
    "pronouns and nicknames": """<h4>Maria Garcia (she/her)</h4><p>Chief Operating Officer</p>
        <h4>Wei "Will" Zhang</h4><p>Head of Sales, EMEA</p>""",
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts(layout):
    found = {k.title(): (v or "").title() for k, v in people(LAYOUTS[layout]).items()}
    assert found == {"Maria Garcia": "Chief Operating Officer", "Wei Zhang": "Head Of Sales, Emea"}


@pytest.mark.parametrize("text,name,title", [
    ("“We are growing fast,” said Jane Doe, Chief Financial Officer of Acme.", "Jane Doe", "Chief Financial Officer"),
    ("Acme today announced that CEO Jane Doe will speak at the summit.", "Jane Doe", "CEO"),
    ("The deal was signed by Jane Doe (CFO) and the board.", "Jane Doe", "CFO"),
    ("Jane Doe is the Vice President of Marketing at Acme.", "Jane Doe", "Vice President of Marketing"),
    ("Acme has appointed Jane Doe as Chief Revenue Officer, effective today.", "Jane Doe", "Chief Revenue Officer"),
    ("Jane Doe joins as Head of Customer Success after eight years at Initech.", "Jane Doe", "Head of Customer Success"),
    ("Geschäftsführer: Max Mustermann", "Max Mustermann", "Geschäftsführer"),
    ("Inhaberin: Erika Musterfrau", "Erika Musterfrau", "Inhaberin"),
    ("Dr. Anna Schmidt, Leiterin Vertrieb, erklärt die neue Strategie.", "Anna Schmidt", "Leiterin Vertrieb"),
])
def test_prose_and_one_line_patterns(text, name, title):
    found = people(f"<p>{text}</p>", "https://acme.example/press/release")
    assert found.get(name) == title, found


@pytest.mark.parametrize("body", [
    "<nav><ul><li>About Us</li><li>Our Team</li><li>Contact</li></ul></nav><h2>Meet Our Team</h2><p>Read More</p>",
    "<p>Customer Success</p><p>Chief Executive Officer</p>",  # a department is not a person
    "<blockquote>Great service!</blockquote><p>Charles Russo, Calvin Klein</p>",  # name, company: no title
    "<h2>Executive Team</h2><p>Board of Directors</p><p>Managing Partners</p>",
    "<h3>Product Updates</h3><p>Sales Manager Dashboard</p><p>Client Services</p><p>Senior Director</p>",
    "<p>Dear Phillip,</p><p>Thank you for the great service.</p>",
    "<h1>Leader spotlight: Erin Spiceland</h1><p>Jessica Rudder</p>",
])
def test_not_people(body):
    found = people(body)
    assert not {k: v for k, v in found.items() if v}, found


def test_people_quoted_in_testimonials_are_less_certain():
    pf = extract_page("""<html><body><div class="member"><h3>Jane Doe</h3><p>Chief Financial Officer</p></div>
      <div class="testimonials"><blockquote><p>Great partner!</p><cite>John Smith, Marketing Manager at Initech</cite>
      </blockquote></div></body></html>""", "https://acme.example/team", captured_at=AT)
    by = {p.name: (p.title, p.confidence) for p in pf.people}
    assert by == {"Jane Doe": ("Chief Financial Officer", 0.8), "John Smith": ("Marketing Manager", pytest.approx(0.45))}


def test_card_links_give_email_and_linkedin():
    pf = extract_page("""<html><body>
      <div class="member"><h3>Jane Doe</h3><p>Chief Financial Officer</p>
        <a href="https://www.linkedin.com/in/janedoe/">LinkedIn</a> <a href="mailto:jane@acme.example">Mail</a></div>
      <div class="member"><h3>John Smith</h3><p>VP of Engineering</p>
        <a href="https://www.linkedin.com/in/jsmith">LinkedIn</a></div></body></html>""",
                      "https://acme.example/team", captured_at=AT)
    by = {p.name: p for p in pf.people}
    assert by["Jane Doe"].linkedin_url == "https://www.linkedin.com/in/janedoe/"
    assert by["Jane Doe"].email == "jane@acme.example"
    assert by["John Smith"].linkedin_url == "https://www.linkedin.com/in/jsmith" and by["John Smith"].email is None
    assert by["Jane Doe"].evidence == "Jane Doe / Chief Financial Officer" and by["Jane Doe"].confidence == 0.8
    assert by["Jane Doe"].source_url == "https://acme.example/team" and by["Jane Doe"].captured_at == AT


def test_schema_org_person_and_founder():
    pf = extract_page("""<html><head><script type="application/ld+json">[
      {"@context": "https://schema.org", "@type": "Person", "name": "Ada Lovelace", "jobTitle": "CTO"},
      {"@context": "https://schema.org", "@type": "Organization", "name": "Acme",
       "founder": {"@type": "Person", "name": "Grace Hopper"}}]</script></head><body>
      <div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Alan Turing</span>
      <span itemprop="jobTitle">Chief Scientist</span></div></body></html>""", "https://acme.example/", captured_at=AT)
    by = {p.name: (p.title, p.confidence) for p in pf.people}
    assert by == {"Ada Lovelace": ("CTO", 0.9), "Grace Hopper": ("Founder", 0.8),
                  "Alan Turing": ("Chief Scientist", 0.85)}


@pytest.mark.parametrize("text,name", [
    ("Michelle Babb, MS, RD, CD", "Michelle Babb"), ("Dr. Behrooz A. Torkian", "Behrooz A. Torkian"),
    ("Lovely C. Laban GNP-C MSN", "Lovely C. Laban"), ("MICHAEL UPWARD", "Michael Upward"),
    ("Andrew Bon Salle", "Andrew Bon Salle"), ("Ludwig van Beethoven", "Ludwig van Beethoven"),
    ("Jörg Schwarte", "Jörg Schwarte"), ("Seán O'Brien", "Seán O'Brien"), ("Our Team", None),
    ("Client Services", None), ("Vice President", None), ("New York", None), ("Jane", None),
    ("Jim Scullion, CEO", None), ("Lerncoach Ausbildung", None), ("Privacy Policy", None),
])
def test_name_recognition(text, name):
    assert roles.name_of(text) == name


@pytest.mark.parametrize("text,ok", [
    ("Chief Financial Officer", True), ("VP of Engineering", True), ("Geschäftsführerin", True),
    ("Vertriebsleiter", True), ("Senior Vice President, Customer Engagement", True), ("Owner & Designer", True),
    ("Executive Team", False), ("Leader spotlight", False), ("Read more about our CEO", False),
    ("Industrial Markets", False), ("Jane Doe, CEO", False), ("We are hiring engineers", False),
])
def test_title_recognition(text, ok):
    assert (roles.title_of(text) is not None) is ok


def test_webstruct_pair_f1(capsys):
    """(person, title) pairs on the 13 annotated webstruct team pages (annotations stripped before extracting);
    matching as documented in tests/webstruct_eval.py."""
    pages = sorted(glob.glob(os.path.join(fixtures_dir(), "web", "webstruct_team", "*.html")))
    assert len(pages) == 13
    total = Score()
    for path in pages:
        with open(path, encoding="utf-8", errors="replace") as fh:
            raw = fh.read()
        gold = gold_pairs(raw)
        pf = extract_page(strip_annotations(raw), "http://example.com/", captured_at=AT)
        total.add(score([(p.name, p.title) for p in pf.people], gold, os.path.basename(path)))
    with capsys.disabled():
        print(f"\nwebstruct team pages, (person, title) pairs: precision {total.precision:.3f} "
              f"({total.tp}/{total.predicted}), recall {total.recall:.3f} ({total.found}/{total.gold}), "
              f"F1 {total.f1:.3f}; misses: {total.misses}; wrong: {total.wrong}")
    assert total.gold >= 80
    assert total.precision >= 0.97 and total.recall >= 0.97 and total.f1 >= 0.97
