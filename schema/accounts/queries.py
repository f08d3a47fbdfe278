"""Root fields of the signed-in person: `me` and `myData`."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from cms.models import Account
from cms.services import personal_data
from cms.services.accounts import account_of
from schema.accounts.types import AccountType
from schema.context import Info


class AccountQuery:
    """What a person signed in reads about themselves."""

    @strawberry.field(
        description="You, when you signed in as a person (a session token); null for API "
        "tokens and the public."
    )
    async def me(self, info: Info) -> AccountType | None:
        principal = info.context.principal
        if principal is None or not principal.account_id:
            return None
        account = await Account.get_or_none(id=principal.account_id, closed_at=None)
        return AccountType(model=account) if account is not None else None

    @strawberry.field(
        description="Everything stored about you, as JSON: your account, memberships, "
        "sessions (without their tokens), pending links, and the revisions and audit entries "
        "you wrote (ids and dates). Needs a session."
    )
    async def my_data(self, info: Info) -> JSON:
        account = await account_of(info.context.principal)
        return cast(JSON, await personal_data.export(account))
