"""Small, complete programs for prompts that ask for a utility rather than records.

Each recipe is a module of pure functions with its tests, plus an argparse
front end with its tests. A command-line project uses both; a library uses
the module alone. ``$package`` in the texts is the project's package name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codegen.generators.template.render import code


@dataclass(frozen=True)
class Recipe:
    key: str
    title: str  # "Unit Converter"
    description: str  # "converts temperatures, lengths and weights"
    pattern: str  # regex over the prompt's normalized words
    module: str  # module name inside the package
    exports: tuple[str, ...]
    source: str
    tests: str
    cli: str
    cli_tests: str
    cli_usage: str  # README lines, with $package for the command
    library_usage: str  # README snippet


def fill(text: str, package: str) -> str:
    """A recipe text for the project's package (``$package``)."""
    return text.replace("$package", package)


def detect(flat: str) -> Recipe | None:
    """The recipe a prompt asks for, if any (the earliest one named)."""
    best = None
    for recipe in RECIPES.values():
        match = re.search(recipe.pattern, flat)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), recipe)
    return best[1] if best else None


_CONVERTER = Recipe(
    key="converter",
    title="Unit Converter",
    description="converts temperatures, lengths and weights",
    pattern=r"\b(?:convert\w*|conversion|celsius|fahrenheit|kelvin|temperatures?|units?|kilometers|miles|pounds)\b",
    module="converter",
    exports=("convert", "UNITS"),
    source=code(
        '''
        """Unit conversion: temperatures, lengths and weights."""

        # factor to the base unit of each dimension (metre, kilogram)
        LENGTH = {
            "mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344,
        }
        WEIGHT = {"mg": 0.000001, "g": 0.001, "kg": 1.0, "oz": 0.028349523125, "lb": 0.45359237, "t": 1000.0}
        TEMPERATURE = ("c", "f", "k")
        UNITS = sorted([*LENGTH, *WEIGHT, *TEMPERATURE])


        def convert(value: float, from_unit: str, to_unit: str) -> float:
            """``value`` in ``from_unit`` expressed in ``to_unit`` (ValueError for unknown or mixed units)."""
            source, target = from_unit.lower(), to_unit.lower()
            if source in TEMPERATURE and target in TEMPERATURE:
                return _from_kelvin(_to_kelvin(value, source), target)
            for table in (LENGTH, WEIGHT):
                if source in table and target in table:
                    return value * table[source] / table[target]
            raise ValueError(f"cannot convert {from_unit} to {to_unit}; units: {', '.join(UNITS)}")


        def _to_kelvin(value: float, unit: str) -> float:
            if unit == "c":
                return value + 273.15
            if unit == "f":
                return (value - 32) * 5 / 9 + 273.15
            return value


        def _from_kelvin(value: float, unit: str) -> float:
            if unit == "c":
                return value - 273.15
            if unit == "f":
                return (value - 273.15) * 9 / 5 + 32
            return value
        '''
    ),
    tests=code(
        '''
        import pytest

        from $package.converter import convert


        @pytest.mark.parametrize(
            ("value", "source", "target", "expected"),
            [
                (100, "c", "f", 212),
                (32, "f", "c", 0),
                (0, "c", "k", 273.15),
                (1, "km", "m", 1000),
                (1, "mi", "km", 1.609344),
                (12, "in", "ft", 1),
                (1, "kg", "lb", 2.20462262),
                (16, "oz", "lb", 1),
            ],
        )
        def test_convert(value, source, target, expected):
            assert convert(value, source, target) == pytest.approx(expected)


        def test_units_are_case_insensitive():
            assert convert(1, "KM", "M") == pytest.approx(1000)


        def test_mixed_dimensions_are_rejected():
            with pytest.raises(ValueError, match="cannot convert"):
                convert(1, "kg", "m")
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package VALUE FROM TO``."""

        import argparse
        import sys

        from $package.converter import UNITS, convert


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Convert a value between units.")
            parser.add_argument("value", type=float, help="the number to convert")
            parser.add_argument("from_unit", help=f"one of: {', '.join(UNITS)}")
            parser.add_argument("to_unit", help="a unit of the same kind")
            parser.add_argument("--precision", type=int, default=4, help="decimal places (default 4)")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            try:
                result = convert(args.value, args.from_unit, args.to_unit)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"{result:.{args.precision}f}".rstrip("0").rstrip(".") + f" {args.to_unit}")
            return 0
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_converts_and_prints(capsys):
            assert main(["100", "c", "f"]) == 0
            assert capsys.readouterr().out.strip() == "212 f"


        def test_unknown_unit_is_an_error(capsys):
            assert main(["1", "kg", "parsec"]) == 2
            assert "cannot convert" in capsys.readouterr().err
        '''
    ),
    cli_usage="$package 100 c f        # 212 f\n$package 5 km mi --precision 2",
    library_usage='from $package import convert\n\nconvert(100, "c", "f")  # 212.0',
)

_TEXT_STATS = Recipe(
    key="text_stats",
    title="Text Stats",
    description="counts lines, words and characters and finds the most common words",
    pattern=r"\b(?:word ?counts?|count(?:s|ing)? (?:the )?(?:words|lines|characters)|wc|text stat\w*"
    r"|word frequenc\w*|most common words)\b",
    module="textstats",
    exports=("TextStats", "analyze", "top_words"),
    source=code(
        '''
        """Counting lines, words and characters, and the most common words."""

        import re
        from collections import Counter
        from dataclasses import dataclass

        WORD = re.compile(r"[^\\W_]+(?:'[^\\W_]+)?")


        @dataclass(frozen=True)
        class TextStats:
            lines: int
            words: int
            characters: int


        def analyze(text: str) -> TextStats:
            return TextStats(lines=len(text.splitlines()), words=len(WORD.findall(text)), characters=len(text))


        def top_words(text: str, count: int = 10) -> list[tuple[str, int]]:
            """The ``count`` most common words (case-insensitive), most frequent first, ties alphabetical."""
            counts = Counter(word.lower() for word in WORD.findall(text))
            return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:count]
        '''
    ),
    tests=code(
        '''
        from $package.textstats import analyze, top_words


        def test_analyze_counts_lines_words_and_characters():
            stats = analyze("one two\\nthree\\n")
            assert (stats.lines, stats.words, stats.characters) == (2, 3, 14)


        def test_empty_text():
            stats = analyze("")
            assert (stats.lines, stats.words, stats.characters) == (0, 0, 0)


        def test_top_words_ignores_case_and_breaks_ties_alphabetically():
            assert top_words("b a B c a b", 2) == [("b", 3), ("a", 2)]


        def test_apostrophes_stay_inside_words():
            assert top_words("don't stop", 5) == [("don't", 1), ("stop", 1)]
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package [FILE ...] [--top N]`` (standard input without files)."""

        import argparse
        import sys

        from $package.textstats import analyze, top_words


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Count lines, words and characters.")
            parser.add_argument("files", nargs="*", help="text files (default: standard input)")
            parser.add_argument("--top", type=int, default=0, metavar="N", help="also list the N most common words")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            try:
                texts = [(path, _read(path)) for path in args.files] or [("-", sys.stdin.read())]
            except OSError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            for name, text in texts:
                stats = analyze(text)
                print(f"{stats.lines:>8} {stats.words:>8} {stats.characters:>8} {name}")
                for word, count in top_words(text, args.top):
                    print(f"{count:>8} {word}")
            return 0


        def _read(path: str) -> str:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_counts_a_file(tmp_path, capsys):
            path = tmp_path / "sample.txt"
            path.write_text("the cat\\nthe hat\\n", encoding="utf-8")
            assert main([str(path), "--top", "1"]) == 0
            lines = capsys.readouterr().out.splitlines()
            assert lines[0].split() == ["2", "4", "16", str(path)]
            assert lines[1].split() == ["2", "the"]


        def test_missing_file_is_an_error(tmp_path, capsys):
            assert main([str(tmp_path / "missing.txt")]) == 2
            assert "error" in capsys.readouterr().err
        '''
    ),
    cli_usage="$package notes.txt --top 5\ncat notes.txt | $package",
    library_usage='from $package import analyze, top_words\n\nanalyze("one two").words  # 2',
)

_CHECKSUM = Recipe(
    key="checksum",
    title="Checksum",
    description="computes and verifies file checksums (SHA-256, SHA-1, MD5)",
    pattern=r"\b(?:checksums?|hash(?:es|ing)? (?:of )?files?|file hash\w*|sha ?256|sha ?1|md5|digests?|file integrity)\b",
    module="checksum",
    exports=("ALGORITHMS", "file_digest", "verify"),
    source=code(
        '''
        """File checksums, read in chunks so large files need little memory."""

        import hashlib
        import hmac
        from pathlib import Path

        ALGORITHMS = ("sha256", "sha1", "md5", "sha512")
        CHUNK = 1 << 16


        def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
            if algorithm not in ALGORITHMS:
                raise ValueError(f"unknown algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}")
            digest = hashlib.new(algorithm)
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
            return digest.hexdigest()


        def verify(path: str | Path, expected: str, algorithm: str = "sha256") -> bool:
            return hmac.compare_digest(file_digest(path, algorithm), expected.strip().lower())
        '''
    ),
    tests=code(
        '''
        import pytest

        from $package.checksum import file_digest, verify

        HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


        def test_sha256_of_a_file(tmp_path):
            path = tmp_path / "hello.txt"
            path.write_bytes(b"hello")
            assert file_digest(path) == HELLO_SHA256
            assert file_digest(path, "md5") == "5d41402abc4b2a76b9719d911017c592"


        def test_verify(tmp_path):
            path = tmp_path / "hello.txt"
            path.write_bytes(b"hello")
            assert verify(path, HELLO_SHA256.upper())
            assert not verify(path, "0" * 64)


        def test_unknown_algorithm(tmp_path):
            path = tmp_path / "hello.txt"
            path.write_bytes(b"hello")
            with pytest.raises(ValueError, match="unknown algorithm"):
                file_digest(path, "crc32")
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package FILE ... [--algorithm sha256] [--check DIGEST]``."""

        import argparse
        import sys

        from $package.checksum import ALGORITHMS, file_digest, verify


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Compute or verify file checksums.")
            parser.add_argument("files", nargs="+", help="files to hash")
            parser.add_argument("--algorithm", "-a", choices=ALGORITHMS, default="sha256")
            parser.add_argument("--check", metavar="DIGEST", help="exit with 1 unless every file has this digest")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            status = 0
            for path in args.files:
                try:
                    if args.check:
                        ok = verify(path, args.check, args.algorithm)
                        print(f"{path}: {'OK' if ok else 'FAILED'}")
                        status = status or (0 if ok else 1)
                    else:
                        print(f"{file_digest(path, args.algorithm)}  {path}")
                except OSError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    status = 2
            return status
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main

        HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


        def test_prints_digests(tmp_path, capsys):
            path = tmp_path / "hello.txt"
            path.write_bytes(b"hello")
            assert main([str(path)]) == 0
            assert capsys.readouterr().out.split() == [HELLO_SHA256, str(path)]


        def test_check_reports_mismatch(tmp_path, capsys):
            path = tmp_path / "hello.txt"
            path.write_bytes(b"hello")
            assert main([str(path), "--check", HELLO_SHA256]) == 0
            assert main([str(path), "--check", "0" * 64]) == 1
            assert "FAILED" in capsys.readouterr().out
        '''
    ),
    cli_usage="$package archive.zip\n$package archive.zip --check 2cf24dba... --algorithm sha256",
    library_usage='from $package import file_digest\n\nfile_digest("archive.zip", "sha256")',
)

_PASSWORD = Recipe(
    key="password",
    title="Password Generator",
    description="generates strong random passwords and rates password strength",
    pattern=r"\b(?:password generator|generat\w* (?:strong |random |secure )?passwords?|random passwords?"
    r"|passphrases?|password strength)\b",
    module="passwords",
    exports=("generate_password", "strength"),
    source=code(
        '''
        """Random passwords from the operating system's secure generator, and a strength rating."""

        import secrets
        import string

        SYMBOLS = "!@#$%^&*-_=+?"


        def generate_password(length: int = 16, *, symbols: bool = True) -> str:
            """A password holding at least one lower-case letter, upper-case letter, digit (and symbol)."""
            classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits] + ([SYMBOLS] if symbols else [])
            if length < len(classes):
                raise ValueError(f"length must be at least {len(classes)}")
            alphabet = "".join(classes)
            while True:
                password = "".join(secrets.choice(alphabet) for _ in range(length))
                if all(any(ch in group for ch in password) for group in classes):
                    return password


        def strength(password: str) -> str:
            """Rate a password "weak", "medium" or "strong" from its length and variety of characters."""
            variety = sum(
                any(ch in group for ch in password)
                for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS)
            )
            if len(password) >= 12 and variety >= 3:
                return "strong"
            if len(password) >= 8 and variety >= 2:
                return "medium"
            return "weak"
        '''
    ),
    tests=code(
        '''
        import string

        import pytest

        from $package.passwords import SYMBOLS, generate_password, strength


        @pytest.mark.parametrize("length", [4, 12, 32])
        def test_generated_passwords_have_every_class(length):
            password = generate_password(length)
            assert len(password) == length
            for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits, SYMBOLS):
                assert any(ch in group for ch in password)


        def test_without_symbols():
            assert not any(ch in SYMBOLS for ch in generate_password(40, symbols=False))


        def test_too_short_is_rejected():
            with pytest.raises(ValueError):
                generate_password(2)


        def test_strength():
            assert strength("abc") == "weak"
            assert strength("abcdef12") == "medium"
            assert strength("Abcdef12345!") == "strong"
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package [--length N] [--count N] [--no-symbols] [--check PASSWORD]``."""

        import argparse

        from $package.passwords import generate_password, strength


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Generate passwords or rate one.")
            parser.add_argument("--length", type=int, default=16)
            parser.add_argument("--count", type=int, default=1)
            parser.add_argument("--no-symbols", action="store_true")
            parser.add_argument("--check", metavar="PASSWORD", help="rate this password instead")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            if args.check is not None:
                print(strength(args.check))
                return 0
            if args.length < 4:
                print("error: the length must be at least 4")
                return 2
            for _ in range(args.count):
                print(generate_password(args.length, symbols=not args.no_symbols))
            return 0
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_generates_the_requested_passwords(capsys):
            assert main(["--length", "20", "--count", "3"]) == 0
            passwords = capsys.readouterr().out.split()
            assert len(passwords) == 3
            assert all(len(p) == 20 for p in passwords)


        def test_check(capsys):
            assert main(["--check", "abc"]) == 0
            assert capsys.readouterr().out.strip() == "weak"
        '''
    ),
    cli_usage="$package --length 20 --count 3\n$package --check 'hunter2'",
    library_usage="from $package import generate_password\n\ngenerate_password(20)",
)

_CALCULATOR = Recipe(
    key="calculator",
    title="Calculator",
    description="evaluates arithmetic expressions safely (no eval)",
    pattern=r"\b(?:calculator|calculat\w* expressions?|arithmetic|evaluat\w* (?:math\w* )?expressions?|math expressions?)\b",
    module="calculator",
    exports=("evaluate",),
    source=code(
        '''
        """Arithmetic expressions evaluated from their syntax tree: numbers and + - * / // % ** only."""

        import ast
        import operator

        _BINARY = {
            ast.Add: operator.add,
            ast.Sub: operator.sub,
            ast.Mult: operator.mul,
            ast.Div: operator.truediv,
            ast.FloorDiv: operator.floordiv,
            ast.Mod: operator.mod,
            ast.Pow: operator.pow,
        }
        _UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
        MAX_EXPONENT = 1000


        def evaluate(expression: str) -> float:
            """The value of ``expression``; ValueError for anything but arithmetic."""
            try:
                tree = ast.parse(expression, mode="eval")
            except SyntaxError:
                raise ValueError(f"not an arithmetic expression: {expression!r}") from None
            try:
                return _value(tree.body)
            except ZeroDivisionError:
                raise ValueError("division by zero") from None


        def _value(node: ast.AST) -> float:
            if isinstance(node, ast.Constant) and type(node.value) in (int, float):
                return node.value
            if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
                left, right = _value(node.left), _value(node.right)
                if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
                    raise ValueError("exponent too large")
                return _BINARY[type(node.op)](left, right)
            if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
                return _UNARY[type(node.op)](_value(node.operand))
            raise ValueError(f"unsupported syntax: {ast.dump(node)[:40]}")
        '''
    ),
    tests=code(
        '''
        import pytest

        from $package.calculator import evaluate


        @pytest.mark.parametrize(
            ("expression", "expected"),
            [
                ("1 + 2 * 3", 7),
                ("(1 + 2) * 3", 9),
                ("7 / 2", 3.5),
                ("7 // 2", 3),
                ("2 ** 10", 1024),
                ("-3 + 5", 2),
                ("10 % 4", 2),
            ],
        )
        def test_evaluate(expression, expected):
            assert evaluate(expression) == expected


        @pytest.mark.parametrize("expression", ["__import__('os')", "x + 1", "1 +", "2 ** 100000", "1 / 0", "True + 1"])
        def test_rejects_anything_but_arithmetic(expression):
            with pytest.raises(ValueError):
                evaluate(expression)
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package "EXPRESSION"`` (one expression a line from standard input without one)."""

        import argparse
        import sys

        from $package.calculator import evaluate


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Evaluate arithmetic expressions.")
            parser.add_argument("expression", nargs="?", help="for example: 2 * (3 + 4)")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            if args.expression:
                expressions = [args.expression]
            else:
                expressions = [line for line in sys.stdin.read().splitlines() if line.strip()]
            status = 0
            for expression in expressions:
                try:
                    print(_format(evaluate(expression)))
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    status = 2
            return status


        def _format(value: float) -> str:
            return str(int(value)) if float(value).is_integer() else repr(value)
        '''
    ),
    cli_tests=code(
        '''
        import io

        from $package.cli import main


        def test_prints_the_result(capsys):
            assert main(["2 * (3 + 4)"]) == 0
            assert capsys.readouterr().out.strip() == "14"


        def test_reads_standard_input(monkeypatch, capsys):
            monkeypatch.setattr("sys.stdin", io.StringIO("1 + 1\\n7 / 2\\n"))
            assert main([]) == 0
            assert capsys.readouterr().out.split() == ["2", "3.5"]


        def test_invalid_expression_is_an_error(capsys):
            assert main(["2 +"]) == 2
            assert "error" in capsys.readouterr().err
        '''
    ),
    cli_usage="$package '2 * (3 + 4)'\necho '7 / 2' | $package",
    library_usage='from $package import evaluate\n\nevaluate("2 * (3 + 4)")  # 14',
)

_STATISTICS = Recipe(
    key="statistics",
    title="Stats",
    description="computes summary statistics (mean, median, mode, standard deviation, percentiles)",
    pattern=r"\b(?:statistics|stats|mean|median|standard deviation|stdev|variance|percentiles?)\b",
    module="stats",
    exports=("summary", "percentile"),
    source=code(
        '''
        """Summary statistics of a list of numbers."""

        import statistics


        def percentile(values: list[float], fraction: float) -> float:
            """The value below which ``fraction`` (0..1) of ``values`` lie, interpolated linearly."""
            if not values:
                raise ValueError("no values")
            if not 0 <= fraction <= 1:
                raise ValueError("fraction must be between 0 and 1")
            ordered = sorted(values)
            position = (len(ordered) - 1) * fraction
            low = int(position)
            high = min(low + 1, len(ordered) - 1)
            return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


        def summary(values: list[float]) -> dict[str, float]:
            """Count, mean, median, mode, standard deviation (sample), minimum, maximum and quartiles."""
            if not values:
                raise ValueError("no values")
            return {
                "count": len(values),
                "mean": statistics.fmean(values),
                "median": statistics.median(values),
                "mode": statistics.mode(values),
                "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
                "min": min(values),
                "max": max(values),
                "p25": percentile(values, 0.25),
                "p75": percentile(values, 0.75),
            }
        '''
    ),
    tests=code(
        '''
        import pytest

        from $package.stats import percentile, summary


        def test_summary():
            result = summary([1, 2, 2, 3, 4])
            assert result["count"] == 5
            assert result["mean"] == pytest.approx(2.4)
            assert result["median"] == 2
            assert result["mode"] == 2
            assert result["stdev"] == pytest.approx(1.14017543)
            assert (result["min"], result["max"]) == (1, 4)


        def test_percentile_interpolates():
            assert percentile([1, 2, 3, 4], 0.5) == pytest.approx(2.5)
            assert percentile([5], 0.9) == 5


        def test_empty_input_is_rejected():
            with pytest.raises(ValueError):
                summary([])
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package NUMBER ...`` (standard input without numbers)."""

        import argparse
        import sys

        from $package.stats import summary


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Summary statistics of numbers.")
            parser.add_argument("numbers", nargs="*", help="numbers (default: read from standard input)")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            words = args.numbers or sys.stdin.read().split()
            try:
                result = summary([float(word) for word in words])
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            for name, value in result.items():
                print(f"{name:>6}: {value:g}")
            return 0
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_prints_a_summary(capsys):
            assert main(["1", "2", "2", "3", "4"]) == 0
            lines = dict(line.split(":") for line in capsys.readouterr().out.splitlines())
            assert float(lines["  mean"]) == 2.4
            assert float(lines["median"]) == 2


        def test_rejects_words(capsys):
            assert main(["1", "two"]) == 2
            assert "error" in capsys.readouterr().err
        '''
    ),
    cli_usage="$package 3 1 4 1 5 9\nseq 100 | $package",
    library_usage="from $package import summary\n\nsummary([3, 1, 4, 1, 5])['median']  # 3",
)

_STRINGS = Recipe(
    key="strings",
    title="Text Utils",
    description="string helpers: slugify, case conversion, truncation, palindromes",
    pattern=r"\b(?:slug\w*|string (?:utilit\w*|helpers?|functions|manipulation)|text utilit\w*|case conversion"
    r"|camel[ _]?case|snake[ _]?case|palindromes?|truncat\w*)\b",
    module="text",
    exports=("slugify", "snake_case", "camel_case", "truncate", "is_palindrome"),
    source=code(
        '''
        """String helpers."""

        import re
        import unicodedata


        def slugify(text: str) -> str:
            """``"Héllo, World!"`` -> ``"hello-world"``."""
            ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


        def snake_case(text: str) -> str:
            """``"HTTPServerError"`` or ``"http server error"`` -> ``"http_server_error"``."""
            text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\\1_\\2", text)
            text = re.sub(r"([a-z0-9])([A-Z])", r"\\1_\\2", text)
            return re.sub(r"[^a-zA-Z0-9]+", "_", text).strip("_").lower()


        def camel_case(text: str) -> str:
            """``"http_server error"`` -> ``"httpServerError"``."""
            words = snake_case(text).split("_")
            return words[0] + "".join(word.capitalize() for word in words[1:])


        def truncate(text: str, length: int, suffix: str = "...") -> str:
            """``text`` cut at a word boundary to at most ``length`` characters, ``suffix`` included."""
            if len(text) <= length:
                return text
            cut = text[: max(0, length - len(suffix))]
            if not text[len(cut)].isspace() and " " in cut:  # the cut fell inside a word
                cut = cut[: cut.rfind(" ")]
            return cut.rstrip() + suffix


        def is_palindrome(text: str) -> bool:
            """Whether ``text`` reads the same backwards, ignoring case, spaces and punctuation."""
            letters = [ch.lower() for ch in text if ch.isalnum()]
            return letters == letters[::-1]
        '''
    ),
    tests=code(
        '''
        from $package.text import camel_case, is_palindrome, slugify, snake_case, truncate


        def test_slugify():
            assert slugify("Héllo, World!") == "hello-world"
            assert slugify("  --  ") == ""


        def test_case_conversion():
            assert snake_case("HTTPServerError") == "http_server_error"
            assert snake_case("already snake") == "already_snake"
            assert camel_case("http_server error") == "httpServerError"


        def test_truncate():
            assert truncate("short", 10) == "short"
            assert truncate("the quick brown fox", 12) == "the quick..."


        def test_is_palindrome():
            assert is_palindrome("A man, a plan, a canal: Panama")
            assert not is_palindrome("palindrome")
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package slugify|snake|camel|palindrome TEXT``."""

        import argparse

        from $package.text import camel_case, is_palindrome, slugify, snake_case

        COMMANDS = {"slugify": slugify, "snake": snake_case, "camel": camel_case, "palindrome": is_palindrome}


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="String helpers.")
            parser.add_argument("command", choices=sorted(COMMANDS))
            parser.add_argument("text", nargs="+")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            result = COMMANDS[args.command](" ".join(args.text))
            print(str(result).lower() if isinstance(result, bool) else result)
            return 0
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_slugify(capsys):
            assert main(["slugify", "Hello", "World"]) == 0
            assert capsys.readouterr().out.strip() == "hello-world"


        def test_palindrome(capsys):
            assert main(["palindrome", "Never odd or even"]) == 0
            assert capsys.readouterr().out.strip() == "true"
        '''
    ),
    cli_usage="$package slugify 'Hello World'\n$package camel 'http server error'",
    library_usage='from $package import slugify\n\nslugify("Hello, World!")  # "hello-world"',
)

_VALIDATORS = Recipe(
    key="validators",
    title="Validators",
    description="validates email addresses, URLs, IPv4 addresses and card numbers (Luhn)",
    pattern=r"\b(?:validat\w*|validators?|is valid|check(?:s|ing)? (?:if|whether) .{0,20}valid|luhn|credit card numbers?)\b",
    module="validators",
    exports=("is_email", "is_url", "is_ipv4", "luhn_valid"),
    source=code(
        '''
        """Validators for common formats; each returns a bool and never raises."""

        import ipaddress
        import re
        from urllib.parse import urlparse

        _LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        _EMAIL = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\\.{_LABEL})+$")


        def is_email(value: str) -> bool:
            return len(value) <= 254 and bool(_EMAIL.match(value)) and ".." not in value


        def is_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> bool:
            parsed = urlparse(value)
            return parsed.scheme in schemes and bool(parsed.netloc) and " " not in value


        def is_ipv4(value: str) -> bool:
            try:
                ipaddress.IPv4Address(value)
            except ValueError:
                return False
            return True


        def luhn_valid(number: str) -> bool:
            """Whether a card number (spaces and dashes allowed) passes the Luhn check."""
            digits = [int(ch) for ch in number if ch.isdigit()]
            if len(digits) < 12 or any(not (ch.isdigit() or ch in " -") for ch in number):
                return False
            total = 0
            for position, digit in enumerate(reversed(digits)):
                if position % 2:
                    digit = digit * 2 - 9 if digit > 4 else digit * 2
                total += digit
            return total % 10 == 0
        '''
    ),
    tests=code(
        '''
        import pytest

        from $package.validators import is_email, is_ipv4, is_url, luhn_valid


        @pytest.mark.parametrize(
            ("value", "expected"),
            [
                ("ada@example.com", True),
                ("a.b+c@sub.example.org", True),
                ("no-at.example.com", False),
                ("a@b", False),
                ("a..b@example.com", False),
            ],
        )
        def test_is_email(value, expected):
            assert is_email(value) is expected


        def test_is_url():
            assert is_url("https://example.com/path?q=1")
            assert not is_url("ftp://example.com")
            assert not is_url("example.com")


        def test_is_ipv4():
            assert is_ipv4("192.168.0.1")
            assert not is_ipv4("256.1.1.1")


        def test_luhn():
            assert luhn_valid("4111 1111 1111 1111")
            assert not luhn_valid("4111 1111 1111 1112")
            assert not luhn_valid("abcd")
        '''
    ),
    cli=code(
        '''
        """Command line: ``python -m $package email|url|ipv4|card VALUE ...`` (exit 1 if any is invalid)."""

        import argparse

        from $package.validators import is_email, is_ipv4, is_url, luhn_valid

        CHECKS = {"email": is_email, "url": is_url, "ipv4": is_ipv4, "card": luhn_valid}


        def build_parser() -> argparse.ArgumentParser:
            parser = argparse.ArgumentParser(prog="$package", description="Validate values.")
            parser.add_argument("kind", choices=sorted(CHECKS))
            parser.add_argument("values", nargs="+")
            return parser


        def main(argv: list[str] | None = None) -> int:
            args = build_parser().parse_args(argv)
            results = [(value, CHECKS[args.kind](value)) for value in args.values]
            for value, valid in results:
                print(f"{'valid' if valid else 'invalid'}: {value}")
            return 0 if all(valid for _, valid in results) else 1
        '''
    ),
    cli_tests=code(
        '''
        from $package.cli import main


        def test_all_valid(capsys):
            assert main(["email", "ada@example.com"]) == 0
            assert capsys.readouterr().out.strip() == "valid: ada@example.com"


        def test_invalid_exits_with_1(capsys):
            assert main(["ipv4", "10.0.0.1", "999.0.0.1"]) == 1
            assert "invalid: 999.0.0.1" in capsys.readouterr().out
        '''
    ),
    cli_usage="$package email ada@example.com\n$package card '4111 1111 1111 1111'",
    library_usage='from $package import is_email\n\nis_email("ada@example.com")  # True',
)

RECIPES = {
    recipe.key: recipe
    for recipe in (_CONVERTER, _TEXT_STATS, _CHECKSUM, _PASSWORD, _CALCULATOR, _STATISTICS, _STRINGS, _VALIDATORS)
}
