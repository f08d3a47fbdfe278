"""The test database: a PostgreSQL database per run, its tables in a safe order, a SQL counter."""

from __future__ import annotations

import logging
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

from tortoise import Tortoise

from cms import db


def admin_url(url: str) -> tuple[str, str]:
    """The server URL with the maintenance database, and a fresh database name."""
    parts = urlsplit(url)
    name = f"cms_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return urlunsplit(parts._replace(path="/postgres")), name


def tables() -> list[str]:
    """Every table, link tables first, so deleting in this order never breaks a foreign key."""
    links: list[str] = []
    tables: list[str] = []
    for model in Tortoise.apps[db.APP_LABEL].values():
        tables.append(model._meta.db_table)
        for field in model._meta.m2m_fields:
            through = model._meta.fields_map[field].through  # type: ignore[attr-defined]
            if through not in links:
                links.append(through)
    order = [
        "budget_line",
        "application_comment",
        "application_transition",
        "outcome",
        "application",
        "attestation",
        "support_package",
        "programme_rules",
        "tenant_domain",
        "data_submission",
        "data_framework_version",
        "data_framework",
        "resource_author",
        "resource",
        "video",
        "event",
        "news_item",
        "page",
        "profile",
        "organisation",
        "tag",
        "image",
        "file",
        "tenant",
    ]
    rest = [t for t in tables if t not in order]
    return links + rest + [t for t in order if t in tables]


class SQLCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)
