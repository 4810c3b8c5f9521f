from __future__ import annotations

import pytest

from accounts.domains import normalize_domain


@pytest.mark.parametrize("raw,expected", [
    ("www.Acme.co.uk/about", "acme.co.uk"),
    ("https://www.contract-test.example.com/about", "contract-test.example.com"),
    ("HTTPS://Shop.Acme.com.au:8443/x?y=1", "acme.com.au"),
    ("jane@Sales.Acme.com", "acme.com"),
    ("northwind.example", "northwind.example"),
    ("acme.de.", "acme.de"),
    ("", None), (None, None), ("not a domain", None), ("http://localhost", None), ("10.0.0.1", None),
])
def test_normalize_domain(raw, expected):
    assert normalize_domain(raw) == expected
