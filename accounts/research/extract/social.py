"""Company profiles on social networks (LinkedIn company pages, X/Twitter, Facebook, GitHub organisations,
YouTube channels, Instagram, Xing, Crunchbase) recognised in URLs — never share buttons (``twitter.com/intent``,
``facebook.com/sharer``), personal LinkedIn profiles (``/in/``) or a network's home page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SOCIAL = (
    ("linkedin", re.compile(r"^(?:[a-z]{2,3}\.)?linkedin\.com$"), re.compile(r"^/(company|school|showcase)/([^/?#]+)")),
    ("twitter", re.compile(r"^(?:mobile\.)?(?:twitter|x)\.com$"), re.compile(r"^/(?:#!/)?@?([A-Za-z0-9_]{1,15})/?$")),
    ("facebook", re.compile(r"^(?:[a-z-]+\.)?(?:facebook|fb)\.com$"), re.compile(r"^/((?:pages/[^/]+/)?[A-Za-z0-9.\-]{2,80})/?$")),
    ("github", re.compile(r"^github\.com$"), re.compile(r"^/([A-Za-z0-9-]{1,39})(?:/[^/]*)?/?$")),
    ("youtube", re.compile(r"^(?:m\.)?youtube\.com$"), re.compile(r"^/(?:(channel|c|user)/([^/?#]+)|@([^/?#]+))")),
    ("instagram", re.compile(r"^instagram\.com$"), re.compile(r"^/([A-Za-z0-9_.]{1,30})/?$")),
    ("xing", re.compile(r"^xing\.com$"), re.compile(r"^/(?:pages|companies|company)/([^/?#]+)")),
    ("crunchbase", re.compile(r"^crunchbase\.com$"), re.compile(r"^/organization/([^/?#]+)")),
)
SOCIAL_HOSTS = re.compile(r"linkedin|twitter|x\.com|facebook|fb\.com|github|youtube|instagram|xing|crunchbase")
_CANON_HOSTS = {"linkedin": "www.linkedin.com", "twitter": "twitter.com", "facebook": "www.facebook.com",
                "github": "github.com", "youtube": "www.youtube.com", "instagram": "www.instagram.com",
                "xing": "www.xing.com", "crunchbase": "www.crunchbase.com"}
_NOT_PROFILES = frozenset((
    "share", "sharer", "sharer.php", "share.php", "intent", "home", "hashtag", "search", "login", "signup", "i",
    "privacy", "tos", "about", "help", "settings", "explore", "p", "reel", "watch", "embed", "results", "dialog",
    "plugins", "tr", "groups", "events", "features", "pricing", "marketplace", "sponsors", "topics", "orgs",
    "enterprise", "site", "security", "collections", "trending", "notifications", "messages", "legal", "policies",
    "accounts", "feed", "results", "profile.php", "photo.php", "story.php", "permalink.php", "widgets", "oauth",
    "hashtags", "business", "ads", "gaming", "watch", "terms", "status", "compose", "web", "personalization",
    "shares", "social", "spi", "wordpress", "jquery", "twitter", "facebook",
))


def profile_url(url: str) -> tuple[str, str] | None:
    """(network, canonical profile URL) when ``url`` is a company profile, not a share button or a home page."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path or "/"
    for network, host_re, path_re in _SOCIAL:
        if not host_re.match(host):
            continue
        m = path_re.match(path)
        if not m:
            return None
        handle = next((g for g in m.groups() if g and g not in ("company", "school", "showcase", "channel", "c",
                                                                  "user")), "")
        if not handle or handle.lower() in _NOT_PROFILES:
            return None
        canon_host = _CANON_HOSTS[network] if network != "twitter" or host != "x.com" else "x.com"
        canon_path = path.rstrip("/")
        if network == "github":
            canon_path = "/" + handle
        return network, f"https://{canon_host}{canon_path}"
    return None
