"""Loaders of media: images and files by id, a resource's attachments."""

from __future__ import annotations

from cms.models import File, Image
from schema.core.loaders import ByIdLoader, Loader, grouped_rows
from schema.core.rows import Row

# A file's columns without its extracted text: a list of attachments carries no documents.
FILE_FIELDS = (
    "id",
    "tenant_id",
    "storage_key",
    "content_type",
    "size",
    "title",
    "filename",
    "source_uid",
    "created_at",
    "updated_at",
)


class ImageByIdLoader(ByIdLoader[Image]):
    def __init__(self) -> None:
        super().__init__(Image)


class FileByIdLoader(ByIdLoader[File]):
    def __init__(self) -> None:
        super().__init__(File)


class FilesByResourceIdLoader(Loader[int, list[Row]]):
    """A resource's attachments, in upload order."""

    async def fetch(self, keys: list[int]) -> list[list[Row]]:
        rows = (
            await File.filter(resources__id__in=keys)
            .order_by("id")
            .values(*FILE_FIELDS, owner_id="resources__id")
        )
        return grouped_rows(keys, rows, File)
