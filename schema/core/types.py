"""Types that hold their model: fields are declared once on the type and filled by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

import strawberry
from strawberry.types import get_object_definition
from strawberry.types.private import is_private

from schema.core.ids import to_global_id
from schema.core.rows import Row

if TYPE_CHECKING:
    from schema.core.relations import Relation

T = TypeVar("T")


@cache
def _shape(cls: type) -> tuple[tuple[str, ...], str | None]:
    """The GraphQL fields of a type that hold a value rather than run a resolver, and the
    type's GraphQL name if one of them is its global `id`."""
    definition = get_object_definition(cls, strict=True)
    plain = tuple(
        f.python_name
        for f in definition.fields
        if f.base_resolver is None and not is_private(f.type)
    )
    return plain, definition.name if "id" in plain else None


def build(cls: Callable[..., T], model: Any, **converted: Any) -> T:
    """An instance of the strawberry type `cls` holding `model` (a model or a `Row`).

    Each plain field takes the model attribute of the same name unless `converted` gives its
    value; `id` is the global id of the type's GraphQL name and the model's primary key. A
    Row holds only the columns its selection needs: fields it lacks are left unset (nothing
    reads them). The dataclass `__init__` is skipped: its checks cost more than the copy.
    """
    plain, id_type = _shape(cls)  # type: ignore[arg-type]
    instance: Any = object.__new__(cls)  # type: ignore[call-overload]
    values = instance.__dict__
    if isinstance(model, Row):
        source = model.__dict__
        for name in plain:
            if name in source:
                values[name] = source[name]
    else:
        for name in plain:
            if name not in converted:
                values[name] = getattr(model, name)
    values.update(converted)
    if id_type is not None and "id" not in converted:
        values["id"] = strawberry.ID(to_global_id(id_type, model.id))
    values["model"] = model
    return cast(T, instance)


class HoldsModel:
    """Mixin of the types that hold a model in a private `model` field."""

    # The relation fields a page may load for all its rows at once, by GraphQL name.
    relations: ClassVar[dict[str, Relation]] = {}

    @classmethod
    def from_model(cls, model: Any) -> Self:
        return build(cls, model, **cls.converted(model))

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        """The fields whose API value differs from the column (enum lists, URLs, …)."""
        return {}
