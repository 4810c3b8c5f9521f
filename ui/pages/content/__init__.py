"""The Content library page and its parts (search, facets, cards, detail, curation, insights)."""
