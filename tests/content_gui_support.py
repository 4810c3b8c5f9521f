"""Shared data and fixtures of the Content library GUI tests (tests/test_content_gui.py and
tests/test_content_curation_gui.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from content_library.items import ItemDraft, create_item
from content_library.usage import record_usage
from ui.pages.content.page import ContentPage

TODAY = dt.date.today()
ITEMS = [  # title, type, status, summary, body, facets, review_by
    ("Hospital audit case study", "case_study", "published", "Audit prep cut by 60% at a regional hospital",
     "The compliance team passed the payer audit with zero findings.",
     {"industry": ["healthcare"], "pain": ["compliance_risk", "audit_readiness"], "persona": ["cfo"]},
     TODAY - dt.timedelta(days=3)),
    ("Bank security deck", "deck", "draft", "For CISOs at regional banks",
     "Security operations and audit trails for banking.", {"industry": ["banking"], "persona": ["ciso"]},
     TODAY + dt.timedelta(days=30)),
    ("Compliance one-pager", "one_pager", "published", "Compliance automation on one page",
     "Regulatory reporting without spreadsheets.", {"pain": ["compliance_risk"], "industry": ["fintech"]}, None),
    ("Fintech close whitepaper", "whitepaper", "published", "Closing the books faster",
     "Reconciliation and month-end close for fintech finance teams.",
     {"industry": ["fintech"], "size_band": ["1001_5000"], "persona": ["cfo"]}, None),
]


def _seed(ws, user_id=None) -> dict[str, int]:
    ids = {}
    with ws.session() as s:
        for title, kind, status, summary, body, facets, review in ITEMS:
            item = create_item(s, ItemDraft(title=title, type=kind, status=status, summary=summary, body_text=body,
                                            facets=facets, review_by=review, url=f"https://cdn.example/{kind}",
                                            owner_id=user_id))
            ids[title] = item.id
        record_usage(s, ids["Hospital audit case study"], "shared")
        record_usage(s, ids["Hospital audit case study"], "attached")
        record_usage(s, ids["Compliance one-pager"], "copied_link")
    return ids


def _page(qtbot, ctx) -> ContentPage:
    page = ContentPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def _titles(page) -> list[str]:
    return [page.model.row_at(r).title for r in range(page.model.rowCount())]


def _count(ws, model, *where) -> int:
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))
