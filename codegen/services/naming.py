"""A project's name and domain, derived from a prompt.

Which existing project a prompt reuses is decided in SQL
(``codegen_create_generation``), against ``now()``, under a per-user lock.
"""

from __future__ import annotations

import re

# names at least this similar (pg_trgm similarity of the lower-cased names) count as the same project
SIMILAR_NAME_THRESHOLD = 0.6
MAX_NAME_WORDS = 3

_LEADING_NOISE = {
    "a", "an", "the", "me", "us", "please", "pls", "create", "build", "make", "write", "generate",
    "develop", "implement", "design", "code", "need", "want", "i", "we", "would", "like", "to",
    "can", "you", "could", "some", "simple", "basic", "small", "new", "quick", "just", "let's", "lets",
}
_CUT_WORDS = {
    "with", "for", "that", "which", "using", "in", "on", "to", "where", "including", "includes",
    "having", "so", "via", "by", "from", "of", "and", "allowing", "supporting", "who",
}
_ACRONYMS = {"api": "Api", "rest": "Rest", "cli": "Cli", "crud": "Crud"}

DOMAIN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "ecommerce": ("shop", "store", "ecommerce", "e-commerce", "cart", "checkout", "marketplace", "product",
                  "inventory", "retail", "storefront", "catalog", "catalogue"),
    "healthcare": ("clinic", "hospital", "patient", "doctor", "medical", "health", "healthcare", "pharmacy",
                   "nurse", "appointment", "prescription", "dental", "telemedicine"),
    "finance": ("bank", "banking", "finance", "financial", "payment", "invoice", "invoicing", "accounting",
                "budget", "wallet", "transaction", "trading", "stock", "crypto", "expense", "ledger", "loan"),
    "education": ("course", "school", "student", "teacher", "lesson", "learning", "quiz", "university",
                  "classroom", "education", "tutor", "exam", "curriculum", "lms"),
    "social": ("social", "feed", "follower", "friend", "timeline", "chat", "messenger", "forum", "community",
               "posts", "followers", "likes"),
    "gaming": ("game", "gaming", "player", "leaderboard", "chess", "puzzle", "tic-tac-toe", "tictactoe",
               "multiplayer", "arcade", "rpg", "quest"),
}


_WORD = re.compile(r"[a-z0-9][a-z0-9\-']*")
# keyword -> its domains, so a prompt is looked up word by word, not keyword by keyword
_DOMAINS_BY_KEYWORD: dict[str, tuple[str, ...]] = {}
for _domain, _keywords in DOMAIN_KEYWORDS.items():
    for _keyword in _keywords:
        _DOMAINS_BY_KEYWORD[_keyword] = (*_DOMAINS_BY_KEYWORD.get(_keyword, ()), _domain)
_DOMAIN_ORDER = {domain: i for i, domain in enumerate(DOMAIN_KEYWORDS)}


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def derive_name(prompt: str) -> str:
    """A short title-case name: "Create a REST API with authentication" -> "Rest Api"."""
    words = _words(prompt.split("\n", 1)[0])
    while words and words[0] in _LEADING_NOISE:
        words.pop(0)
    kept: list[str] = []
    for word in words:
        if word in _CUT_WORDS or word in _LEADING_NOISE:
            if kept and word in _CUT_WORDS:
                break
            if not kept:
                continue
        kept.append(word)
        if len(kept) == MAX_NAME_WORDS:
            break
    if not kept:
        return "Untitled Project"
    return " ".join(_ACRONYMS.get(w, w.replace("-", " ").title().replace(" ", "-")) for w in kept)


def derive_domain(prompt: str) -> str:
    """The recognised domain with the most keyword hits, else "general"."""
    found = set(_words(prompt))
    found.update([_singular(w) for w in found])
    hits: dict[str, int] = {}
    for word in found:
        for domain in _DOMAINS_BY_KEYWORD.get(word, ()):
            hits[domain] = hits.get(domain, 0) + 1
    if not hits:
        return "general"
    # the most hits; a tie goes to the domain listed first
    return min(hits, key=lambda domain: (-hits[domain], _DOMAIN_ORDER[domain]))
