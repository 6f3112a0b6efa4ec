"""A project's name and domain, derived from its prompt: services/naming.py's pure functions.

(How generation uses them, a new project's name and domain, is in tests/test_api_generations.py.)
"""

from __future__ import annotations

import pytest

from codegen.services.naming import _singular, derive_domain, derive_name

# -- derive_name --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("Create a REST API with authentication", "Rest Api"),
        ("Build a todo list app", "Todo List App"),
        ("Please make me a simple blog engine with comments", "Blog Engine"),
        ("create a CLI for renaming files", "Cli"),
        ("!!! ??? ...", "Untitled Project"),
        ("Todo list app", "Todo List App"),  # no leading noise: nothing dropped
        ("A markdown code formatter", "Markdown Code Formatter"),  # a noise word inside the name stays
        ("From CSV files to charts", "Csv Files"),  # a cut word before the name is skipped, one after ends it
        ("Build an e-commerce storefront", "E-Commerce Storefront"),  # each part of a hyphenated word
        # the first line only
        ("A weather dashboard\nwith a second line", "Weather Dashboard"),
        ("Habit tracker\nlog daily streaks\nshow weekly charts", "Habit Tracker"),
    ],
)
def test_derive_name(prompt: str, name: str) -> None:
    assert derive_name(prompt) == name


def test_derived_names_are_short_title_case() -> None:
    for prompt in (
        "Implement an extremely elaborate distributed multi tenant event sourced inventory system",
        "write me a python script that scrapes web pages",
    ):
        name = derive_name(prompt)
        assert 1 <= len(name.split()) <= 3
        assert name == " ".join(w[:1].upper() + w[1:] for w in name.split())


# -- derive_domain ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "domain"),
    [
        ("Create a REST API with authentication", "general"),
        ("Build an online shop with a shopping cart and checkout", "ecommerce"),
        ("An appointment system for a dental clinic and its patients", "healthcare"),
        ("A banking app with accounts, transactions and loans", "finance"),
        ("An online course platform where students take lessons and quizzes", "education"),
        ("A social feed where users follow friends and like posts", "social"),
        ("A multiplayer chess game with a leaderboard", "gaming"),
        ("Write a markdown to HTML converter", "general"),
        # a plural counts as its keyword
        ("A booking system for clinics", "healthcare"),
        ("A directory of local pharmacies", "healthcare"),
        ("A tracker for tabletop rpgs", "gaming"),  # a plural of four letters
        # only plurals are reduced: "stored" is no store
        ("A note app where every note is stored offline", "general"),
    ],
)
def test_derive_domain(prompt: str, domain: str) -> None:
    assert derive_domain(prompt) == domain


def test_the_domain_with_more_keyword_hits_wins() -> None:
    # gaming (chess, game, leaderboard) over ecommerce (shop), though ecommerce is listed first
    assert derive_domain("A chess game with a leaderboard, and a shop for skins") == "gaming"


def test_a_tie_goes_to_the_domain_listed_first() -> None:
    # one hit each: the domain listed first in DOMAIN_KEYWORDS, whatever the prompt's order
    assert derive_domain("A clinic that takes payments") == "healthcare"
    assert derive_domain("Payments at a clinic") == "healthcare"
    assert derive_domain("A chat for a game") == "social"


def test_singular() -> None:
    # the rule on its own: no keyword is the singular of a short word, of a word in -ss or of a short word
    # in -ies, so derive_domain cannot show these cases; they keep a keyword added later matched by its
    # plural, and by nothing else
    assert [_singular(w) for w in ("categories", "flies", "ties", "bus", "glass", "business")] == [
        "category", "fly", "tie", "bus", "glass", "business",
    ]
