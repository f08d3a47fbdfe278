"""Signing in (password or e-mailed link) and out, passwords, your profile, closing your
account. Anyone may call the sign-in mutations; the others need a session."""

from __future__ import annotations

from datetime import datetime

import strawberry

from cms.models import Account, LinkPurpose
from cms.services import accounts, sessions
from schema.accounts.inputs import MyProfileInput
from schema.accounts.types import AccountType
from schema.context import Info
from schema.core.ids import database_id
from schema.core.payloads import MutationError, attempt


@strawberry.type(description="The result of signing in: a session token, shown this once.")
class SignInPayload:
    token: str | None = strawberry.field(
        default=None, description="Send it as `Authorization: Bearer <token>` (cmss_…)."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the session ends unless you sign out first."
    )
    account: AccountType | None = strawberry.field(default=None, description="You.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of an account action that returns nothing more.")
class AccountActionPayload:
    ok: bool = strawberry.field(
        default=False, description="True when done (for a link request: when accepted)."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a change to your account.")
class AccountPayload:
    account: AccountType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def _client(info: Info) -> sessions.Client:
    request = info.context.request
    address = request.client.host if request.client is not None else ""
    return sessions.Client(address=address, agent=request.headers.get("user-agent", ""))


def _signed_in(opened: sessions.Opened) -> SignInPayload:
    return SignInPayload(
        token=opened.token,
        expires_at=opened.session.expires_at,
        account=AccountType(model=opened.account),
    )


def _sign_in_failed(errors: list[MutationError]) -> SignInPayload:
    return SignInPayload(errors=errors)


def _done(_: object) -> AccountActionPayload:
    return AccountActionPayload(ok=True)


def _action_failed(errors: list[MutationError]) -> AccountActionPayload:
    return AccountActionPayload(errors=errors)


def _saved(account: Account) -> AccountPayload:
    return AccountPayload(account=AccountType(model=account))


def _account_failed(errors: list[MutationError]) -> AccountPayload:
    return AccountPayload(errors=errors)


class AccountMutation:
    """A person's own account."""

    @strawberry.mutation(
        description="Sign in with your address and password. Any failure answers "
        "SIGN_IN_FAILED, whatever the reason; attempts are limited per address and client."
    )
    async def sign_in(self, info: Info, email: str, password: str) -> SignInPayload:
        async def work() -> sessions.Opened:
            return await sessions.sign_in(info.context.settings, _client(info), email, password)

        return await attempt(work, _signed_in, _sign_in_failed)

    @strawberry.mutation(
        description="Mail a one-time sign-in link to the address, if an account has it. "
        "Answers the same either way (ok: true)."
    )
    async def request_sign_in_link(self, info: Info, email: str) -> AccountActionPayload:
        async def work() -> None:
            await accounts.request_link(
                info.context.settings,
                info.context.scope.tenant,
                _client(info),
                email,
                LinkPurpose.SIGN_IN,
            )

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="Sign in with the token of an e-mailed sign-in link.")
    async def sign_in_with_link(self, info: Info, token: str) -> SignInPayload:
        async def work() -> sessions.Opened:
            return await accounts.sign_in_with_link(info.context.settings, _client(info), token)

        return await attempt(work, _signed_in, _sign_in_failed)

    @strawberry.mutation(
        description="Mail a one-time password-reset link to the address, if an account has "
        "it. Answers the same either way (ok: true)."
    )
    async def request_password_reset(self, info: Info, email: str) -> AccountActionPayload:
        async def work() -> None:
            await accounts.request_link(
                info.context.settings,
                info.context.scope.tenant,
                _client(info),
                email,
                LinkPurpose.PASSWORD_RESET,
            )

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(
        description="Set a new password with the token of an e-mailed reset link; every "
        "session of the account ends."
    )
    async def reset_password(
        self, info: Info, token: str, new_password: str
    ) -> AccountActionPayload:
        async def work() -> None:
            await accounts.reset_password(info.context.settings, _client(info), token, new_password)

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="Change your password; your other sessions end.")
    async def change_password(
        self, info: Info, current_password: str, new_password: str
    ) -> AccountActionPayload:
        async def work() -> None:
            await accounts.change_password(
                info.context.settings,
                _client(info),
                info.context.principal,
                current_password,
                new_password,
            )

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="Sign out: end the session this request came with.")
    async def sign_out(self, info: Info) -> AccountActionPayload:
        async def work() -> None:
            await sessions.sign_out(info.context.principal)

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="End every one of your sessions, this one too.")
    async def sign_out_everywhere(self, info: Info) -> AccountActionPayload:
        async def work() -> None:
            await sessions.sign_out_everywhere(info.context.principal)

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="End one of your sessions (see `me { sessions }`).")
    async def revoke_session(self, info: Info, id: strawberry.ID) -> AccountActionPayload:
        async def work() -> None:
            session_id = database_id(id, "AccountSession", "id")
            await sessions.revoke(info.context.principal, session_id)

        return await attempt(work, _done, _action_failed)

    @strawberry.mutation(description="Change your profile.")
    async def update_me(self, info: Info, input: MyProfileInput) -> AccountPayload:
        async def work() -> Account:
            return await accounts.update_me(info.context.principal, input.values())

        return await attempt(work, _saved, _account_failed)

    @strawberry.mutation(
        description="Close your account: your personal data is erased, your memberships and "
        "sessions end, and what you wrote stays, shown as by a former member. Confirm with "
        "your password, or, without one, by typing your address."
    )
    async def close_account(
        self, info: Info, password: str | None = None, confirm_email: str | None = None
    ) -> AccountActionPayload:
        async def work() -> None:
            await accounts.close_account(
                info.context.settings,
                _client(info),
                info.context.principal,
                password,
                confirm_email,
            )

        return await attempt(work, _done, _action_failed)
