"""Extraction from fetched pages, one module per concern (company, structured data, people, technologies,
signals), all Qt-free and network-free.

Entry points (the crawler and the CLI use only these):

- ``extract_page(html, url, *, headers=None, cookies=None, captured_at=None) -> PageFacts``
- ``combine(pages: list[PageFacts], infos: list[PageInfo]) -> ResearchResult``: merged company facts (best
  value per field), people de-duplicated by name, technologies by name, signals by (kind, text).
"""
