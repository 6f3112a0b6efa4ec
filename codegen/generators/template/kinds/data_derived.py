"""Columns a CSV prompt asks for that its file does not have, computed as the product of two it has.

"revenue = units * unit_price", "revenue (qty x price) per shop", or, with no
formula, "total revenue per region" over a file of units and unit_price: the
script computes revenue for each row from the two columns and says so (the
checklist lists the computation, the plan says when it was inferred).
"""

from __future__ import annotations

import re

from codegen.generators.template.model import EntitySpec
from codegen.generators.template.words import identifier

_OPERAND = r"(?:the )?([a-z][a-z_ ]{0,40}?[a-z])"  # bounded: an unbounded run rescans every stretch of words
# "revenue = units * unit_price", "revenue (units x unit_price)", "revenue is quantity times price"
_FORMULA_RE = re.compile(
    r"\b([a-z][a-z_]*)\s*(?:=|:|\(|\bis\b|\bas\b|\bbeing\b|\bmeans\b|\bcomputed as\b|\bcalculated as\b)\s*"
    + _OPERAND + r"\s*(?:\*|×|\bx\b|\btimes\b|\bmultiplied by\b)\s*" + _OPERAND + r"\s*(?=\)|,|;|\.|$|\s(?!\w*_))"
)
# what a sales file's rows add up to when the prompt names no formula
_AMOUNT_WORDS = frozenset("revenue revenues sales turnover income earnings takings amount value spend spending "
                          "total".split())
_QUANTITY_RE = re.compile(r"(?:^|_)(?:units?|qty|quantity|quantities|pieces|count|sold|hours|nights)(?:$|_)")
_PRICE_RE = re.compile(r"(?:^|_)(?:price|cost|rate|fee)(?:$|_)")
_NUMERIC = ("int", "float")
_WHEN_RE = re.compile(r"(?:^|_)(?:date|dates|day|days|at|on|time|times|timestamp|when|year|month|week)(?:$|_)")


def formulas(text: str, entity: EntitySpec, named: set[str]) -> dict[str, list[str]]:
    """The columns the prompt computes, ``{name: [factor, factor]}``: "revenue = units * unit_price"."""
    derived: dict[str, list[str]] = {}
    for match in _FORMULA_RE.finditer(text.lower()):
        name, factors = identifier(match.group(1)), [identifier(match.group(2)), identifier(match.group(3))]
        if name not in named and all(_multipliable(entity, factor) for factor in factors):
            derived[name] = _as_numbers(entity, factors)
    return derived


def inferred(derived: dict[str, list[str]], entity: EntitySpec, named: set[str], wanted: list[str]) -> list[str]:
    """Amounts among ``wanted`` (columns the measures read that the prompt's list ``named`` lacks) computed as a
    quantity times a price without a formula, added to ``derived``: their names, said in the plan."""
    inferred = []
    for name in wanted:
        if name in derived or name in named or name not in _AMOUNT_WORDS:
            continue
        quantity = _first(entity, named, _QUANTITY_RE)
        price = _first(entity, named, _PRICE_RE, besides=quantity)
        if quantity and price:
            derived[name] = _as_numbers(entity, [quantity, price])
            inferred.append(name)
    return inferred


def value_type(entity: EntitySpec, factors: list[str]) -> str:
    return "float" if any(entity.field(factor).type == "float" for factor in factors) else "int"


def _multipliable(entity: EntitySpec, name: str) -> bool:
    """A number, or a column of unknown type whose name says no date or time ("sold_date" is no quantity)."""
    field = entity.field(name)
    return field is not None and (field.type in _NUMERIC or field.type == "str" and not _WHEN_RE.search(name))


def _as_numbers(entity: EntitySpec, factors: list[str]) -> list[str]:
    for factor in factors:
        field = entity.field(factor)
        if field.type not in _NUMERIC:
            field.type = "float"  # multiplied, so a number whatever its name
    return factors


def _first(entity: EntitySpec, named: set[str], pattern: re.Pattern, besides: str | None = None) -> str | None:
    return next((field.name for field in entity.fields if field.name in named and field.name != besides
                 and pattern.search(field.name) and _multipliable(entity, field.name)), None)
