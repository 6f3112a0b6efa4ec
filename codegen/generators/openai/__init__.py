"""The ``openai`` provider: any OpenAI-compatible Chat Completions endpoint.

OpenAI, Ollama, vLLM, llama.cpp server, LM Studio and OpenRouter all answer
``POST {CODEGEN_LLM_BASE_URL}/chat/completions`` with ``stream: true``; only
standard fields are sent. See docs/llm-provider.md for configuration and the
rules (output formats, repair, retries, budget, timeout, error messages).

Phased mode asks for a JSON plan, then writes one file per request: each
answer is a single file, which parses far more reliably than one long answer
holding a whole project, and a cut-off or placeholder file costs one small
repair. Unified mode asks for every file in one streamed answer and reports
each file as its block starts. Both end in a full snapshot of the project.

Modules, in the order a request goes through them: ``generator`` (the modes,
and repair of failing tests), ``prompts`` (what the model is asked),
``budget`` (tokens), ``transport`` (one conversation: retries, the streamed answer),
``endpoint`` (where and how to call, how it fails), ``progress`` (reports and
the live view) and ``answers`` (whether an answer's files can be used).
"""

from __future__ import annotations

from codegen.generators.openai.answers import FileProblem, check_answer, check_file
from codegen.generators.openai.endpoint import RetryPolicy, parse_retry_after
from codegen.generators.openai.generator import OpenAIGenerator

__all__ = ["FileProblem", "OpenAIGenerator", "RetryPolicy", "check_answer", "check_file", "parse_retry_after"]
