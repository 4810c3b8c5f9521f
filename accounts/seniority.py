"""What a job title says about a contact: seniority, function, persona and the buying role it suggests.

Rule-based and deterministic: English first, with the common German, French and Spanish words. Unknown or
empty titles classify as an individual contributor with no function; :func:`classify_title` never raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SENIORITIES = ("c_level", "vp", "director", "manager", "individual_contributor")


@dataclass(frozen=True)
class TitleInfo:
    seniority: str
    function: str | None
    persona: str | None
    suggested_role: str | None


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).replace("ß", "ss")
    s = re.sub(r"[&/,;:|()\-–—+]", " ", s)
    s = re.sub(r"[.']", "", s)
    return " " + re.sub(r"\s+", " ", s).strip() + " "


# C-suite abbreviations → function
_CSUITE = {
    "ceo": "executive", "cfo": "finance", "cio": "it", "cto": "engineering", "ciso": "security",
    "cso": "security", "coo": "operations", "cro": "sales", "cmo": "marketing", "chro": "hr", "cpo": "procurement",
    "cdo": "data", "clo": "legal", "cco": "customer_success", "cao": "finance", "cpto": "engineering",
}
_CHIEF_FUNCTION = (  # "chief X officer": X words → function
    ("executive", "executive"), ("financial", "finance"), ("finance", "finance"), ("information security", "security"),
    ("security", "security"), ("information", "it"), ("technology", "engineering"), ("technical", "engineering"),
    ("operating", "operations"), ("operations", "operations"), ("revenue", "sales"), ("sales", "sales"),
    ("marketing", "marketing"), ("people", "hr"), ("human", "hr"), ("procurement", "procurement"),
    ("purchasing", "procurement"), ("data", "data"), ("analytics", "data"), ("legal", "legal"),
    ("compliance", "legal"), ("risk", "legal"), ("customer", "customer_success"), ("accounting", "finance"),
    ("product", "engineering"), ("digital", "it"),
)

_C_LEVEL = (" chief ", " president ", " founder ", " cofounder ", " co founder ", " managing director ", " presidente ",
            " geschaftsfuhrer ", " geschaftsfuhrerin ", " vorstand ", " vorstandsvorsitzender ", " inhaber ",
            " pdg ", " directeur general ", " directrice generale ", " director general ", " directora general ",
            " consejero delegado ", " gerente general ", " managing partner ")
_VP = (" vp ", " svp ", " evp ", " avp ", " vice president ", " vicepresident ", " head of ", " head ",
       " bereichsleiter ", " bereichsleiterin ", " vice presidente ", " vicepresidente ", " gm ", " general manager ")
_DIRECTOR = (" director ", " directora ", " directeur ", " directrice ", " direktor ", " direktorin ",
             " leiter ", " leiterin ", " abteilungsleiter ", " abteilungsleiterin ", " personalleiter ", " responsable ", " jefe ",
             " jefa ")
_MANAGER = (" manager ", " mgr ", " lead ", " team lead ", " supervisor ", " teamleiter ", " teamleiterin ",
            " gerente ", " chef ", " coordinator ", " controller ")

_FUNCTIONS = (  # first match wins: more specific words first
    ("security", (" security ", " infosec ", " cyber ", " sicherheit ", " securite ", " seguridad ", " ciso ")),
    ("procurement", (" procurement ", " purchasing ", " buyer ", " sourcing ", " einkauf ", " einkaufer ",
                     " achats ", " achat ", " acheteur ", " compras ", " supply chain ", " vendor management ")),
    ("data", (" data ", " analytics ", " bi ", " business intelligence ", " daten ", " donnees ", " datos ")),
    ("revops", (" revops ", " revenue operations ", " sales operations ", " sales ops ", " marketing operations ",
                " salesforce admin ", " crm ")),
    ("finance", (" finance ", " financial ", " finanzen ", " finances ", " financier ", " financiero ",
                 " finanzas ", " accounting ", " accountant ", " controller ", " controlling ", " treasurer ",
                 " comptable ", " buchhaltung ", " fp a ", " fpa ", " tax ", " payroll ")),
    ("legal", (" legal ", " counsel ", " lawyer ", " attorney ", " compliance ", " risk ", " recht ",
               " juridique ", " juridico ", " datenschutz ", " privacy ", " general counsel ")),
    ("hr", (" hr ", " human resources ", " people ", " talent ", " recruiting ", " recruiter ",
            " personalabteilung ", " personalleiter ", " rh ", " ressources humaines ", " recursos humanos ", " chro ")),
    ("engineering", (" engineering ", " engineer ", " developer ", " software ", " devops ", " architect ",
                     " entwicklung ", " entwickler ", " ingenieur ", " ingeniero ", " desarrollo ", " r d ",
                     " rd ", " cto ", " product ")),
    ("it", (" it ", " information technology ", " information systems ", " systems ", " infrastructure ",
            " network ", " helpdesk ", " sysadmin ", " technology ", " informatique ", " informatica ",
            " edv ", " dsi ", " cio ", " digital ")),
    ("marketing", (" marketing ", " brand ", " demand generation ", " demand gen ", " growth ", " content ",
                   " communications ", " pr ", " mercadotecnia ", " cmo ")),
    ("customer_success", (" customer success ", " customer experience ", " support ", " service ",
                          " kundenservice ", " account management ", " client ")),
    ("sales", (" sales ", " revenue ", " business development ", " account executive ", " bdr ", " sdr ",
               " vertrieb ", " verkauf ", " ventes ", " commercial ", " ventas ", " comercial ", " cro ")),
    ("operations", (" operations ", " operating ", " ops ", " logistics ", " betrieb ", " produktion ",
                    " production ", " operaciones ", " facilities ", " coo ")),
)

# (seniority is leadership, function) → persona
_LEADER_PERSONA = {
    "finance": "cfo", "it": "cio", "engineering": "engineering", "security": "ciso", "operations": "coo",
    "sales": "cro", "marketing": "cmo", "revops": "revops", "hr": "hr", "procurement": "procurement",
    "legal": "compliance", "data": "data", "executive": "ceo", "customer_success": "coo",
}
_IC_PERSONA = {
    "it": "it_manager", "engineering": "engineering", "security": "ciso", "revops": "revops", "hr": "hr",
    "procurement": "procurement", "legal": "compliance", "data": "data",
}


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def _seniority(t: str, tokens: list[str]) -> str:
    if any(tok in _CSUITE for tok in tokens) or _has(t, _C_LEVEL):
        if " vice president " in t or " vp " in t:
            return "vp"
        return "c_level"
    if _has(t, _VP):
        return "vp"
    if _has(t, _DIRECTOR) or " dir " in t:
        return "director"
    if _has(t, _MANAGER) or " sr manager " in t:
        return "manager"
    return "individual_contributor"


def _function(t: str, tokens: list[str]) -> str | None:
    for tok in tokens:
        if tok in _CSUITE:
            return _CSUITE[tok]
    if " chief " in t:
        rest = t.split(" chief ", 1)[1]
        for words, fn in _CHIEF_FUNCTION:
            if rest.startswith(words + " "):
                return fn
    if _has(t, (" geschaftsfuhrer ", " geschaftsfuhrerin ", " managing director ", " pdg ", " directeur general ",
                " directrice generale ", " director general ", " directora general ", " consejero delegado ",
                " founder ", " cofounder ", " co founder ", " inhaber ", " gerente general ",
                " vorstandsvorsitzender ")):
        return "executive"
    for fn, words in _FUNCTIONS:
        if _has(t, words):
            return fn
    if " president " in t and " vice " not in t:
        return "executive"
    return None


def _role(seniority: str, function: str | None) -> str | None:
    if function == "procurement":
        return "procurement"
    if seniority == "c_level" and function in ("finance", "executive", None):
        return "economic_buyer"
    if seniority in ("c_level", "vp"):
        return "decision_maker"
    if function in ("it", "engineering", "security", "data"):
        return "technical_evaluator"
    if seniority in ("director", "manager"):
        return "influencer"
    if function is None:
        return None
    return "user"


def classify_title(title: str | None) -> TitleInfo:
    """Seniority, function, persona and suggested buying role for a job title (never raises)."""
    if not title or not isinstance(title, str) or not title.strip():
        return TitleInfo("individual_contributor", None, None, None)
    try:
        t = _fold(title[:300])
    except Exception:  # noqa: BLE001 - odd Unicode must not break a contact save or an import
        return TitleInfo("individual_contributor", None, None, None)
    tokens = t.split()
    seniority = _seniority(t, tokens)
    function = _function(t, tokens)
    if function == "revops" and seniority == "individual_contributor":
        persona: str | None = "revops"
    elif seniority in ("c_level", "vp", "director"):
        persona = _LEADER_PERSONA.get(function or "") if function else ("ceo" if seniority == "c_level" else None)
    else:
        persona = _IC_PERSONA.get(function or "")
    if function == "revops":
        persona = "revops"
        function_out: str | None = "sales"
    else:
        function_out = function
    return TitleInfo(seniority, function_out, persona, _role(seniority, function))
