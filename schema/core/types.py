"""Types that hold their model: fields are declared once on the type and filled by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

import strawberry
from strawberry.types import get_object_definition
from strawberry.types.private import is_private

from schema.core.ids import to_global_id

if TYPE_CHECKING:
    from schema.core.relations import Relation

T = TypeVar("T")


_SHAPES: dict[type, tuple[frozenset[str], str | None]] = {}


def _shape(cls: type) -> tuple[frozenset[str], str | None]:
    """The GraphQL fields of a type that hold a value rather than run a resolver, and the
    type's GraphQL name if one of them is its global `id` (kept per type)."""
    found = _SHAPES.get(cls)
    if found is None:
        found = _SHAPES[cls] = _shape_of(cls)
    return found


def _shape_of(cls: type) -> tuple[frozenset[str], str | None]:
    definition = get_object_definition(cls, strict=True)
    plain = frozenset(
        f.python_name
        for f in definition.fields
        if f.base_resolver is None and not is_private(f.type)
    )
    return plain, definition.name if "id" in plain else None


def build(cls: Callable[..., T], model: Any, **converted: Any) -> T:
    """An instance of the strawberry type `cls` holding `model` (a model or a `Row`).

    Only `model` and the `converted` values are stored: each other plain field is read from
    the model attribute of the same name when (and if) it is resolved, and `id` is the global
    id of the type's GraphQL name and the model's primary key (see `HoldsModel.__getattr__`).
    The dataclass `__init__` is skipped: a list builds hundreds of these, and most of their
    fields are never asked for.
    """
    instance: Any = object.__new__(cls)  # type: ignore[arg-type]
    values = instance.__dict__
    values["model"] = model
    if converted:
        values.update(converted)
    return cast(T, instance)


class HoldsModel:
    """Mixin of the types that hold a model in a private `model` field."""

    # The relation fields a page may load for all its rows at once, by GraphQL name.
    relations: ClassVar[dict[str, Relation]] = {}

    def __getattr__(self, name: str) -> Any:
        """A plain field not given at construction: from the model (see `build`)."""
        plain, id_type = _shape(type(self))
        try:
            model = self.__dict__["model"]
        except KeyError:
            raise AttributeError(name) from None
        if name == "id" and id_type is not None:
            return strawberry.ID(to_global_id(id_type, model.id))
        if name in plain:
            return getattr(model, name)
        raise AttributeError(name)

    @classmethod
    def from_model(cls, model: Any) -> Self:
        return build(cls, model, **cls.converted(model))

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        """The fields whose API value differs from the column (enum lists, URLs, …)."""
        return {}
