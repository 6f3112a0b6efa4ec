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

_OPERAND = r"(?:the )?([a-z][a-z_ ]*?[a-z])"
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


def formulas(text: str, entity: EntitySpec, named: set[str]) -> dict[str, list[str]]:
    """The columns the prompt computes, ``{name: [factor, factor]}``: "revenue = units * unit_price"."""
    derived: dict[str, list[str]] = {}
    for match in _FORMULA_RE.finditer(text.lower()):
        name, factors = identifier(match.group(1)), [identifier(match.group(2)), identifier(match.group(3))]
        if name not in named and all(_numeric(entity, factor) for factor in factors):
            derived[name] = factors
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
            derived[name] = [quantity, price]
            inferred.append(name)
    return inferred


def value_type(entity: EntitySpec, factors: list[str]) -> str:
    return "float" if any(entity.field(factor).type == "float" for factor in factors) else "int"


def _numeric(entity: EntitySpec, name: str) -> bool:
    field = entity.field(name)
    if field is not None and field.type == "str":
        field.type = "float"  # multiplied, so a number whatever its name
    return field is not None


def _first(entity: EntitySpec, named: set[str], pattern: re.Pattern, besides: str | None = None) -> str | None:
    for field in entity.fields:
        if field.name in named and field.name != besides and pattern.search(field.name):
            if field.type not in _NUMERIC:
                field.type = "float"
            return field.name
    return None
