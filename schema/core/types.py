"""Types that hold their model: fields are declared once on the type and filled by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Self, TypeVar

import strawberry
from strawberry.types import get_object_definition
from strawberry.types.private import is_private

from schema.core.ids import to_global_id

T = TypeVar("T")


@cache
def _plain_fields(cls: type) -> tuple[str, ...]:
    """The GraphQL fields of a type that hold a value rather than run a resolver."""
    definition = get_object_definition(cls, strict=True)
    return tuple(
        f.python_name
        for f in definition.fields
        if f.base_resolver is None and not is_private(f.type)
    )


def build(cls: Callable[..., T], model: Any, **converted: Any) -> T:
    """An instance of the strawberry type `cls` holding `model`.

    Each plain field takes the model attribute of the same name unless `converted` gives its
    value; `id` is the global id of the type's GraphQL name and the model's primary key.
    """
    values = {name: getattr(model, name) for name in _plain_fields(cls) if name not in converted}
    if "id" in values:
        name = get_object_definition(cls, strict=True).name
        values["id"] = strawberry.ID(to_global_id(name, model.id))
    return cls(model=model, **values, **converted)


class HoldsModel:
    """Mixin of the types that hold a model in a private `model` field."""

    @classmethod
    def from_model(cls, model: Any) -> Self:
        return build(cls, model, **cls.converted(model))

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        """The fields whose API value differs from the column (enum lists, URLs, …)."""
        return {}
