"""Relations loaded for a whole page before its fields complete, so they resolve synchronously.

A relation field (`tags`, `authors`, `coverImage`, …) reads through its per-request loader.
Awaited field by field, each is a coroutine and a task of graphql-core's list completion (150
for a page of 50 resources). `prime` asks the loaders for every row of a page at once (one
batch each, the same statements the fields would cause), and `related` then answers from the
loader's cache without awaiting; only what was not primed goes the asynchronous way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from schema.context import Info

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Relation:
    """A relation field: the Loaders attribute it reads through and the row's key for it."""

    loader: str
    key: str  # the row attribute holding the key (`id`, `cover_image_id`, …)


def _raw(info: Any) -> Any:
    """graphql-core's resolve info, given strawberry's Info or graphql-core's own."""
    return getattr(info, "_raw_info", info)


def _fields(sets: Iterable[SelectionSetNode | None], fragments: dict[str, Any]) -> list[FieldNode]:
    found: list[FieldNode] = []
    pending = [s for s in sets if s is not None]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return found


def selected(info: Info, *path: str) -> frozenset[str]:
    """The field names selected below the current field at `path` (e.g. `edges`, `node`),
    through fragments and whatever their type condition or directives: a superset."""
    raw = _raw(info)
    fragments = raw.fragments
    sets: list[SelectionSetNode | None] = [node.selection_set for node in raw.field_nodes]
    for step in path:
        sets = [f.selection_set for f in _fields(sets, fragments) if f.name.value == step]
    return frozenset(f.name.value for f in _fields(sets, fragments))


async def prime(
    info: Info, rows: Sequence[Any], relations: dict[str, Relation], wanted: Collection[str]
) -> None:
    """Load the `wanted` relations of every row in one batch per loader (failures are left
    in the loaders' caches for the fields to report)."""
    if not rows:
        return
    loaders = info.context.loaders
    loads = []
    for name, relation in relations.items():
        if name in wanted:
            keys = {getattr(row, relation.key) for row in rows}
            keys.discard(None)
            if keys:
                loader: DataLoader[Any, Any] = getattr(loaders, relation.loader)
                loads.append(loader.load_many(sorted(keys)))
    if loads:
        await asyncio.gather(*loads, return_exceptions=True)


async def _later(loader: DataLoader[Any, Any], key: Any, wrap: Callable[[Any], R]) -> R:
    return wrap(await loader.load(key))


def related(loader: DataLoader[Any, Any], key: Any, wrap: Callable[[Any], R]) -> R:
    """`wrap` of the loader's value for `key`: at once when it is loaded, else an awaitable
    of it (graphql-core awaits either; the annotation names what the field gets)."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and future.exception() is None:
        return wrap(future.result())
    return _later(loader, key, wrap)  # type: ignore[return-value]


def wrap_all(wrap: Callable[[T], R]) -> Callable[[list[T]], list[R]]:
    def every(values: list[T]) -> list[R]:
        return [wrap(value) for value in values]

    return every


def wrap_optional(wrap: Callable[[T], R]) -> Callable[[T | None], R | None]:
    def one(value: T | None) -> R | None:
        return wrap(value) if value is not None else None

    return one
