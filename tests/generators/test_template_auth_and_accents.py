"""Authentication the generated token auth is not (API keys however written, session cookies) said substituted,
and field names with accented letters kept whole (batch sixteen's French bakery and escape room)."""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED, UNMET
from tests.generators.template_helpers import checklist_of, generate


async def test_an_api_key_header_written_with_hyphens_or_in_french_is_no_token_auth(
        template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "API Flask pour un chenil : chiens (nom, race), authentification "
                                                   "par clé API dans le header X-API-Key.")
    assert items["token auth"]["status"] == SUBSTITUTED and "API keys" in items["token auth"]["detail"]
    # no auth word but the header: no auth is written, and the request is unmet, not dropped
    items = await checklist_of(template_generator, "Flask API for a kennel: dogs (name, breed). Requests carry an "
                                                   "x-api-key header.")
    assert items["requests carry an x-api-key header"]["status"] == UNMET and "token auth" not in items


async def test_session_cookies_are_no_token_auth(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator,
                               "A FastAPI backend for a kennel: dogs (name, breed); admins sign in with a session cookie")
    assert items["token auth"]["status"] == SUBSTITUTED and "session" in items["token auth"]["detail"]
    bearer = await checklist_of(template_generator, "A FastAPI backend for a kennel: dogs (name, breed); JWT login")
    assert bearer["token auth"]["status"] == MET


async def test_a_misspelt_auth_word_the_parser_corrected_is_listed(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A Flask API for a kennel: dogs (name, breed), with authentification")
    items = {item["text"]: item for item in result.requirements}
    assert "auth" in result.notes["features"] and items["token auth"]["status"] == MET


async def test_accented_field_names_are_one_field_without_their_accents(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "Flask API for a café: pâtisseries with name, größe and crème")
    items = {item["text"]: item for item in result.requirements}
    assert items["patisseries with name, grosse and creme"]["status"] == MET
    assert [text for text, item in items.items() if item["status"] != MET] == []
