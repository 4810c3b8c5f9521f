"""Recognising person names and job titles in short strings (the vocabulary :mod:`people` builds on).

A *name* is 2–4 capitalised words (plus initials and particles such as "van"/"de"), optionally behind an
honorific ("Dr.") and before credentials ("MD", "PhD", "PA-C") which are dropped; none of its words may be a
role, department or navigation/company word. A *title* is a short phrase holding a role word from
:data:`HEADS` (chief, officer, CEO, VP, director, head, manager, founder, partner, owner, engineer, …, and
German/French/Spanish ones such as Geschäftsführer, Inhaber, directeur, gerente), with modifiers and
departments ("Senior Vice President, Client Services").
"""

from __future__ import annotations

import re

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŹŻŽ"
_LO = "a-zß-öø-ÿāăąćčďđēęěğīłńňōőœřśşšţťūůűźżž"
WORD_RE = re.compile(rf"^(?:[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?|(?:O|D)['’][{_UP}][{_LO}]+)"
                     rf"(?:[-'’][{_UP}]?[{_LO}]+)*$")
CAPS_RE = re.compile(rf"^[{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*$")
INITIAL_RE = re.compile(rf"^[{_UP}]\.(?:-?[{_UP}]\.)?$|^[{_UP}]$")
PARTICLES = frozenset(("van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ten", "ter",
                       "zu", "bin", "al", "el", "y", "dos", "das", "st.", "mac"))
HONORIFICS = frozenset(("dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "prof", "prof.", "professor",
                        "sir", "dame", "herr", "frau", "mag.", "dipl.-ing.", "ing.", "dott.", "mx.", "rev.", "hon."))
CREDENTIALS = frozenset((
    "md", "m.d.", "phd", "ph.d", "ph.d.", "mba", "cpa", "rn", "ms", "msn", "rd", "cd", "pa-c", "gnp-c", "np", "fnp",
    "fnp-c", "dds", "dmd", "esq", "esq.", "jd", "j.d.", "llm", "ll.m.", "pe", "p.e.", "cfa", "cfp", "facs", "faap",
    "l.e.", "le", "jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "ma", "msc", "bsc", "ba", "bs", "mph", "dvm", "do",
    "od", "lcsw", "lpc", "cfe", "cma", "pmp", "shrm-cp", "phr", "sphr", "aia", "leed", "ap", "ceng", "frcs", "mrcp",
    "dipl.", "dipl.-kfm.", "m.sc.", "b.sc.", "mha", "apr", "cissp", "cisa", "acca", "aca", "fca", "cima", "dr.-ing.",
))
# role words: a title holds at least one of them
HEADS = frozenset((
    "chief", "officer", "ceo", "cfo", "cto", "coo", "cmo", "cro", "cio", "ciso", "cso", "cpo", "cdo", "chro", "cco",
    "cxo", "cao", "clo", "cpto", "vp", "svp", "evp", "avp", "president", "vice-president", "vicepresident",
    "director", "head", "manager", "founder", "co-founder", "cofounder", "partner", "owner",
    "principal", "lead", "leader", "engineer", "developer", "architect", "designer", "consultant", "advisor",
    "adviser", "analyst", "specialist", "coordinator", "administrator", "assistant", "associate", "accountant",
    "controller", "treasurer", "secretary", "counsel", "attorney", "lawyer", "solicitor", "barrister", "chairman",
    "chairwoman", "chair", "chairperson", "trustee", "executive", "supervisor", "superintendent", "supt.", "supt",
    "technician", "representative", "rep", "agent", "strategist", "scientist", "researcher", "editor", "producer",
    "recruiter", "buyer", "planner", "estimator", "foreman", "inspector", "instructor", "tutor", "teacher",
    "trainer", "coach", "professor", "surgeon", "physician", "nurse", "dentist", "hygienist", "therapist",
    "pharmacist", "esthetician", "aesthetician", "practitioner", "evangelist", "clerk", "receptionist",
    "bookkeeper", "paralegal", "auditor", "actuary", "underwriter", "broker", "realtor", "marketer", "proprietor",
    "operator", "chef", "gm", "md", "member", "fellow", "programmer", "commissioner", "ombudsman", "curator", "librarian", "photographer", "superintendant",
    "geschäftsführer", "geschäftsführerin", "geschäftsführung", "geschaeftsfuehrer", "inhaber", "inhaberin",
    "vorstand", "vorständin", "vorstandsvorsitzender", "vorstandsvorsitzende", "vorsitzender", "vorsitzende",
    "prokurist", "prokuristin", "gesellschafter", "gesellschafterin", "gründer", "gründerin", "mitgründer",
    "mitgründerin", "direktor", "direktorin", "leiter", "leiterin", "leitung", "referent", "referentin", "berater",
    "beraterin", "sachbearbeiter", "sachbearbeiterin", "assistenz", "ingenieur", "ingenieurin", "architektin",
    "entwickler", "entwicklerin", "präsident", "präsidentin", "aufsichtsratsvorsitzender", "sprecher", "sprecherin",
    "directeur", "directrice", "gérant", "gérante", "fondateur", "fondatrice", "président", "présidente",
    "responsable", "directora", "gerente", "fundador", "fundadora", "presidente", "jefe", "jefa", "socio", "socia",
))
C_LEVEL = frozenset(("ceo", "cfo", "cto", "coo", "cmo", "cro", "cio", "ciso", "cpo", "cdo", "chro", "cco", "cso",
                     "president", "founder", "co-founder", "cofounder", "chairman", "chairwoman", "chief",
                     "geschäftsführer", "geschäftsführerin", "inhaber", "inhaberin", "vorstand", "owner"))
_DE_SUFFIXES = ("leiter", "leiterin", "führer", "führerin", "berater", "beraterin", "entwickler", "entwicklerin",
                "ingenieur", "ingenieurin", "referent", "referentin", "manager", "managerin", "assistent",
                "assistentin", "vorstand", "direktor", "direktorin", "gründer", "gründerin", "planer", "planerin",
                "techniker", "meister", "meisterin", "designer", "designerin", "architekt", "beauftragter",
                "beauftragte", "kaufmann", "kauffrau", "officer", "director", "engineer", "developer")
MODIFIERS = frozenset((
    "senior", "sr", "sr.", "junior", "jr.", "executive", "deputy", "assistant", "associate", "global", "regional",
    "national", "international", "general", "managing", "group", "corporate", "interim", "acting", "founding",
    "principal", "lead", "staff", "chief", "vice", "first", "second", "of", "and", "&", "for", "the", "und", "for",
    "marketing", "sales", "engineering", "finance", "financial", "operations", "operating", "operational",
    "technology", "technical", "information", "product", "products", "people", "human", "resources", "hr",
    "legal", "compliance", "risk", "security", "data", "analytics", "digital", "strategy", "strategic", "business",
    "development", "customer", "customers", "client", "clients", "success", "service", "services", "support",
    "experience", "communications", "communication", "revenue", "growth", "partnerships", "alliances", "channel",
    "account", "accounts", "key", "enterprise", "commercial", "procurement", "purchasing", "supply", "chain",
    "logistics", "manufacturing", "production", "quality", "research", "r&d", "design", "creative", "content",
    "brand", "media", "public", "relations", "pr", "investor", "treasury", "tax", "audit", "accounting",
    "controlling", "administration", "admin", "office", "project", "projects", "program", "programme",
    "portfolio", "software", "hardware", "systems", "it", "infrastructure", "cloud", "platform", "solutions",
    "architecture", "innovation", "transformation", "talent", "recruiting", "recruitment", "learning", "training",
    "education", "medical", "clinical", "science", "scientific", "safety", "environmental", "facilities", "site",
    "field", "inside", "outside", "area", "territory", "country", "emea", "apac", "americas", "europe", "dach",
    "north", "south", "east", "west", "central", "worldwide", "markets", "market", "industrial", "computing",
    "board", "management", "partner", "partners", "member", "web", "senior-level", "ux", "ui", "hr", "culture",
    "diversity", "inclusion", "creative", "art", "editorial", "events", "community", "social", "demand",
    "generation", "field", "solution", "pre-sales", "presales", "post-sales", "internal", "external", "affairs",
    "government", "policy", "regulatory", "underwriting", "pricing", "capital", "investment", "investments",
    "wealth", "asset", "private", "equity", "ventures", "venture", "corporate", "secretary", "general", "counsel",
    "trust", "payroll", "benefits", "compensation", "office", "administrative", "business-development", "of.",
))
CONNECTORS = frozenset(("of", "and", "&", "for", "the", "und", "in", "de", "des", "du", "/", "+", "et", "y"))
# capitalised words that are never part of a person's name on a company site
NON_NAME = frozenset((
    "team", "our", "about", "us", "contact", "home", "services", "service", "solutions", "solution", "products",
    "product", "company", "news", "blog", "careers", "career", "jobs", "job", "privacy", "policy", "terms",
    "conditions", "cookie", "cookies", "read", "more", "learn", "view", "meet", "the", "and", "board", "directors",
    "management", "leadership", "executive", "executives", "group", "inc", "inc.", "llc", "ltd", "ltd.", "gmbh", "ag",
    "corp", "corp.", "corporation", "co.", "university", "college", "school", "institute", "street", "avenue",
    "suite", "customer", "customers", "client", "clients", "support", "sales", "marketing", "engineering", "design",
    "web", "digital", "media", "new", "north", "south", "east", "west", "center", "centre", "city", "county",
    "state", "united", "states", "america", "american", "national", "international", "global", "world",
    "business", "development", "financial", "finance", "capital", "markets", "investment", "investors",
    "relations", "press", "release", "releases", "events", "event", "resources", "human", "office", "offices",
    "location", "locations", "hours", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "all", "rights", "reserved", "copyright", "site", "map", "search", "login", "sign", "register",
    "subscribe", "follow", "share", "print", "email", "e-mail", "phone", "fax", "welcome", "thank", "thanks", "dear",
    "hi", "hello", "best", "regards", "sincerely", "testimonial", "testimonials", "reviews", "review", "project",
    "projects", "portfolio", "gallery", "photo", "photos", "video", "videos", "faq", "faqs", "help", "free", "get",
    "started", "quote", "request", "schedule", "book", "call", "now", "today", "click", "here", "download", "back",
    "top", "next", "previous", "page", "latest", "recent", "posts", "categories", "archives", "tags", "comments",
    "menu", "skip", "content", "main", "footer", "header", "sidebar", "bio", "profile", "linkedin", "twitter",
    "facebook", "instagram", "youtube", "google", "microsoft", "apple", "amazon", "industrial", "commercial",
    "residential", "construction", "remodeling", "interior", "kitchen", "health", "care", "medical", "clinical",
    "dental", "law", "legal", "firm", "attorneys", "injury", "workers", "compensation", "technology", "technologies",
    "software", "systems", "network", "networks", "partners", "partner", "associates", "consulting", "group",
    "holdings", "industries", "international", "ventures", "labs", "studio", "studios", "agency", "foundation",
    "association", "society", "council", "committee", "department", "division", "unit", "organization",
    "organisation", "trust", "bank", "insurance", "real", "estate", "property", "properties", "hotel", "restaurant",
    "museum", "club", "church", "hospital", "clinic", "academy", "learning", "training", "education", "course",
    "courses", "program", "programs", "overview", "mission", "vision", "values", "history", "story", "culture",
    "diversity", "inclusion", "sustainability", "investor", "governance", "awards", "community", "impact", "shop",
    "store", "cart", "checkout", "account", "my", "your", "their", "his", "her", "its", "we", "you", "they",
    "impressum", "datenschutz", "kontakt", "startseite", "unternehmen", "leistungen", "referenzen", "agentur",
    "haftung", "inhalte", "links", "urheberrecht", "anfahrt", "über", "uns", "wir", "ihr", "und", "mit", "für",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "aktuelles", "presse", "karriere", "stellenangebote",
    "mehr", "erfahren", "jetzt", "hier", "strategy", "operations", "product", "platform", "cloud", "data",
    "analytics", "security", "success", "experience", "communications", "pricing", "features", "demo", "trial",
    "customer", "stories", "case", "studies", "study", "paper", "papers", "webinar", "webinars", "guide",
    "ebook", "report", "reports", "docs", "documentation", "api", "developers", "status", "legal", "imprint",
    "sitemap", "accessibility", "language", "english", "deutsch", "français", "español", "open", "positions",
    "apply", "submit", "send", "message", "name", "address", "city", "zip", "country", "date", "time",
    "quality", "safety", "environment", "solar", "energy", "water", "air", "food", "wine",
    "beauty", "skin", "spa", "salon", "fitness", "sports", "travel", "tours", "cars", "car", "auto", "motors",
    "fleet", "lease", "leasing", "loan", "loans", "mortgage", "homes", "housing", "recreation", "york", "los",
    "angeles", "san", "francisco", "diego", "las", "vegas", "new", "jersey", "texas", "california", "florida",
    "washington", "boston", "chicago", "london", "berlin", "paris", "munich", "münchen", "hamburg", "europe",
    "asia", "africa", "australia", "canada", "germany", "deutschland", "france", "spain", "italy", "usa", "uk",
    "north", "awards", "award", "winner", "winning", "certified", "board-certified", "general", "annual",
    "meeting", "summit", "conference", "week", "month", "year", "years", "season",
    "autumn", "christmas", "holiday", "holidays", "sale", "special", "offer", "offers", "deals",
    "catalog", "catalogue", "brochure", "manual", "plastics", "processing", "markets", "o.e.m.", "parts",
    "equipment", "machines", "machinery", "tools", "chillers", "pumps", "controls", "temperature", "dryers",
    "injection", "mold", "molding", "moulding", "extrusion", "blow", "facial", "plastic", "reconstructive",
    "surgery", "nursing", "ltd", "limited", "plc", "llp", "lp", "sa", "s.a.", "srl", "bv", "nv", "kg", "ohg",
    "e.v.", "mbh", "ug", "pty", "co", "cie", "et", "of", "for", "in", "on", "at", "by", "to", "from", "with",
    "most", "best", "top", "leading", "advice", "tips", "how", "why", "what", "when",
))
_ASIDE = re.compile(r"\s*\((?:she|he|they|sie|er|ze|xe)/\w+(?:/\w+)?\)|\s[\"“‘'][A-Z][a-z]+[\"”’']\s", re.I)
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "ments", "ment")
_JOB_ENDINGS = ("coach", "manager", "leiter", "leiterin", "berater", "beraterin", "direktor", "referent", "trainer",
                "assistent", "ingenieur", "entwickler", "designer", "officer")
_HEADING_ENDS = frozenset(("team", "teams", "staff", "leadership", "directors", "officers", "managers", "partners",
                           "founders", "members", "executives", "people", "employees", "committee",
                           "management", "team:", "us", "contacts", "contact", "mitarbeiter", "vorstände"))
_NOT_IN_NAMES = frozenset(("vice", "senior", "junior", "deputy", "managing", "interim", "regional", "general",
                           "acting", "sr.", "jr", "founding", "associate", "staff", "lead", "principal",
                           "operations", "strategy", "corporate", "product", "products", "engineering"))
_SENTENCE = frozenset(("is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should",
                       "we", "our", "you", "your", "i", "my", "me", "he", "she", "his", "her", "him", "they", "their",
                       "them", "it", "its", "this", "that", "these", "those", "there", "please", "click", "read",
                       "more", "learn", "see", "view", "meet", "join", "contact", "call", "email", "apply",
                       "wir", "sie", "ist", "sind", "hat", "haben", "unser", "unsere", "ihr", "ihre", "mehr",
                       "ihnen", "uns", "ich", "du", "welcome", "thank", "thanks", "all", "when", "if", "who", "what",
                       "how", "why", "where", "which", "not", "no", "yes", "very", "also", "been", "being", "did",
                       "does", "do", "about", "than", "then", "because", "since", "while", "after", "before",
                       "during", "through", "into", "jobs", "job", "vacancies", "openings", "positions", "wanted",
                       "hiring", "opportunities", "search", "find", "looking", "seeking", "dear", "hi", "hello",
                       "good", "morning", "afternoon", "evening", "regards", "cheers", "sincerely", "a", "an"))
CREDENTIALS = frozenset(c.strip(".") for c in CREDENTIALS)
HONORIFICS = frozenset(h.strip(".") for h in HONORIFICS)
_TRAIL = " \t,;:|–—-•·*»>/\"'“”‘’()[]"
_TOKEN = re.compile(r"[^\s,;:|()\[\]/]+|[,;:|()\[\]/]")


def fold(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]").lower()


def is_head(word: str) -> bool:
    w = fold(word)
    if w in HEADS:
        return True
    if len(w) > 9 and w.endswith(_DE_SUFFIXES) and word[:1].isupper():
        return True
    return False


def is_title_word(word: str) -> bool:
    w = fold(word)
    return w in MODIFIERS or w in CONNECTORS or is_head(word)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def split_name(text: str) -> tuple[str | None, list[str]]:
    """``(name, credentials)`` when ``text`` is exactly a person name (credentials dropped), else ``(None, [])``."""
    if "(" in text or '"' in text or "“" in text or "'" in text:  # Jane Doe (she/her), Robert "Bob" Smith
        text = _ASIDE.sub(" ", text)
    t = text.strip(_TRAIL)
    if not t or len(t) > 80 or not t[0].isalpha():
        return None, []
    parts = [p.strip() for p in t.split(",")]
    creds: list[str] = []
    while len(parts) > 1 and parts[-1] and all(_credential(w) for w in parts[-1].split()):
        creds.insert(0, parts.pop())
    if len(parts) != 1:
        return None, []
    words = parts[0].replace("\u00a0", " ").split()
    while words and fold(words[0]) in HONORIFICS:
        words = words[1:]
    while len(words) > 2 and (fold(words[-1]) in CREDENTIALS or (_credential(words[-1])
                                                                 and not CAPS_RE.match(words[0]))):
        creds.insert(0, words.pop())
    if not 2 <= len(words) <= 6:
        return None, []
    all_caps = all(CAPS_RE.match(w) or INITIAL_RE.match(w) for w in words)
    n_words = 0
    out: list[str] = []
    for i, w in enumerate(words):
        f = fold(w)
        if f in NON_NAME or f in HEADS or f in _NOT_IN_NAMES:
            return None, []
        if f.endswith(("'s", "’s")):
            if i < len(words) - 1:
                return None, []
            w, f = w[:-2], f[:-2]
        if len(f) > 6 and (f.endswith(_NOUN_ENDINGS) or (len(f) > 9 and f.endswith(_JOB_ENDINGS))):
            return None, []
        if INITIAL_RE.match(w):
            out.append(w if w.endswith(".") or len(w) > 1 else w + ".")
        elif f in PARTICLES and 0 < i < len(words) - 1:
            out.append(f)
        elif all_caps and CAPS_RE.match(w):
            n_words += 1
            out.append("-".join(p.capitalize() for p in w.split("-")))
        elif WORD_RE.match(w):
            n_words += 1
            out.append(w)
        else:
            return None, []
    if not 2 <= n_words <= 4 or INITIAL_RE.match(words[-1]):
        return None, []
    if all(fold(w) in MODIFIERS for w in words if not INITIAL_RE.match(w)):
        return None, []  # "Infrastructure Computing", "Customer Success"
    return " ".join(out), creds


def _credential(word: str) -> bool:
    """"MSN", "PA-C", "Ph.D" — but not a role abbreviation such as "CEO"."""
    f = fold(word)
    if f in CREDENTIALS:
        return True
    return bool(CAPS_RE.match(word.replace("-", "").replace(".", ""))) and len(f) <= 6 and not is_head(word)


def name_of(text: str) -> str | None:
    return split_name(text)[0]


def title_of(text: str, require_head: bool = True) -> str | None:
    """``text`` when the whole string is a job title (short, no sentence words, a role word unless not required)."""
    t = text.strip(_TRAIL)
    if not t or len(t) > 110 or "@" in t or "http" in t or "www." in t:
        return None
    words = t.split()
    if len(words) > 14 or sum(c.isdigit() for c in t) > 2:
        return None
    if not t[0].isupper() and not t[0].isdigit() and t[:1].isalpha() and not is_head(words[0]):
        return None
    folded = [fold(w) for w in words]
    if any(f in _SENTENCE for f in folded):
        return None
    if t.endswith(".") and len(words) > 3 and not re.search(r"\b[A-Z]\.$|\b(?:Inc|Ltd|Co|Corp|Jr|Sr)\.$", t):
        return None
    if require_head and not any(is_head(w) for w in words):
        return None
    if folded[-1] in _HEADING_ENDS:
        return None  # "Executive Team", "Board of Directors", "Our Partners"
    last = words[-1].strip(".,;:)")
    if last[:1].islower() and not (is_head(last) or folded[-1] in MODIFIERS):
        return None  # "Leader spotlight"
    if folded[0] in CONNECTORS:
        return None
    if not require_head and not any(c.isalpha() for c in t):
        return None
    if any(name_of(seg) for seg in re.split(r",|\s[-–—|]\s|:", t)):
        return None
    return t


def title_prefix(words: list[str], max_len: int = 12) -> int:
    """How many leading ``words`` form a title phrase ending in a role word (0 when none): modifiers and
    capitalised words before the head, "of/for X" department tails after it."""
    end = 0
    for i, w in enumerate(words[:max_len]):
        f = fold(w)
        if is_head(w):
            end = i + 1
            continue
        if f in _SENTENCE or f in ("at", "with", "from", "bei", "von", "who", "which"):
            break
        if f in MODIFIERS or f in CONNECTORS:
            continue
        if w[:1].isupper() and not w.endswith((".", ",", ";", ":")) or re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)+", w):
            continue
        if w.endswith(".") and w[:1].isupper():
            continue
        break
    if end:
        # a department tail: "of Marketing", "for EMEA"; never "of the Acme Law Firm"
        j = end
        if j < len(words) and fold(words[j]) in ("of", "for", "–", "-"):
            k = j + 1
            while k < len(words) and k - j <= 4 and (fold(words[k]) in MODIFIERS - {"the"} or
                                                     (words[k][:1].isupper() and fold(words[k]) not in NON_NAME - MODIFIERS
                                                      and not words[k - 1].endswith((",", ";", ":"))) or
                                                     (fold(words[k]) in ("&", "and") and k + 1 < len(words))):
                k += 1
            if k > j + 1 and fold(words[k - 1]) not in CONNECTORS:
                end = k
    return end


_AT_COMPANY = re.compile(r"\s(?:at|@|bei|chez|with)\s.*$", re.I)


def clean_title(title: str) -> str:
    """Whitespace and dangling punctuation removed, and the employer: "Director of Engineering at CloudBees"."""
    t = _AT_COMPANY.sub("", re.sub(r"\s+", " ", title)).strip(_TRAIL.replace(")", "").replace("(", ""))
    if t.endswith(".") and not re.search(r"(?:\b[A-Z]\.|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|Supt|Dept|Mgr|Asst))\.$", t):
        t = t[:-1]
    if t.count("(") != t.count(")"):
        t = t.replace("(", "").replace(")", "")
    return t.strip(_TRAIL)
