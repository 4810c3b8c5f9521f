"""Technology detection with the project's own rules (``resources/research/technologies.json``): every kind of
evidence, the categories the issue asks for, what must not count, rule validation, and recall against the
Wappalyzer (MIT) rules run as an oracle on the real fixture pages (``tests/wappalyzer_oracle``)."""

from __future__ import annotations

import datetime as dt
import glob
import os

import pytest

from accounts.research.extract import extract_page, tech
from tests import wappalyzer_oracle
from tests.conftest import fixtures_dir

AT = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


def detect(head: str = "", body: str = "", **kw) -> dict[str, tuple[str, str, float]]:
    pf = extract_page(f"<html><head>{head}</head><body>{body}</body></html>", "https://acme.example/", captured_at=AT,
                      **kw)
    return {t.name: (t.category, t.evidence, t.confidence) for t in pf.technologies}


@pytest.mark.parametrize("snippet,name,category,evidence", [
    ('<script src="https://js.hs-scripts.com/4472479.js"></script>', "HubSpot", "marketing_automation",
     "script src https://js.hs-scripts.com/4472479.js"),
    ('<script src="//munchkin.marketo.net/142/munchkin.js"></script>', "Marketo", "marketing_automation", "script src"),
    ("<script>piAId = '123'; piCId = '456';</script>", "Pardot", "marketing_automation", "inline script piaid"),
    ('<script src="https://img.en25.com/i/elqCfg.min.js"></script>', "Eloqua", "marketing_automation", "en25.com"),
    ('<script src="https://trackcmp.net/visit"></script>', "ActiveCampaign", "marketing_automation", "trackcmp"),
    ('<form action="https://acme.us1.list-manage.com/subscribe/post"></form>', "Mailchimp", "marketing_automation",
     "form action"),
    ('<form action="https://webto.salesforce.com/servlet/servlet.WebToLead"></form>', "Salesforce", "crm", "form"),
    ('<script src="https://webforms.pipedrive.com/f/loader"></script>', "Pipedrive", "crm", "script src"),
    ('<iframe src="https://crm.zoho.eu/crm/WebFormServeServlet?rid=1"></iframe>', "Zoho CRM", "crm", "iframe src"),
    ('<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>', "Google Analytics",
     "analytics", "gtag/js?id=G-ABC123"),
    ("<script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i})</script>",
     "Google Tag Manager", "tag_manager", "inline script"),
    ('<script src="https://cdn.segment.com/analytics.js/v1/KEY/analytics.min.js"></script>', "Segment", "analytics",
     "cdn.segment.com"),
    ("<script>mixpanel.init('abc');</script>", "Mixpanel", "analytics", "mixpanel.init("),
    ('<script src="https://cdn.amplitude.com/libs/amplitude-8.js"></script>', "Amplitude", "analytics", "amplitude"),
    ("<script>heap.load('123');</script>", "Heap", "analytics", "heap.load("),
    ("<script>var _paq = window._paq || []; _paq.push(['trackPageView']);</script>", "Matomo", "analytics", "_paq"),
    ('<script defer data-domain="acme.example" src="https://plausible.io/js/script.js"></script>', "Plausible",
     "analytics", "plausible.io"),
    ('<script src="//assets.adobedtm.com/launch-EN123.min.js"></script>', "Adobe Launch", "tag_manager", "adobedtm"),
    ('<script src="//tags.tiqcdn.com/utag/acme/main/prod/utag.js"></script>', "Tealium", "tag_manager", "tiqcdn"),
    ('<script src="https://widget.intercom.io/widget/abc"></script>', "Intercom", "chat", "widget.intercom.io"),
    ("<script>!function(){var t=window.driftt=window.drift=window.driftt||[];drift.load('x');}()</script>", "Drift",
     "chat", "inline script"),
    ('<script src="https://embed.tawk.to/123/default"></script>', "tawk.to", "chat", "embed.tawk.to"),
    ("<script>window.$crisp=[];window.CRISP_WEBSITE_ID='x';</script>", "Crisp", "chat", "$crisp"),
    ('<script src="https://js.usemessages.com/conversations-embed.js"></script>', "HubSpot Chat", "chat", "usemessages"),
    ('<script src="https://j.6sc.co/6si.min.js"></script>', "6sense", "abm", "6sc.co"),
    ('<script src="https://tag.demandbase.com/abc.min.js"></script>', "Demandbase", "abm", "demandbase"),
    ('<script src="https://tag.clearbitscripts.com/v1/pk_x/tags.js"></script>', "Clearbit", "abm", "clearbitscripts"),
    ('<script src="https://js.zi-scripts.com/zi-tag.js"></script>', "ZoomInfo", "abm", "zi-scripts"),
    ('<script src="https://cdn.optimizely.com/js/123.js"></script>', "Optimizely", "ab_testing", "optimizely"),
    ("<script>window._vwo_code = window._vwo_code || (function(){})();</script>", "VWO", "ab_testing", "_vwo_code"),
    ('<script src="https://try.abtasty.com/abc.js"></script>', "AB Tasty", "ab_testing", "abtasty"),
    ("<script>(function(h,o,t,j,a,r){h._hjSettings={hjid:1};a.src='https://static.hotjar.com/c/hotjar-'})</script>",
     "Hotjar", "heatmap", "hotjar"),
    ("<script>window['_fs_org'] = 'ABC';</script>", "FullStory", "heatmap", "_fs_org"),
    ('<script>t.src="https://www.clarity.ms/tag/"+i;</script>', "Microsoft Clarity", "heatmap", "clarity.ms"),
    ('<meta name="generator" content="WordPress 6.4.2">', "WordPress", "cms", "meta generator=WordPress 6.4.2"),
    ('<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">', "Drupal", "cms", "meta generator"),
    ('<meta name="generator" content="Joomla! - Open Source Content Management">', "Joomla", "cms", "meta"),
    ('<html data-wf-page="123" data-wf-site="456">', "Webflow", "cms", "html data-wf-page"),
    ('<link rel="stylesheet" href="https://static.parastorage.com/x.css">', "Wix", "cms", "link stylesheet"),
    ('<link rel="stylesheet" href="https://static1.squarespace.com/static/x.css">', "Squarespace", "cms", "squarespace"),
    ('<img src="https://images.ctfassets.net/space/hero.jpg">', "Contentful", "cms", "img src"),
    ('<meta name="generator" content="HubSpot">', "HubSpot CMS", "cms", "meta generator=HubSpot"),
    ('<meta name="generator" content="Ghost 5.2">', "Ghost", "cms", "meta"),
    ('<script src="//cdn.shopify.com/s/files/1/theme.js"></script>', "Shopify", "ecommerce", "cdn.shopify.com"),
    ('<script type="text/x-magento-init">{}</script>', "Magento", "ecommerce", "x-magento-init"),
    ('<link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css">', "WooCommerce",
     "ecommerce", "plugins/woocommerce"),
    ('<script src="https://cdn11.bigcommerce.com/s-abc/theme.js"></script>', "BigCommerce", "ecommerce", "bigcommerce"),
    ('<img src="/on/demandware.static/-/Sites/default/logo.png">', "Salesforce Commerce Cloud", "ecommerce", "img src"),
    ('<a href="https://boards.greenhouse.io/acme">Open roles</a>', "Greenhouse", "ats", "link to"),
    ('<a href="https://jobs.lever.co/acme">Jobs</a>', "Lever", "ats", "jobs.lever.co"),
    ('<a href="https://acme.wd5.myworkdayjobs.com/External">Careers</a>', "Workday", "ats", "myworkdayjobs"),
    ('<a href="https://jobs.smartrecruiters.com/Acme">Jobs</a>', "SmartRecruiters", "ats", "smartrecruiters"),
    ('<a href="https://jobs.ashbyhq.com/acme">Jobs</a>', "Ashby", "ats", "ashbyhq"),
    ('<a href="https://acme.jobs.personio.de/">Karriere</a>', "Personio", "ats", "personio"),
    ('<a href="https://acme.recruitee.com/">Jobs</a>', "Recruitee", "ats", "recruitee"),
    ('<script src="https://scripts.teamtailor-cdn.com/widget.js"></script>', "Teamtailor", "ats", "teamtailor"),
    ('<script id="ze-snippet" src="https://static.zdassets.com/ekr/snippet.js?key=x"></script>', "Zendesk", "support",
     "zdassets"),
    ('<script src="https://widget.freshworks.com/widgets/123.js"></script>', "Freshdesk", "support", "freshworks"),
    ("<script>window.Beacon('init', 'abc')</script>", "Help Scout", "support", "beacon('init'"),
    ("<script>embedded_svc.init('https://acme.my.salesforce.com');</script>", "Salesforce Service Cloud", "support",
     "embedded_svc.init"),
    ('<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"></script>', "OneTrust", "consent",
     "cookielaw"),
    ('<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js"></script>', "Cookiebot", "consent", "cookiebot"),
])
def test_detects(snippet, name, category, evidence):
    head, body = (snippet, "") if snippet.startswith(("<meta", "<link")) else ("", snippet)
    if snippet.startswith("<html"):
        found = {t.name: (t.category, t.evidence, t.confidence) for t in extract_page(
            snippet + "</html>", "https://acme.example/", captured_at=AT).technologies}
    else:
        found = detect(head, body)
    assert name in found, found
    assert found[name][0] == category and evidence in found[name][1] and 0 < found[name][2] <= 0.99


def test_cookies_and_headers_when_fetched():
    found = detect(headers={"Server": "cloudflare", "CF-RAY": "abc", "X-Shopid": "1",
                            "Set-Cookie": "_shopify_y=1; Path=/, hubspotutk=2; Path=/"},
                   cookies={"OptanonConsent": "x", "_ga": "GA1.2"})
    assert found["Cloudflare"][0] == "cdn" and found["Cloudflare"][1].startswith("header ")
    assert found["Shopify"][2] >= 0.85 and found["HubSpot"][1] == "cookie hubspotutk"
    assert found["OneTrust"][1] == "cookie OptanonConsent" and found["Google Analytics"][1] == "cookie _ga"


def test_what_does_not_count():
    found = detect(body="""<p>We compared HubSpot, Marketo and Salesforce in our blog post.</p>
      <a href="https://www.hubspot.com/pricing">HubSpot pricing</a> <a href="https://www.shopify.com/">Shopify</a>
      <a href="https://twitter.com/intent/tweet?text=x">Tweet</a> <a href="https://www.optimizely.com/">Optimizely</a>""")
    assert found == {}


def test_implied_and_combined_evidence():
    found = detect(body='<script src="https://js.hs-scripts.com/1.js"></script><script>var _hsq = []; _hsq.push(1);'
                        '</script><script src="https://pi.pardot.com/pd.js"></script>')
    assert found["HubSpot"][2] == pytest.approx(0.95)  # script src 0.9 + a second, independent source
    assert found["HubSpot CRM"] == ("crm", "implied by HubSpot (script src https://js.hs-scripts.com/1.js)", 0.5)
    assert found["Salesforce"][2] == 0.5


def test_rules_load_once_and_validate():
    assert tech.rules() is tech.rules()
    rs = tech.rules()
    names = [r.name for r in rs.rules]
    assert len(names) == len(set(names)) >= 150
    categories = {r.category for r in rs.rules}
    assert {"marketing_automation", "crm", "analytics", "tag_manager", "chat", "abm", "ab_testing", "heatmap", "cms",
            "ecommerce", "ats", "support", "consent"} <= categories
    with pytest.raises(ValueError, match="'Bad'.*urls"):
        tech.load_rules({"technologies": [{"name": "Bad", "category": "cms", "urls": ["(unclosed"]}]})
    with pytest.raises(ValueError, match="lacks a name"):
        tech.load_rules({"technologies": [{"category": "cms"}]})
    custom = tech.load_rules({"technologies": [{"name": "Acme Tag", "category": "analytics", "hosts": ["acme-tag.io"]}]})
    pf = extract_page('<script src="https://cdn.acme-tag.io/t.js"></script>', "https://x.example/", captured_at=AT)
    from accounts.research.extract.text import parse
    hits = tech.detect(parse('<script src="https://cdn.acme-tag.io/t.js"></script>', "https://x.example/"), AT,
                       rule_set=custom)
    assert [h.name for h in hits] == ["Acme Tag"] and not any(t.name == "Acme Tag" for t in pf.technologies)


def test_recall_against_the_wappalyzer_oracle(capsys):
    """Wappalyzer's MIT rules (scriptSrc/html/scripts/meta) run on every real fixture page, restricted to the
    categories our detector covers (CMS, e-commerce, analytics, marketing automation, tag managers, live chat,
    CRM, consent, A/B testing, CDP, recruitment): how many of their hits we also make."""
    base = fixtures_dir()
    rules = wappalyzer_oracle.load(os.path.join(base, "tech_fingerprints", "wappalyzer_mit_v6.10.54"))
    assert len(rules) > 500
    pages = sorted(glob.glob(os.path.join(base, "web", "*", "**", "*.html"), recursive=True))
    assert len(pages) >= 45
    expected = found = 0
    misses, extra = [], 0
    for path in pages:
        with open(path, encoding="utf-8", errors="replace") as fh:
            html = fh.read()
        oracle = wappalyzer_oracle.detect(rules, html)
        ours = {t.name.lower() for t in extract_page(html, "https://example.com/", captured_at=AT).technologies}
        expected += len(oracle)
        hit = [k for k in oracle if k in ours]
        found += len(hit)
        misses += [f"{os.path.basename(path)}: {k} ({oracle[k]})" for k in oracle if k not in ours]
        extra += len(ours - set(oracle))
    recall = found / expected
    with capsys.disabled():
        print(f"\ntechnologies vs the Wappalyzer oracle on {len(pages)} fixture pages: recall {recall:.3f} "
              f"({found}/{expected}); misses: {misses}; {extra} further detections outside the oracle's view")
    assert expected >= 50
    assert recall >= 0.98
