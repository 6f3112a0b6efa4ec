"""The records services answer with (codegen/records.py) and the response models of the OpenAPI
document (codegen/schemas.py) name the same fields: the two descriptions of an answer cannot drift."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import BaseModel

from codegen import records, schemas

PAIRS = [
    (records.User, schemas.UserOut),
    (records.AccessToken, schemas.TokenOut),
    (records.Registered, schemas.RegisterOut),
    (records.Project, schemas.ProjectOut),
    (records.ProjectGeneration, schemas.ProjectGeneration),
    (records.ProjectDetail, schemas.ProjectDetail),
    (records.CreatedGeneration, schemas.GenerationCreated),
    (records.GenerationSummary, schemas.GenerationSummary),
    (records.Generation, schemas.GenerationOut),
    (records.GenerationListItem, schemas.GenerationListItem),
    (records.FileContent, schemas.FileContent),
    (records.StreamToken, schemas.StreamTokenOut),
    (records.PreviewLink, schemas.PreviewTokenOut),
]


@pytest.mark.parametrize(("record", "model"), PAIRS, ids=[record.__name__ for record, _ in PAIRS])
def test_a_record_and_its_response_model_name_the_same_fields(record: type, model: type[BaseModel]) -> None:
    assert {field.name for field in dataclasses.fields(record)} == set(model.model_fields)
