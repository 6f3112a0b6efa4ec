"""A generation's token budget: what each request may spend, and estimates where the endpoint reports none."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codegen.generators.base import GenerationError

if TYPE_CHECKING:
    from codegen.generators.openai.transport import Completion

CHARS_PER_TOKEN = 4


def estimate_tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def prompt_tokens_estimate(messages: list[dict[str, str]]) -> int:
    # a few tokens of framing per message
    return sum(estimate_tokens(len(m["content"])) + 4 for m in messages)


@dataclass
class Budget:
    limit: int
    min_completion: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    estimated_calls: int = 0

    @property
    def used(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}

    def allowance(self, prompt_estimate: int) -> int:
        """Completion tokens the next request may use; GenerationError when it cannot be afforded."""
        allowed = self.limit - self.used - prompt_estimate
        if allowed < self.min_completion:
            raise GenerationError(
                f"The token budget of this generation is exhausted: {self.used} of {self.limit} tokens "
                f"used (CODEGEN_LLM_MAX_TOKENS), and the next request needs about {prompt_estimate} "
                f"tokens of prompt plus at least {self.min_completion} for the answer. "
                "Raise CODEGEN_LLM_MAX_TOKENS or ask for a smaller project or change."
            )
        return allowed

    def overrun(self) -> GenerationError:
        return GenerationError(
            f"The token budget of this generation ({self.limit} tokens, CODEGEN_LLM_MAX_TOKENS) ran out "
            "while the model was answering. Raise CODEGEN_LLM_MAX_TOKENS or ask for a smaller project or change."
        )

    def record(self, completion: Completion) -> None:
        self.calls += 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.estimated_calls += completion.usage_estimated
