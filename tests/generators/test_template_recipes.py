"""The data-structures, small-formats and algorithms recipes (issue 13, item 2: library functions named in the prompt).

A prompt that names a data structure or a small format gets a project whose
module defines what it names, whose own tests cover each of them and pass in
the sandbox (never outside it), and whose checklist marks each named one met
with the file that defines it, and what the recipe does not write unmet.
The generated code is only read here (``ast``), never imported or run.
"""

from __future__ import annotations

import ast
import json

import pytest

from codegen.generators.base import GenerationError
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import (
    as_dict, assert_own_tests_pass, code_modules, each_break_fails_its_test, generate, own_test_results,
)

# what a part of a recipe must define: class -> its methods, or a function -> None
STRUCTURES = {
    "stack": {"Stack": {"push", "pop", "peek", "is_empty"}},
    "queue": {"Queue": {"enqueue", "dequeue", "peek", "is_empty"}},
    "linked list": {"LinkedList": {"append", "prepend", "remove", "find", "reverse", "__iter__"}},
    "lru cache": {"LRUCache": {"get", "put"}},
    "priority queue": {"PriorityQueue": {"push", "pop", "peek"}},
    "trie": {"Trie": {"insert", "search", "starts_with", "words_with_prefix"}},
    "binary search tree": {"BinarySearchTree": {"insert", "contains", "in_order"}},
}
FORMATS = {
    "roman numerals": {"to_roman": None, "from_roman": None},
    "ini": {"parse_ini": None, "Config": {"get", "get_int", "get_float", "get_bool", "get_list", "sections"}},
    "byte sizes": {"format_size": None, "parse_size": None},
}
ALGORITHMS = {
    "merge intervals": {"merge_intervals": None}, "binary search": {"binary_search": None},
    "sorting": {"merge_sort": None, "quick_sort": None}, "balanced brackets": {"is_balanced": None},
    "two sum": {"two_sum": None}, "flatten": {"flatten": None}, "fizzbuzz": {"fizzbuzz": None},
    "caesar cipher": {"caesar_encrypt": None, "caesar_decrypt": None}, "leap year": {"is_leap_year": None},
}
PARTS = {"data_structures": STRUCTURES, "formats": FORMATS, "algorithms": ALGORITHMS}
# the checklist's request for each part (its first words)
REQUESTS = {
    "stack": "a stack (", "queue": "a queue (", "linked list": "a linked list (", "lru cache": "an LRU cache (",
    "priority queue": "a priority queue on a heap (", "trie": "a trie (", "binary search tree": "a binary search tree (",
    "roman numerals": "roman numerals (", "ini": "an INI config parser (", "byte sizes": "human-readable byte sizes (",
    "merge intervals": "merge overlapping intervals (", "binary search": "binary search (",
    "sorting": "sorting with merge sort and quicksort (", "balanced brackets": "balanced brackets (",
    "two sum": "two sum (", "flatten": "flatten a nested list (", "fizzbuzz": "FizzBuzz (",
    "caesar cipher": "a Caesar cipher to encrypt and decrypt (", "leap year": "leap years (",
}

# the module of each part, in the generated package and as tests/test_<module>.py
MODULES = {
    "stack": "stack", "queue": "queue", "linked list": "linked_list", "lru cache": "lru_cache",
    "priority queue": "priority_queue", "trie": "trie", "binary search tree": "bst",
    "roman numerals": "roman", "ini": "ini", "byte sizes": "sizes",
    "merge intervals": "intervals", "binary search": "search", "sorting": "sorting", "balanced brackets": "brackets",
    "two sum": "pair_sum", "flatten": "nested", "fizzbuzz": "fizz_buzz", "caesar cipher": "caesar",
    "leap year": "leap_year",
}
# a word of the names of each part's own tests
TEST_WORDS = {part: part.split()[0] for part in REQUESTS} | {"byte sizes": "size"}


class Case:
    def __init__(self, prompt: str, kind: str, recipe: str, named: tuple[str, ...]) -> None:
        self.prompt, self.kind, self.recipe, self.named = prompt, kind, recipe, named


CASES = [
    Case("A Python library that implements a trie with insert and search", "library", "data_structures", ("trie",)),
    Case("A small python library with a Stack and a Queue class", "library", "data_structures", ("stack", "queue")),
    Case("A python library with an LRU cache that has a capacity and evicts the least recently used entry", "library",
         "data_structures", ("lru cache",)),
    Case("a python package with a priority queue, a linked list and a binary search tree", "library",
         "data_structures", ("linked list", "priority queue", "binary search tree")),
    Case("A python library of common data structures", "library", "data_structures", ()),
    Case("A command line tool that completes words from a list using a trie", "cli", "data_structures", ("trie",)),
    Case("A python library to convert roman numerals to integers and back, with validation", "library", "formats",
         ("roman numerals",)),
    Case("a python module to parse INI config files with sections, comments and typed getters", "library", "formats",
         ("ini",)),
    Case("A Python library to format byte sizes in human readable form like 1.5 MB and parse them back", "library",
         "formats", ("byte sizes",)),
    Case("A CLI that converts numbers to roman numerals and back", "cli", "formats", ("roman numerals",)),
    # the everyday "write a function that ..." requests (the algorithms recipe), as people phrase them
    Case("function to merge overlapping intervals in python, with unit tests", "library", "algorithms",
         ("merge intervals",)),
    Case("A python function for binary search in a sorted list that returns -1 if the value is missing", "library",
         "algorithms", ("binary search",)),
    Case("Write a function that sorts a list using merge sort", "library", "algorithms", ("sorting",)),
    Case("implement quicksort in python", "library", "algorithms", ("sorting",)),
    Case("A python function that checks if parentheses are balanced", "library", "algorithms", ("balanced brackets",)),
    Case("write a function to check for valid parentheses", "library", "algorithms", ("balanced brackets",)),
    Case("Write a function that takes a list of integers and a target and returns the indices of the two numbers "
         "that add up to the target", "library", "algorithms", ("two sum",)),
    Case("Write a python function to flatten a nested list", "library", "algorithms", ("flatten",)),
    Case("write fizzbuzz in python", "library", "algorithms", ("fizzbuzz",)),
    Case("A python function that implements a caesar cipher with a shift, to encrypt and decrypt text", "library",
         "algorithms", ("caesar cipher",)),
    Case("write a function that checks whether a year is a leap year", "library", "algorithms", ("leap year",)),
    Case("A python library with binary search, merge sort and a leap year check", "library", "algorithms",
         ("binary search", "sorting", "leap year")),
    Case("A Python library of common algorithms", "library", "algorithms", ()),
    Case("A command line tool for fizzbuzz and the caesar cipher", "cli", "algorithms", ("fizzbuzz", "caesar cipher")),
]
PROMPTS = [case.prompt for case in CASES]


def _defined(source: str) -> dict[str, set[str] | None]:
    """The module's top-level functions (-> None) and classes (-> their method names), read, not run."""
    found: dict[str, set[str] | None] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = None
        elif isinstance(node, ast.ClassDef):
            found[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return found


def _test_names(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.prompt[:40])
async def test_named_parts_are_defined_tested_and_met(template_generator: TemplateGenerator, case: Case) -> None:
    result, _ = await generate(template_generator, case.prompt)
    files = as_dict(result.files)
    spec = json.loads(files["codegen.json"])["spec"]
    assert (spec["kind"], spec["recipe"]) == (case.kind, case.recipe)
    package = spec["slug"]
    parts = PARTS[case.recipe]
    # a library holds exactly the parts named (all when none is); a command-line tool holds every part
    held = set(case.named or parts) if case.kind == "library" else set(parts)
    modules = {path.removeprefix(f"{package}/").removesuffix(".py") for path in files
               if path.startswith(f"{package}/") and path.removesuffix(".py").split("/")[-1] in MODULES.values()}
    assert modules == {MODULES[part] for part in held}
    assert {path for path in files if path.startswith("tests/test_") and path != "tests/test_cli.py"} == {
        f"tests/test_{MODULES[part]}.py" for part in held
    }
    for part in held:
        defined = _defined(files[f"{package}/{MODULES[part]}.py"])
        tests = files[f"tests/test_{MODULES[part]}.py"]
        assert f"from {package}.{MODULES[part]} import " in tests
        for name, methods in parts[part].items():
            assert name in defined, (part, name)
            # exported by a library, and called by the part's own tests
            if case.kind == "library":
                assert f"    \"{name}\",\n" in files[f"{package}/__init__.py"]
            if methods is None:
                assert f"{name}(" in tests, name
            else:
                assert methods <= defined[name], (name, methods - defined[name])
                assert all(f".{method}(" in tests for method in methods if not method.startswith("__")), name
        assert any(TEST_WORDS[part] in test for test in _test_names(tests)), part

    items = {item["text"]: item for item in result.requirements}
    for part in case.named:
        item = next(item for text, item in items.items() if text.startswith(REQUESTS[part]))
        assert item["status"] == MET and item["where"] == [f"{package}/{MODULES[part]}.py"], item
    claimed = {part for part, request in REQUESTS.items() if any(text.startswith(request) for text in items)}
    assert claimed == set(case.named), "a part the prompt did not name is listed"
    assert [item for item in result.requirements if item["status"] != MET] == []
    section = files["README.md"].split("## What was asked", 1)[1]
    for part in case.named:
        assert f"**met**: {REQUESTS[part]}" in section


async def test_roman_numerals_are_not_a_unit_conversion(template_generator: TemplateGenerator) -> None:
    # "converts" comes before "roman numerals", and used to choose the unit converter
    result, _ = await generate(template_generator, "A CLI that converts numbers to roman numerals and back")
    files = as_dict(result.files)
    assert "formats_cli/roman.py" in files and not any(path.endswith("converter.py") for path in files)
    # the unit converter stays the answer where no small format is named
    result, _ = await generate(template_generator, "A command line tool that converts kilometers to miles")
    assert any(path.endswith("/converter.py") for path in as_dict(result.files))


@pytest.mark.parametrize(
    ("prompt", "met", "unmet"),
    [
        ("A python library with a graph and a stack", "a stack (", "graph"),
        ("Python library with a min heap and a deque", "a priority queue on a heap (", "deque"),
        ("A python library for parsing YAML files and roman numerals", "roman numerals (", "yaml"),
        ("A python library of sorting algorithms: merge sort, quicksort and bubble sort",
         "sorting with merge sort and quicksort (", "bubble sort"),
        ("A python library with binary search and dijkstra's shortest path", "binary search (", "dijkstra"),
        ("write a function that checks if a year is a leap year and a function that computes the levenshtein distance",
         "leap years (", "levenshtein"),
        # the stack is the data-structures recipe's, which this project is not: named, not passed off
        ("A python library with a stack and a function for binary search", "binary search (",
         "a python library with a stack and a function for binary search"),
    ],
)
async def test_what_the_recipe_does_not_write_is_unmet(
    template_generator: TemplateGenerator, prompt: str, met: str, unmet: str
) -> None:
    result, _ = await generate(template_generator, prompt)
    items = {item["text"]: item for item in result.requirements}
    assert next(item for text, item in items.items() if text.startswith(met))["status"] == MET
    assert items[unmet]["status"] == UNMET and items[unmet]["detail"]
    section = as_dict(result.files)["README.md"].split("## What was asked", 1)[1]
    assert f"**NOT DONE**: {unmet}" in section


@pytest.mark.parametrize(
    "prompt",
    [
        "A python library implementing a red-black tree",  # not the binary search tree the recipe writes
        "A python library to read the file size of every file in a folder",  # reading files, not formatting sizes
        "a python library to parse YAML config files",  # YAML, not INI
        "A CLI that sends messages to a job queue",  # a message queue, not the data structure
        "write a function that computes the levenshtein distance",  # no recipe writes it
        "a python function that flattens a nested dict into dotted keys",  # a dict, not a nested list
        "Explain how quicksort works",  # no program asked for
    ],
)
async def test_what_it_does_not_write_is_not_passed_off(template_generator: TemplateGenerator, prompt: str) -> None:
    # nothing else of substance is asked, so each is refused rather than served with a recipe part
    with pytest.raises(GenerationError) as failure:
        await generate(template_generator, prompt)
    assert "Cannot serve" in str(failure.value)


@pytest.mark.parametrize(
    ("prompt", "recipe"),
    [
        # "sort" or "search" alone is a feature of records, not an algorithm to write
        ("CLI to manage a reading list with title, author and status; support --sort and --limit options", None),
        ("I need a Python script that reads a CSV of sales (date, region, product, units, unit_price) and writes total "
         "revenue per region per month to a new CSV, sorted by month.", None),
        ("A python function that sorts a list of numbers", None),
        ("A python function to search a list for a value", None),
        ("A python function to flatten a dictionary", None),
        ("Script to merge two CSV files on the email column", None),
        ("A python library implementing a binary search tree", "data_structures"),
        # "unit tests" are tests, not units to convert; units still are
        ("function to merge overlapping intervals in python, with unit tests", "algorithms"),
        ("A Python library that checks if a number is prime, with unit tests", "numbers"),
        ("a python library to convert units of length and weight", "converter"),
        ("A CLI that converts between units", "converter"),
        ("A command line tool that converts kilometers to miles, with unit tests", "converter"),
    ],
)
def test_the_recipe_is_chosen_by_its_own_words(prompt: str, recipe: str | None) -> None:
    assert parse_prompt(prompt).spec.recipe == recipe


async def test_unit_tests_are_tests(template_generator: TemplateGenerator) -> None:
    # "unit tests" used to choose the unit converter, and to leave "unit" unaccounted for in other recipes
    for prompt in ("function to merge overlapping intervals in python, with unit tests",
                   "A python library of common data structures, with unit tests"):
        result, _ = await generate(template_generator, prompt)
        assert not any(path.endswith("converter.py") for path in as_dict(result.files))
        assert [(item["text"], item["status"]) for item in result.requirements if item["status"] != MET] == []
        assert any(item["text"] == "tests" for item in result.requirements)


@pytest.fixture(scope="module")
async def recipe_test_results(template_generator: TemplateGenerator, project_tester) -> dict[str, object]:
    """Each case's project through its own tests in the sandbox (the helper the measured prompts use)."""
    return await own_test_results(template_generator, project_tester, PROMPTS)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda prompt: prompt[:40])
async def test_recipe_project_passes_its_own_tests(
    template_generator: TemplateGenerator, recipe_test_results: dict, prompt: str
) -> None:
    outcome = recipe_test_results[prompt]
    assert outcome.status == "passed", f"{outcome.summary()}\n{outcome.output}"
    # every test function of the project ran (a parametrized one counts once or more)
    result, _ = await generate(template_generator, prompt)
    written = sum(len(_test_names(text)) for path, text in as_dict(result.files).items() if path.startswith("tests/test_"))
    assert outcome.passed >= written > 0 and outcome.failed == 0 and outcome.errors == 0


# a broken implementation, and the generated test that must catch it
BREAKS = [
    ("lru_cache", "self._entries.popitem(last=False)", "self._entries.popitem(last=True)",
     "test_lru_cache_evicts_the_least_recently_used"),
    ("trie", 'return node is not None and "$" in node', "return node is not None",
     "test_trie_searches_whole_words_and_prefixes"),
    ("priority_queue", "self._heap[0][2]", "self._heap[-1][2]", "test_priority_queue_pops_the_smallest_priority_first"),
    ("roman", "(50, \"L\"), (40, \"XL\"),", "(50, \"L\"),", "test_roman_numerals_both_ways"),
    ("sizes", "(1000, [\"B\", \"kB\"", "(1024, [\"B\", \"kB\"", "test_format_size"),
    ("intervals", "if merged and start <= merged[-1][1]:", "if merged and start < merged[-1][1]:",
     "test_merge_intervals_merges_touching_ones"),
    ("search", "return low if low < len(items) and items[low] == target else -1", "return low if low < len(items) else -1",
     "test_binary_search_returns_minus_one_for_a_missing_value"),
    ("sorting", "if key(right[j]) < key(left[i]):", "if key(right[j]) <= key(left[i]):", "test_merge_sort_is_stable"),
    ("sorting", "return quick_sort(smaller, key) + equal + quick_sort(greater, key)",
     "return quick_sort(greater, key) + equal + quick_sort(smaller, key)", "test_sorting_orders_a_new_list[quick_sort]"),
    ("brackets", "return not still_open", "return True", "test_is_balanced_rejects_unbalanced_brackets"),
    ("pair_sum", "first_seen.setdefault(number, index)", "first_seen[number] = index",
     "test_two_sum_pairs_the_first_occurrence"),
    ("nested", "pending.append(iter(item))", "flat.extend(item)", "test_flatten_opens_nested_lists_at_any_depth"),
    ("fizz_buzz", "for number in range(1, n + 1):", "for number in range(1, n):", "test_fizzbuzz_up_to_15"),
    ("caesar", "return alphabet[(place + shift) % 26]", "return alphabet[min(place + shift, 25)]",
     "test_caesar_wraps_around_the_alphabet"),
    ("leap_year", "(year % 100 != 0 or year % 400 == 0)", "year % 100 != 0", "test_leap_year[2000]"),
]


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_the_generated_tests_catch_a_broken_implementation(
    template_generator: TemplateGenerator, project_tester
) -> None:
    prompts = ["A python library of common data structures", "A CLI that converts numbers to roman numerals and back",
               "A Python library of common algorithms"]
    await each_break_fails_its_test(project_tester, await code_modules(template_generator, prompts), BREAKS)


# gen13: functions asked for as such ("write a function that ..."), written by the number-functions recipe and the
# string helpers and validators; each project's own tests pass in the sandbox, and catch a broken implementation
FUNCTION_PROMPTS = [
    "write a python function that returns the nth fibonacci number",
    "A command line tool that prints prime numbers, fibonacci numbers and factorials",
    "A python function that checks whether two words are anagrams",
    "a python function that validates phone numbers",
]
FUNCTION_BREAKS = [
    ("numbers", "    return previous\n\n\ndef fibonacci_sequence", "    return current\n\n\ndef fibonacci_sequence",
     "test_fibonacci"),
    ("numbers", "if n % 2 == 0 or n % 3 == 0:", "if n % 2 == 0:", "test_is_prime"),
    ("numbers", "return abs(a * b) // gcd(a, b)", "return abs(a * b)", "test_gcd_and_lcm"),
    ("text", "return bool(letters(first)) and letters(first) == letters(second)",
     "return letters(first) == letters(second)", "test_is_anagram"),
    ("validators", "if not 7 <= digits <= 15", "if not 7 <= digits <= 16", "test_is_phone"),
]


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_function_projects_pass_their_own_tests_and_catch_broken_functions(
    template_generator: TemplateGenerator, project_tester
) -> None:
    await assert_own_tests_pass(template_generator, project_tester, FUNCTION_PROMPTS)
    modules = await code_modules(template_generator, FUNCTION_PROMPTS)
    await each_break_fails_its_test(project_tester, modules, FUNCTION_BREAKS)


async def test_the_number_functions_are_defined_and_listed(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A python library with functions for prime numbers and factorials")
    files = as_dict(result.files)
    package = json.loads(files["codegen.json"])["spec"]["slug"]
    defined = _defined(files[f"{package}/numbers.py"])
    assert {"is_prime", "primes_up_to", "fibonacci", "fibonacci_sequence", "factorial", "gcd", "lcm"} <= set(defined)
    assert all(f'    "{name}",\n' in files[f"{package}/__init__.py"] for name in ("is_prime", "factorial"))
    assert [item for item in result.requirements if item["status"] != MET] == []
