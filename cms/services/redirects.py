"""Old slugs and page paths that keep resolving after an item moves (issue 18, item 4).

Written by the content service in the transaction of the write that changes a key; read by
the API's lookups when no item has the key asked for, and listed by the `redirects` query so
a static site can write its redirect rules.
"""

from __future__ import annotations

from cms import models
from cms.services.kinds import Kind

KEY_MAX = 500  # models.Redirect.old_key


def key_of(row: models.ContentModel) -> str:
    """The key an item is looked up by: a page's path, any other item's slug."""
    return str(row.path) if isinstance(row, models.Page) else row.slug


async def remember(kind: Kind, old_key: str, row: models.ContentModel) -> None:
    """After a write, keep `old_key` pointing at `row` if it moved; its new key is its own."""
    new_key = key_of(row)
    if old_key == new_key or not old_key or len(old_key) > KEY_MAX:
        return
    mine = models.Redirect.filter(tenant_id=row.tenant_id, content_type=kind.name)
    await mine.filter(old_key=new_key).delete()
    updated = await mine.filter(old_key=old_key).update(object_id=row.id)
    if not updated:
        await models.Redirect.create(
            tenant_id=row.tenant_id, content_type=kind.name, old_key=old_key, object_id=row.id
        )
