"""A small company website for the research GUI tests and screenshots: a home page with schema.org data and
marketing scripts, about, team, careers and press pages — served by :class:`tests.research_server.SiteServer`.

``gate`` (a :class:`threading.Event`) holds the team page until the test releases it, so a test can cancel a
crawl while it is in flight without sleeping."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler

from tests.research_server import Answer, Route, html, robots

SCRIPTS = ("<script async src='https://js.hs-scripts.com/4242.js'></script>"
           "<script async src='https://www.googletagmanager.com/gtm.js?id=GTM-ACME1'></script>"
           "<script src='https://widget.intercom.io/widget/abc123'></script>"
           "<script src='https://cdn.optimizely.com/js/12345.js'></script>")
PEOPLE = (("Jane Doe", "Chief Executive Officer"), ("Raj Patel", "Chief Financial Officer"),
          ("Maria Gonzalez", "VP of Engineering"), ("Tom Becker", "Head of IT"))
PRESS = (("2026-03-12", "Acme Robotics raises $40 million Series C to scale warehouse automation"),
         ("2026-02-03", "Acme Robotics appoints Raj Patel as Chief Financial Officer"),
         ("2026-01-15", "Acme Robotics opens new office in Austin, Texas"),
         ("2025-11-20", "Acme Robotics launches the R2 picking robot"))


def _org(base: str) -> str:
    org = {"@context": "https://schema.org", "@type": "Organization", "name": "Acme Robotics", "url": base + "/",
           "description": "Acme Robotics builds autonomous picking robots for warehouses.",
           "telephone": "+1 512 555 0100", "foundingDate": "2014", "numberOfEmployees": "420",
           "address": {"@type": "PostalAddress", "addressLocality": "Austin", "addressRegion": "TX",
                       "addressCountry": "US"},
           "sameAs": ["https://www.linkedin.com/company/acme-robotics", "https://twitter.com/acmerobotics",
                      "https://github.com/acme-robotics"]}
    return f"<script type='application/ld+json'>{json.dumps(org)}</script>"


def _gated(answer: Answer, gate: threading.Event):
    def handler(_h: BaseHTTPRequestHandler) -> Answer:
        gate.wait(10)  # bounded: a test that forgets to release the gate still ends
        return answer
    return handler


def site(base: str, gate: threading.Event | None = None) -> dict[str, Route]:
    """The routes of Acme Robotics' website served at ``base`` (``http://127.0.0.1:PORT``)."""
    nav = ("<nav><a href='/about'>About us</a> <a href='/team'>Leadership team</a> <a href='/careers'>Careers</a> "
           "<a href='/press'>Press releases</a></nav>")
    cards = "".join(f"<div class='member'><h3>{n}</h3><p>{t}</p></div>" for n, t in PEOPLE)
    roles = "".join(f"<li><a href='#{i}'>{t}</a></li>" for i, t in enumerate(
        ("Senior Software Engineer", "Backend Engineer", "Account Executive", "Sales Development Representative",
         "Field Service Technician")))
    press = "".join(f"<article><time datetime='{d}'>{d}</time><h2><a href='/press/{i}'>{t}</a></h2></article>"
                    for i, (d, t) in enumerate(PRESS))
    team = html(f"<h1>Leadership team</h1>{cards}", title="Leadership — Acme Robotics")
    return {
        "/robots.txt": robots("User-agent: *\nAllow: /\n"),
        "/": html(nav + "<h1>Robots that pick, pack and never sleep</h1>", title="Acme Robotics",
                  head=SCRIPTS + _org(base) + "<meta name='description' content='Warehouse picking robots.'>"),
        "/about": html("<h1>About Acme Robotics</h1><p>Founded in 2014 in Austin, Acme Robotics employs 420 "
                       "people.</p>", title="About — Acme Robotics"),
        "/team": _gated(team, gate) if gate is not None else team,
        "/careers": html(f"<h1>Careers</h1><h2>Open positions</h2><ul>{roles}</ul>", title="Careers"),
        "/press": html(f"<h1>Press releases</h1>{press}", title="Press — Acme Robotics"),
        "/press/0": html(f"<article><h1>{PRESS[0][1]}</h1><time datetime='{PRESS[0][0]}'>{PRESS[0][0]}</time>"
                         "<p>The round was led by Northwind Capital. Acme Robotics will use the funds to double "
                         "its engineering team.</p></article>", title=PRESS[0][1]),
        "/press/1": html(f"<article><h1>{PRESS[1][1]}</h1><time datetime='{PRESS[1][0]}'>{PRESS[1][0]}</time>"
                         "<p>Raj Patel joins from Initech, where he was VP Finance.</p></article>",
                         title=PRESS[1][1]),
    }
