"""Which programming language, and which kind of program, a prompt asks for.

A language counts as asked for only where the prompt uses it as the language
of the program: "in Java", "written in Go", "a Rust CLI", "a Spring Boot
service" (a framework names its language). "A Python script that parses Java
files" asks for Python. When Python is asked for too, the other languages
named as the program's language are requests it cannot meet, not the
language of the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# language -> pattern of its name in lower-cased text (with "#", "+" and "." kept)
_LANGUAGES: dict[str, str] = {
    "Python": r"python3?",
    "Java": r"java(?!\s*script)",
    "JavaScript": r"javascript|js|node\.?js|nodejs|deno",
    "TypeScript": r"typescript|ts",
    "Ruby": r"ruby",
    "PHP": r"php",
    "C#": r"c#|c ?sharp|\.net|dotnet",
    "C++": r"c\+\+|cpp",
    "Kotlin": r"kotlin",
    "Scala": r"scala",
    "Elixir": r"elixir",
    "Haskell": r"haskell",
    "Perl": r"perl",
    "Lua": r"lua",
    "Bash": r"bash|powershell|zsh",
}
# names that are also English words: matched as written (capitalised) and only in the clearest positions,
# never "go to", "a swift reply", "a node library", "a shell command"
_AMBIGUOUS: dict[str, str] = {
    "Go": r"Go|GO|[Gg]olang",
    "C": r"C",
    "Swift": r"Swift",
    "Rust": r"Rust",
    "Dart": r"Dart",
    "JavaScript": r"Node",
    "Bash": r"shell(?= script)",
}
# frameworks name their language wherever they appear
_FRAMEWORK_LANGUAGES: list[tuple[str, str, str]] = [
    ("Spring Boot", r"spring(?: ?boot)?", "Java"),
    ("Express", r"express\.?js|express(?= (?:api|server|app|backend|rest|service|router))", "JavaScript"),
    ("NestJS", r"nest\.?js", "TypeScript"),
    ("Next.js", r"next\.?js", "JavaScript"),
    ("Ruby on Rails", r"(?:ruby on )?rails", "Ruby"),
    ("Laravel", r"laravel|symfony", "PHP"),
    ("ASP.NET", r"asp\.?net(?: core)?", "C#"),
    ("Gin", r"gin(?=\)? (?:api|server|framework|service|router))", "Go"),
    ("Fastify", r"fastify", "JavaScript"),
    ("Koa", r"koa(?=\)? (?:api|server|app|backend|service))", "JavaScript"),
    ("Actix", r"actix(?:-web)?", "Rust"),
    ("Axum", r"axum", "Rust"),
    ("Rocket", r"rocket\.rs", "Rust"),
    ("Ktor", r"ktor", "Kotlin"),
    ("Phoenix", r"phoenix(?= (?:api|app|framework|service))", "Elixir"),
    ("Flutter", r"flutter", "Dart"),
]
# words before a language that make it the program's language ("in", "written in", "using")
_BEFORE = r"(?:in|using|use|with|written in|built (?:in|with)|coded in|implemented in|pure|to|into|on)"
# words after it ("a Go service", "Java code")
_AFTER = (
    r"(?:cli|command|command line|api|apis|rest|restful|app|apps|application|program|programs|service|services"
    r"|microservice|server|backend|library|lib|module|package|script|scripts|tool|utility|project|code|class"
    r"|classes|function|functions|implementation|version|console|desktop|gui|web|webapp|website|binary|crate|gem"
    r"|sdk|bot|game|worker|daemon|plugin|port|page|pages|site|frontend|widget|component|react|vue|angular)"
)
# what the template generator writes each kind in
WEB_LANGUAGES = frozenset({"JavaScript", "HTML", "CSS"})


@dataclass(frozen=True)
class LanguageAsk:
    language: str
    phrase: str  # the words that asked for it, as written ("a Java CLI", "Spring Boot")
    framework: str | None = None


def _lower(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def asked_languages(text: str) -> list[LanguageAsk]:
    """Every language the text asks the program to be written in, in order of appearance (no duplicates)."""
    lowered = _lower(text)
    found: list[tuple[int, LanguageAsk]] = []
    for name, pattern, language in _FRAMEWORK_LANGUAGES:
        for match in re.finditer(rf"(?<![\w.#+])(?:{pattern})(?![\w#+])", lowered):
            found.append((match.start(), LanguageAsk(language, match.group(0), framework=name)))
    for language, pattern in _LANGUAGES.items():
        cued = (
            rf"(?<![\w.#+])(?:{_BEFORE}) (?:the )?(?P<a>{pattern})(?![\w#+])(?!\.\w)"
            rf"|(?<![\w.#+])(?P<b>{pattern})(?![\w#+]) (?:{_AFTER})\b"
        )
        found += [(match.start(), LanguageAsk(language, match.group(0))) for match in re.finditer(cued, lowered)]
    spaced = " ".join(text.replace("-", " ").split())
    for language, pattern in _AMBIGUOUS.items():
        # "go and", "go on", "go out" are English; a capitalised name after "in", "using", "with" is the language
        english = r"(?! (?:to|and|back|ahead|through|over|on|about|out|away|up|down)\b)" if language == "Go" else ""
        cued = (
            rf"(?<![\w.#+])(?:in|using|with) (?:{pattern})(?![\w#+]){english}"
            rf"|(?<![\w.#+])(?i:written in|built in|implemented in|coded in) (?i:{pattern})(?![\w#+])"
            # "a Go CLI", "Go HTTP server with CRUD", "Rust web service"
            # "a Go (gin) API", "Go/Echo service": a framework in brackets or after a slash between them
            rf"|(?<![\w.#+])(?:{pattern})(?: \([\w .-]{{1,20}}\)|/[\w.-]{{1,20}})? (?:(?i:http|https|web|tcp|json|rest|crud) )?(?i:cli|command|console|api"
            rf"|rest|program|service|microservice|server|backend|library|module|package|binary|app|application|tool"
            rf"|script)\b"
        )
        found += [(match.start(), LanguageAsk(language, match.group(0))) for match in re.finditer(cued, spaced)]
        found += [
            (match.start(), LanguageAsk(language, match.group(0)))
            for match in re.finditer(r"(?<![\w.#+])golang(?![\w#+])", lowered) if language == "Go"
        ]
        # written in lower case, only where nothing but a language fits: "a trie in go with Insert", "in node:"
        lower = {"Go": "go", "JavaScript": "node"}.get(language)
        if lower:
            found += [(match.start(), LanguageAsk(language, match.group(0))) for match in re.finditer(
                rf"(?<![\w.#+])(?:in|using|written in) {lower}(?= ?(?:[,:;.]|$|with\b|using\b|that\b|which\b"
                r"|for\b|and\b|please\b))", lowered)]
    found.sort(key=lambda item: item[0])
    seen: set[str] = set()
    asks = []
    for _, ask in found:
        if ask.language not in seen:
            seen.add(ask.language)
            asks.append(ask)
    return asks


@dataclass(frozen=True)
class UnsupportedKind:
    label: str  # "a real-time service (WebSockets)"
    phrase: str  # the words that asked for it
    always: bool  # True: even next to a kind it writes ("a GraphQL API" is not a REST API)


_UNSUPPORTED: list[tuple[str, str, bool]] = [
    ("a GraphQL, gRPC or SOAP API", r"graphql|grpc|soap api|soap service|protobuf", True),
    ("a real-time service (WebSockets, live push)", r"web ?sockets?|socket\.?io|real ?time|server sent events|live (?:chat|updates)", False),
    # a game named by its name is a game wherever it is written ("tic tac toe in python for the terminal")
    ("a game", (
        r"tic tac toe|tictactoe|noughts and crosses|tetris|minesweeper|hangman|connect (?:four|4)|wordle|pac ?man"
        r"|space invaders|flappy bird|blackjack|battleship|rock paper scissors|sudoku game|checkers game"
    ), True),
    ("a game", (
        r"(?<!my )(?<!our )(?<!collection of )(?:snake|tetris|pong|breakout|platformer|rpg|arcade|puzzle|chess|tic tac toe"
        r"|card|board|memory|shooter"
        # "my board game collection", "a board game café's tables": games kept or served, not played
        r"|racing|video|2d|3d) games?(?!s? (?:collection|library|catalog\w*|club|caf[eé]|nights?|shelf|shelves|shop|store"
        r"|rentals?|inventory|tracker|log|loans?|swap|sales?)\b)|(?<!for )(?<!for a )(?<!for an )(?<!the )(?<!add a )(?<!each )(?<!every )\bgame (?:in|with|for|where|that|using)\b"
        r"|\bplayable\b"
    ), False),
    # live data from another company's service: the offline generator writes no client of one
    ("a client of an outside web service (live data from another company's API)", (
        # a service named by its name, or a kind of live data fetched "from/using the ... API"
        r"(?:openweather\w*|alpha ?vantage|coingecko|newsapi|stripe|twilio|spotify|twitter|youtube|reddit"
        r"|google (?:maps|calendar|sheets)|openai|chatgpt) ?apis?\b|\b(?:openweather\w*|alpha ?vantage|coingecko)\b"
        r"|(?:using|uses|from|via|calls?|calling|fetch\w*(?: from)?|pull\w*(?: from)?|quer\w*|consum\w*"
        r"|integrat\w* with) (?:the |a |an )?(?:public |free |external |third party )?(?:weather|stock (?:price|market)"
        r"|news|crypto(?:currency)?|exchange rates?|currency|movie|maps?) ?apis?\b"
        # a user's data on another company's site: "github repos for a username", "tweets of a handle"
        r"|(?:github|gitlab|twitter|instagram|reddit|youtube|spotify|twitch) \w+(?: \w+)? (?:for|of|by) (?:a |any |the )?"
        r"(?:given )?(?:username|user name|handle|channel|account)"
    ), True),
    # a question, not a request for a program: "how do I reverse a string in javascript?"
    ("an answer to a question (it writes projects; it does not answer questions)", (
        r"^(?:how (?:do|can|would|should|does) (?:i|you|we|one)|how to|what (?:is|are|does|do)|why (?:does|is|do|are)"
        r"|can you explain|explain|what'?s the difference|is it possible)\b"
        r"(?!.*\b(?:build|create|make|write|generate|implement|code|develop|set ?up)\b).*\?\s*$"
    ), True),
    ("a web crawler or scraper", r"crawlers?|scrap(?:er|ers|ing|e)|spiders?", False),
    ("a machine-learning program", (
        r"machine learning|neural net\w*|deep learning|train (?:a |an )?(?:\w+ )?models?|classifier|"
        r"scikit|sklearn|tensorflow|pytorch|keras|llm|embeddings?|regression model|recommendation (?:engine|system)s?"
        r"|recommender|collaborative filtering|lstms?|rnns?|cnns?|gans?|transformer models?|diffusion models?"
        r"|generative (?:ai|models?)|(?:generate|generates|generating|compose|composes) (?:music|images|art|songs)"
    ), False),
    ("a mobile app", r"(?:android|ios|iphone|mobile|react native) (?:app|application)s?", True),
    ("a desktop GUI", r"desktop (?:app|application|gui)|tkinter|pyqt|qt app|electron|gui app|gui application", True),
    ("a chat bot", r"(?:discord|telegram|slack|whatsapp|chat) ?bots?|chatbots?", True),
    ("a blockchain program", r"blockchain|smart contracts?|solidity|ethereum|nft", True),
    ("a browser extension", r"(?:browser|chrome|firefox) (?:extension|add ?on|plugin)", True),
    ("a microcontroller program (firmware)", (
        r"arduino|esp ?32|esp ?8266|micro ?python|circuit ?python|raspberry pi pico|firmware|microcontrollers?"
        r"|(?:stm32|avr|attiny)\w*"
    ), True),
    ("a compiler, interpreter or operating-system program", r"compiler|interpreter for|operating system|kernel module|device driver", True),
    ("an email or notification service", r"email (?:service|sender|server)|smtp server|newsletter sender", True),
    ("a program that renames, moves or sorts the files of a folder", (
        r"renam\w* (?:all |the |my |every |each )?(?:\w+ )?(?:files|photos|pictures|images|documents|mp3s|songs)"
        r"|(?:organi[sz]\w*|sort\w*|mov\w*) (?:all |the |my )?(?:\w+ )?(?:files|photos|pictures|downloads) (?:in|into|by|from)"
    ), True),
]


def unsupported_kinds(text: str) -> list[UnsupportedKind]:
    lowered = _lower(text)
    found = []
    for label, pattern, always in _UNSUPPORTED:
        # a whole word (or its plural): "electronics" is no Electron, "a kernelized" no kernel
        match = re.search(rf"\b(?:{pattern})(?:s|es)?(?!\w)", lowered)
        if match:
            found.append(UnsupportedKind(label, match.group(0), always))
    return found
