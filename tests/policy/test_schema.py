"""The schema (pydantic, validates policy files) and the compiled policy (what runs) agree."""

from __future__ import annotations

import pytest

from bwvdisclose.frozen import fields
from bwvdisclose.policy import models, schema


@pytest.mark.parametrize("name", sorted(models.CLASSES))
def test_every_compiled_class_has_the_fields_of_its_schema(name: str) -> None:
    validated = getattr(schema, name)
    assert list(validated.model_fields) == list(fields(models.CLASSES[name]))


def test_the_schema_has_no_class_the_compiled_policy_lacks() -> None:
    from pydantic import BaseModel

    found = {
        n
        for n, v in vars(schema).items()
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == schema.__name__
    }
    assert found - {"Strict"} == set(models.CLASSES)
