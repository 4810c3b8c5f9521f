"""Normalizers for imported account data: numbers, names, industries and countries.

Every function is total over strings: it returns a clean value, ``None`` for a blank, or raises
:class:`ValueError` with a message a user can act on — never another exception.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from bdr_desk.taxonomy import INDUSTRY, Taxonomy

# ---- numbers ----------------------------------------------------------------------------------------------

_CURRENCY_RE = re.compile(r"(?i)(usd|eur|gbp|chf|jpy|cad|aud|us\$|[$€£¥₹])")
_SUFFIXES = {
    "k": 10**3, "thousand": 10**3, "tsd": 10**3,
    "m": 10**6, "mm": 10**6, "mn": 10**6, "mio": 10**6, "million": 10**6, "millions": 10**6,
    "b": 10**9, "bn": 10**9, "bil": 10**9, "billion": 10**9, "billions": 10**9, "mrd": 10**9,
}
_NUMBER_RE = re.compile(r"^([0-9][0-9.,]*)\s*([a-z]*)\.?$")
_SCI_RE = re.compile(r"^(\d+(?:\.\d+)?)e([+-]?\d{1,6})$")
_GROUPED_RE = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_number(text: str | None) -> Decimal | None:
    """``"$514,405.0"`` → 514405.0, ``"12,000"`` → 12000, ``"1.2k"`` → 1200, ``"1,2 Mio"`` → 1200000,
    ``"1.234.567,89 €"`` → 1234567.89; ``None`` for a blank; :class:`ValueError` for anything else.

    A single comma followed by exactly three digits is a thousands separator (US exports); otherwise a
    lone comma is a decimal comma (EU exports)."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    original = s
    s = s.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "").replace("’", "")
    s = _CURRENCY_RE.sub("", s).lower()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.startswith(("-", "+")):
        negative, s = s[0] == "-", s[1:]
    s = _CURRENCY_RE.sub("", s)
    sci = _SCI_RE.match(s)
    if sci:  # 6.0E7, as Salesforce exports large amounts
        if abs(int(sci.group(2))) > 30:
            raise ValueError(f"{original[:60]!r} is out of range")
        value = Decimal(s.upper())
        return -value if negative else value
    m = _NUMBER_RE.match(s)
    if not m or (m.group(2) and m.group(2) not in _SUFFIXES):
        raise ValueError(f"{original[:60]!r} is not a number")
    digits, suffix = m.group(1), m.group(2)
    if "," in digits and "." in digits:
        dec = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if dec == "," else ","
        digits = digits.replace(thousands, "").replace(dec, ".")
    elif "," in digits:
        if digits.count(",") > 1 or (_GROUPED_RE.match(digits) and not suffix):
            digits = digits.replace(",", "")
        else:
            digits = digits.replace(",", ".")
    elif digits.count(".") > 1:
        if not _GROUPED_RE.match(digits):
            raise ValueError(f"{original[:60]!r} is not a number")
        digits = digits.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d*)?", digits):
        raise ValueError(f"{original[:60]!r} is not a number")
    value = Decimal(digits)
    if suffix:
        value *= _SUFFIXES[suffix]
    return -value if negative else value


def parse_int(text: str | None) -> int | None:
    """A whole number (employees): a parsed number rounded half-up; ValueError for fractions like 2.5."""
    value = parse_number(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(f"{str(text)[:60]!r} is not a whole number")
    if abs(value) > 2**31 - 1:
        raise ValueError(f"{str(text)[:60]!r} is too large")
    return int(value)


# ---- names ------------------------------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corporation", "corp", "co", "company", "llc", "ltd", "limited", "gmbh", "ag", "sa",
    "plc", "nv", "bv", "pty", "lp", "llp", "sarl", "srl", "spa", "oy", "ab", "kg", "se", "sas", "kk", "and",
})


def clean_name(text: str | None) -> str | None:
    """Trimmed, inner whitespace collapsed; None when nothing is left."""
    if text is None:
        return None
    s = _WS_RE.sub(" ", str(text)).strip()
    return s or None


_DOTS_RE = re.compile(r"(?<=\w)[.'’](?=\w)")
_NONWORD_RE = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    if text.isascii():
        return _NONWORD_RE.sub(" ", _DOTS_RE.sub("", text.lower().replace("&", " and ")))
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("&", " and ")
    s = re.sub(r"(?<=\w)[.'’](?=\w)", "", s)  # s.a. → sa, o'neil → oneil
    return re.sub(r"[\W_]+", " ", s)


def name_key(text: str | None) -> str:
    """The comparison key of a company name: case- and accent-folded, punctuation dropped, a leading "The"
    and trailing legal suffixes ("Inc.", "GmbH", "Pty Ltd", "& Co"…) stripped. Idempotent."""
    if not text:
        return ""
    text = str(text)
    tokens = _fold(text).split()
    if not text.isascii():
        for _ in range(2):  # folding twice reaches the fixed point for odd Unicode
            tokens = _fold(" ".join(tokens)).split()
    while len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


# ---- industries -------------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(_fold(text).split())


# GICS sectors and sub-industries (S&P 500), Salesforce's and HubSpot's industry picklists → taxonomy keys
_SYNONYMS_SRC: dict[str, tuple[str, ...]] = {
    "software": (
        "Information Technology", "Application Software", "Systems Software", "Internet Services & Infrastructure",
        "Technology", "Computer Software", "Internet", "Information Technology and Services", "IT Services",
        "Computer & Network Security", "Computer Network Security", "SaaS", "Software", "Software Development",
        "Information Services", "Computer Games",
    ),
    "fintech": (
        "Transaction & Payment Processing Services", "Consumer Finance", "Financial Exchanges & Data", "Fintech",
        "Payments", "Financial Technology",
    ),
    "banking": (
        "Financials", "Banking", "Banks", "Diversified Banks", "Regional Banks", "Asset Management & Custody Banks",
        "Investment Banking & Brokerage", "Multi-Sector Holdings", "Finance", "Financial Services",
        "Capital Markets", "Investment Banking", "Investment Management", "Venture Capital & Private Equity",
    ),
    "insurance": (
        "Insurance", "Insurance Brokers", "Life & Health Insurance", "Multi-line Insurance",
        "Property & Casualty Insurance", "Reinsurance",
    ),
    "healthcare": (
        "Health Care", "Healthcare", "Health Care Distributors", "Health Care Equipment", "Health Care Facilities",
        "Health Care Services", "Health Care Supplies", "Health Care Technology", "Managed Health Care",
        "Hospital & Health Care", "Hospital Health Care", "Medical Devices", "Medical Practice", "Health, Wellness and Fitness",
    ),
    "life_sciences": (
        "Biotechnology", "Pharmaceuticals", "Life Sciences Tools & Services", "Life Sciences", "Pharma",
    ),
    "manufacturing": (
        "Industrials", "Manufacturing", "Machinery", "Aerospace & Defense", "Agricultural & Farm Machinery",
        "Building Products", "Construction Machinery & Heavy Transportation Equipment",
        "Electrical Components & Equipment", "Heavy Electrical Equipment", "Industrial Conglomerates",
        "Industrial Machinery & Supplies & Components", "Electronic Manufacturing Services",
        "Automobile Manufacturers", "Automotive Parts & Equipment", "Automotive", "Industrial Automation",
        "Mechanical or Industrial Engineering", "Aviation & Aerospace", "Defense & Space",
    ),
    "retail": (
        "Retail", "Consumer Discretionary", "Apparel Retail", "Automotive Retail", "Broadline Retail",
        "Computer & Electronics Retail", "Distributors", "Home Improvement Retail", "Homefurnishing Retail",
        "Other Specialty Retail", "Consumer Staples Merchandise Retail", "Food Retail", "E-commerce", "Ecommerce",
        "Supermarkets", "Wholesale",
    ),
    "logistics": (
        "Air Freight & Logistics", "Cargo Ground Transportation", "Passenger Airlines",
        "Passenger Ground Transportation", "Rail Transportation", "Trading Companies & Distributors",
        "Transportation", "Shipping", "Logistics", "Logistics and Supply Chain", "Transportation/Trucking/Railroad",
        "Airlines/Aviation", "Maritime", "Package/Freight Delivery", "Warehousing",
    ),
    "telecom": (
        "Telecommunications", "Telecommunication", "Telecom", "Communications", "Cable & Satellite",
        "Integrated Telecommunication Services", "Wireless Telecommunication Services", "Wireless",
    ),
    "energy": (
        "Energy", "Utilities", "Electric Utilities", "Gas Utilities", "Multi-Utilities", "Water Utilities",
        "Independent Power Producers & Energy Traders", "Integrated Oil & Gas", "Oil & Gas Equipment & Services",
        "Oil & Gas Exploration & Production", "Oil & Gas Refining & Marketing",
        "Oil & Gas Storage & Transportation", "Oil & Energy", "Renewables & Environment", "Environmental",
    ),
    "media": (
        "Communication Services", "Media", "Entertainment", "Advertising", "Broadcasting", "Publishing",
        "Interactive Home Entertainment", "Interactive Media & Services", "Movies & Entertainment",
        "Broadcast Media", "Marketing and Advertising", "Online Media", "Media Production", "Recreation",
    ),
    "education": ("Education", "Higher Education", "Education Management", "E-learning", "Primary/Secondary Education"),
    "professional_services": (
        "Professional Services", "Consulting", "Engineering", "Construction & Engineering",
        "Data Processing & Outsourced Services", "Diversified Support Services", "Environmental & Facilities Services",
        "Human Resource & Employment Services", "Research & Consulting Services", "IT Consulting & Other Services",
        "Management Consulting", "Accounting", "Legal Services", "Law Practice", "Staffing and Recruiting",
        "Specialized Consumer Services", "Business Services", "Outsourcing/Offshoring",
    ),
    "public_sector": (
        "Government", "Not For Profit", "Nonprofit", "Non-profit", "Government Administration", "Public Sector",
        "Nonprofit Organization Management", "Military", "Public Policy",
    ),
    "real_estate": ("Real Estate", "Real Estate Services", "Homebuilding", "Construction", "Commercial Real Estate"),
    "hospitality": (
        "Hospitality", "Casinos & Gaming", "Hotels, Resorts & Cruise Lines", "Restaurants", "Leisure, Travel & Tourism",
        "Travel", "Gambling & Casinos", "Food & Beverages",
    ),
    "consumer_goods": (
        "Consumer Staples", "Consumer Goods", "Apparel", "Apparel, Accessories & Luxury Goods", "Consumer Electronics",
        "Footwear", "Leisure Products", "Agricultural Products & Services", "Brewers", "Distillers & Vintners",
        "Food Distributors", "Household Products", "Packaged Foods & Meats", "Personal Care Products",
        "Soft Drinks & Non-alcoholic Beverages", "Tobacco", "Food & Beverage", "Food Production", "Agriculture",
        "Cosmetics", "Luxury Goods & Jewelry", "Apparel & Fashion", "Farming", "Beverages",
    ),
    "semiconductors": (
        "Semiconductors", "Semiconductor Materials & Equipment", "Communications Equipment", "Electronic Components",
        "Electronic Equipment & Instruments", "Technology Distributors", "Technology Hardware, Storage & Peripherals",
        "Electronics", "Computer Hardware", "Computer Networking", "Hardware",
    ),
    "materials": (
        "Materials", "Chemicals", "Commodity Chemicals", "Construction Materials", "Copper",
        "Fertilizers & Agricultural Chemicals", "Gold", "Industrial Gases", "Metal, Glass & Plastic Containers",
        "Paper & Plastic Packaging Products & Materials", "Specialty Chemicals", "Steel", "Mining & Metals",
        "Plastics", "Paper & Forest Products", "Packaging and Containers",
    ),
}
SYNONYMS: dict[str, str] = {_norm(v): key for key, values in _SYNONYMS_SRC.items() for v in values}
_KEYWORDS = (  # last resort: a word stem anywhere in the text
    ("reit", "real_estate"), ("real estate", "real_estate"), ("bank", "banking"), ("insur", "insurance"),
    ("pharma", "life_sciences"), ("biotech", "life_sciences"), ("health", "healthcare"), ("medical", "healthcare"),
    ("semiconductor", "semiconductors"), ("software", "software"), ("telecom", "telecom"), ("retail", "retail"),
    ("oil", "energy"), ("utilit", "energy"), ("energy", "energy"), ("logistic", "logistics"),
    ("transport", "logistics"), ("freight", "logistics"), ("manufactur", "manufacturing"), ("media", "media"),
    ("educat", "education"), ("government", "public_sector"), ("hotel", "hospitality"), ("chemical", "materials"),
    ("payment", "fintech"), ("consult", "professional_services"),
)


def map_industry(text: str | None, taxonomy: Taxonomy) -> str | None:
    """The taxonomy industry key for ``text`` (a key, a label, a GICS/Salesforce/HubSpot value), or None."""
    if not text or not str(text).strip():
        return None
    norm = _norm(str(text))
    keys = taxonomy.keys(INDUSTRY)
    for key in keys:
        if norm in (_norm(key), _norm(taxonomy.label(INDUSTRY, key))):
            return key
    found = SYNONYMS.get(norm)
    if found in keys:
        return found
    padded = f" {norm}"
    for stem, key in _KEYWORDS:
        if f" {stem}" in padded and key in keys:
            return key
    return None


# ---- countries --------------------------------------------------------------------------------------------

_COUNTRIES_SRC = {
    "US": ("United States", "United States of America", "USA", "U.S.", "U.S.A.", "America", "US"),
    "GB": ("United Kingdom", "UK", "U.K.", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland", "Britain"),
    "DE": ("Germany", "Deutschland"), "FR": ("France",), "IE": ("Ireland",), "NL": ("Netherlands", "The Netherlands", "Holland"),
    "BE": ("Belgium",), "LU": ("Luxembourg",), "CH": ("Switzerland", "Schweiz", "Suisse"), "AT": ("Austria", "Österreich"),
    "ES": ("Spain", "España"), "PT": ("Portugal",), "IT": ("Italy", "Italia"), "SE": ("Sweden",), "NO": ("Norway",),
    "DK": ("Denmark",), "FI": ("Finland",), "IS": ("Iceland",), "PL": ("Poland",), "CZ": ("Czech Republic", "Czechia"),
    "HU": ("Hungary",), "RO": ("Romania",), "GR": ("Greece",), "TR": ("Turkey", "Türkiye"), "IL": ("Israel",),
    "CA": ("Canada",), "MX": ("Mexico",), "BR": ("Brazil", "Brasil"), "AR": ("Argentina",), "CL": ("Chile",),
    "CO": ("Colombia",), "PE": ("Peru",), "AU": ("Australia",), "NZ": ("New Zealand",), "JP": ("Japan",),
    "CN": ("China", "People's Republic of China", "PRC"), "HK": ("Hong Kong",), "TW": ("Taiwan",),
    "KR": ("South Korea", "Korea", "Republic of Korea"), "SG": ("Singapore",), "IN": ("India",),
    "ID": ("Indonesia",), "MY": ("Malaysia",), "TH": ("Thailand",), "VN": ("Vietnam", "Viet Nam"),
    "PH": ("Philippines",), "AE": ("United Arab Emirates", "UAE"), "SA": ("Saudi Arabia",), "QA": ("Qatar",),
    "ZA": ("South Africa",), "NG": ("Nigeria",), "KE": ("Kenya",), "EG": ("Egypt",), "RU": ("Russia", "Russian Federation"),
    "UA": ("Ukraine",), "BM": ("Bermuda",), "KY": ("Cayman Islands",), "JE": ("Jersey",), "CY": ("Cyprus",),
    "MT": ("Malta",), "EE": ("Estonia",), "LV": ("Latvia",), "LT": ("Lithuania",), "SK": ("Slovakia",),
    "SI": ("Slovenia",), "HR": ("Croatia",), "BG": ("Bulgaria",), "RS": ("Serbia",), "PK": ("Pakistan",),
}
COUNTRIES: dict[str, str] = {_norm(n): code for code, names in _COUNTRIES_SRC.items() for n in names}
US_STATES = frozenset(_norm(s) for s in (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
    "Washington, D.C.", "Washington D.C.",
))


def parse_country(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for a country name or code ("United States", "USA", "UK" → GB); None when
    unknown or blank."""
    if not text or not str(text).strip():
        return None
    norm = _norm(str(text).replace(".", ""))
    code = COUNTRIES.get(norm) or COUNTRIES.get(_norm(str(text)))
    if code:
        return code
    raw = str(text).strip()
    if len(raw) == 2 and raw.isascii() and raw.isalpha():
        return raw.upper()
    return None


def country_name(code: str | None) -> str | None:
    """The usual English name of an ISO 3166-1 alpha-2 code ("US" → "United States"); None when unknown."""
    names = _COUNTRIES_SRC.get((code or "").strip().upper())
    return names[0] if names else None


def is_us_state(text: str | None) -> bool:
    return bool(text) and _norm(str(text)) in US_STATES
