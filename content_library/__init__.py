"""Content library domain: collateral items, facets, search, extraction, recommendations, usage, requests.

Qt-free (DESIGN.md floor 3): imports floor 1 and ``accounts`` only.
"""
