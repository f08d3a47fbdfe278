"""The seed data format: the keys each kind takes, checked in full before anything is written.

A data file is ``{"tenants": [ {tenant keys..., "tags": [...], "resources": [...], ...} ]}``;
every item belongs to the tenant block it is written in. ``"_note"`` is a comment anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.models import Model

from cms.models import (
    Audience,
    EventFormat,
    Maturity,
    NewsKind,
    OrganisationKind,
    ProfileRole,
    ResourceKind,
    Status,
    Tag,
    Tenant,
    TenantKind,
    VideoProvider,
)
from cms.services.kinds import KINDS as CONTENT_KINDS
from cms.services.kinds import Kind as ContentKind
from seeds.checks import (
    COUNTRY,
    HOST,
    LANGUAGE,
    PATH,
    SLUG,
    SLUGS,
    STRINGS,
    TEXT,
    THEMATIC_AREAS,
    Check,
    Invalid,
    aware_datetime,
    boolean,
    choice,
    iana_timezone,
    integer,
    list_of,
)

# Loads must be deterministic, so an item without a date gets this one, never "now".
DEFAULT_PUBLISHED_AT = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
NOTE_KEY = "_note"


class SeedError(ValueError):
    """The seed data is malformed; ``problems`` lists each one with its file and item."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Key:
    """One key an item may have: its check, whether it is required, what it refers to."""

    check: Check
    required: bool = False
    # A reference is checked against the slugs declared for that kind: "tenant", "tag", ….
    ref: str | None = None


@dataclass(frozen=True)
class Kind:
    """A list a tenant block may hold (``"resources": [...]``) and the model it fills."""

    model: type[Model]
    keys: Mapping[str, Key]
    # The content kind its items are, written through the content services (tags are not).
    content: ContentKind | None = None


CONTENT_KEYS: dict[str, Key] = {
    "slug": Key(SLUG, required=True),
    "status": Key(choice(Status)),
    "published_at": Key(aware_datetime),
    "language": Key(LANGUAGE),
    "audience": Key(choice(Audience)),
}

TENANT_KEYS: dict[str, Key] = {
    "slug": Key(SLUG, required=True),
    "name": Key(TEXT, required=True),
    "kind": Key(choice(TenantKind), required=True),
    "acronym": Key(TEXT),
    "parent": Key(SLUG, ref="tenant"),
    "description": Key(TEXT),
    "domains": Key(list_of(HOST)),
    "website": Key(TEXT),
    "contact_email": Key(TEXT),
    "thematic_areas": Key(THEMATIC_AREAS),
    "maturity": Key(choice(Maturity)),
    "default_language": Key(LANGUAGE),
}

# What a seed file may say of each content kind of the registry (after CONTENT_KEYS), in the
# order they are written: each kind only refers to kinds above it.
CONTENT_SEED_KEYS: dict[str, dict[str, Key]] = {
    "Organisation": {
        "name": Key(TEXT, required=True),
        "kind": Key(choice(OrganisationKind), required=True),
        "acronym": Key(TEXT),
        "country": Key(COUNTRY),
        "website": Key(TEXT),
        "description": Key(TEXT),
        "shared": Key(boolean),
        "memberships": Key(SLUGS, ref="tenant"),
    },
    "Profile": {
        "name": Key(TEXT, required=True),
        "roles": Key(list_of(choice(ProfileRole))),
        "expertise": Key(STRINGS),
        "languages": Key(list_of(LANGUAGE)),
        "country": Key(COUNTRY),
        "organisation": Key(SLUG, ref="organisation"),
        "bio": Key(TEXT),
        "private_contact": Key(TEXT),
        "shared": Key(boolean),
    },
    "Resource": {
        "title": Key(TEXT, required=True),
        "kind": Key(choice(ResourceKind), required=True),
        "summary": Key(TEXT),
        "body": Key(TEXT),
        "thematic_areas": Key(THEMATIC_AREAS),
        "external_url": Key(TEXT),
        "shared": Key(boolean),
        "organisation": Key(SLUG, ref="organisation"),
        "tags": Key(SLUGS, ref="tag"),
        "authors": Key(SLUGS, ref="profile"),
    },
    "Video": {
        "title": Key(TEXT, required=True),
        "provider": Key(choice(VideoProvider), required=True),
        "description": Key(TEXT),
        "source_url": Key(TEXT),
        "embed_url": Key(TEXT),
        "duration_seconds": Key(integer),
        "transcript": Key(TEXT),
        "thematic_areas": Key(THEMATIC_AREAS),
        "shared": Key(boolean),
        "tags": Key(SLUGS, ref="tag"),
    },
    "Event": {
        "title": Key(TEXT, required=True),
        "start": Key(aware_datetime, required=True),
        "end": Key(aware_datetime, required=True),
        "format": Key(choice(EventFormat), required=True),
        "description": Key(TEXT),
        "timezone": Key(iana_timezone),
        "location": Key(TEXT),
        "host_organisation": Key(SLUG, ref="organisation"),
        "registration_url": Key(TEXT),
        "thematic_areas": Key(THEMATIC_AREAS),
        "tags": Key(SLUGS, ref="tag"),
    },
    "NewsItem": {
        "title": Key(TEXT, required=True),
        "kind": Key(choice(NewsKind)),
        "summary": Key(TEXT),
        "body": Key(TEXT),
        "thematic_areas": Key(THEMATIC_AREAS),
        "tags": Key(SLUGS, ref="tag"),
    },
    "Page": {
        # A page is named by its path; its slug defaults to the path's last segment.
        "slug": Key(SLUG),
        "path": Key(PATH, required=True),
        "title": Key(TEXT, required=True),
        "summary": Key(TEXT),
        "body": Key(TEXT),
        "menu_order": Key(integer),
        "show_in_menu": Key(boolean),
    },
}
KINDS: dict[str, Kind] = {
    "tags": Kind(Tag, {"slug": Key(SLUG, required=True), "name": Key(TEXT, required=True)}),
    **{
        CONTENT_KINDS[name].collection: Kind(
            CONTENT_KINDS[name].model, CONTENT_KEYS | keys, CONTENT_KINDS[name]
        )
        for name, keys in CONTENT_SEED_KEYS.items()
    },
}
REF_KINDS = {"tag": "tags", "organisation": "organisations", "profile": "profiles"}


@dataclass
class TenantPlan:
    """One validated tenant block: its own fields and its items, normalised, by kind."""

    file: str
    fields: dict[str, Any]
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The tenant's slug."""
        return str(self.fields["slug"])


class _Problems:
    """Collects every problem so that one run of the loader reports them all."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")


def _max_length(model: type[Model], key: str) -> int | None:
    model_field = model._meta.fields_map.get(key)
    return getattr(model_field, "max_length", None) if model_field is not None else None


def _check_keys(
    raw: Any,
    keys: Mapping[str, Key],
    model: type[Model],
    where: str,
    problems: _Problems,
    extra: Iterable[str] = (),
) -> dict[str, Any] | None:
    """Check one JSON object against its keys; the normalised values, or None if unusable."""
    if not isinstance(raw, dict):
        problems.add(where, f"expected an object, got {type(raw).__name__}")
        return None
    allowed = set(keys) | set(extra) | {NOTE_KEY}
    for unknown in sorted(set(raw) - allowed):
        problems.add(where, f"unknown key {unknown!r}")
    for missing in sorted(k for k, spec in keys.items() if spec.required and k not in raw):
        problems.add(where, f"missing required key {missing!r}")
    values: dict[str, Any] = {}
    for name, spec in keys.items():
        if name not in raw:
            continue
        try:
            value = spec.check(raw[name])
        except Invalid as exc:
            problems.add(where, f"{name}: {exc}")
            continue
        limit = _max_length(model, name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            problems.add(where, f"{name}: longer than {limit} characters")
        values[name] = value
    return values


def _label(kind: str, index: int, raw: Any) -> str:
    """How messages name an item: by slug (or page path), else by its place in the list."""
    name = (raw.get("slug") or raw.get("path")) if isinstance(raw, dict) else None
    return f"{kind} {name!r}" if isinstance(name, str) else f"{kind}[{index}]"


def _apply_defaults(kind: str, item: dict[str, Any], language: str) -> None:
    if kind == "pages" and "slug" not in item and "path" in item:
        item["slug"] = item["path"].rsplit("/", 1)[-1]
    if KINDS[kind].content:
        item.setdefault("status", Status.PUBLISHED)
        item.setdefault("language", language)
        # A draft has never been published, so it only gets a date when one is given.
        if item["status"] != Status.DRAFT:
            item.setdefault("published_at", DEFAULT_PUBLISHED_AT)


def _check_tenant_items(plan: TenantPlan, where: str, problems: _Problems) -> None:
    """Uniqueness and references that stay inside one tenant block."""
    declared = {kind: {item["slug"] for item in items} for kind, items in plan.items.items()}
    for kind, items in plan.items.items():
        seen: set[str] = set()
        for item in items:
            item_where = f"{where} {kind} {item['slug']!r}"
            if item["slug"] in seen:
                problems.add(item_where, "slug used twice in this tenant")
            seen.add(item["slug"])
            for name, spec in KINDS[kind].keys.items():
                if spec.ref not in REF_KINDS or name not in item:
                    continue
                wanted = item[name] if isinstance(item[name], list) else [item[name]]
                for slug in wanted:
                    if slug not in declared.get(REF_KINDS[spec.ref], set()):
                        problems.add(item_where, f"{name}: unknown {spec.ref} {slug!r}")
        if kind == "events":
            for item in items:
                if "start" in item and "end" in item and item["end"] < item["start"]:
                    problems.add(f"{where} events {item['slug']!r}", "end is before start")
    paths = [page["path"] for page in plan.items.get("pages", [])]
    for path in {p for p in paths if paths.count(p) > 1}:
        problems.add(f"{where} pages {path!r}", "path used twice in this tenant")
    for path in paths:
        parent = path.rpartition("/")[0]
        if parent and parent not in paths:
            problems.add(f"{where} pages {path!r}", f"no page at the parent path {parent!r}")


def _parse_tenant(file: str, index: int, raw: Any, problems: _Problems) -> TenantPlan | None:
    slug = raw.get("slug") if isinstance(raw, dict) else None
    where = f"{file}: tenant {slug!r}" if isinstance(slug, str) else f"{file}: tenants[{index}]"
    fields = _check_keys(raw, TENANT_KEYS, Tenant, where, problems, extra=KINDS)
    if fields is None or "slug" not in fields:
        return None
    plan = TenantPlan(file=file, fields=fields)
    language = fields.get("default_language", "en")
    for kind, spec in KINDS.items():
        raw_items = raw.get(kind, [])
        if not isinstance(raw_items, list):
            problems.add(where, f"{kind}: expected a list")
            continue
        items = []
        for i, raw_item in enumerate(raw_items):
            item_where = f"{where} {_label(kind, i, raw_item)}"
            item = _check_keys(raw_item, spec.keys, spec.model, item_where, problems)
            if item is None:
                continue
            _apply_defaults(kind, item, language)
            if "slug" in item:
                items.append(item)
        plan.items[kind] = items
    _check_tenant_items(plan, where, problems)
    return plan


def _check_tenants(
    plans: list[TenantPlan], known: Mapping[str, list[str]], problems: _Problems
) -> None:
    """Uniqueness and references across tenants, and that parents form no cycle."""
    seen: dict[str, str] = {}
    # A Host header must resolve to one tenant, including tenants already in the database.
    hosts = {host: slug for slug, domains in known.items() for host in domains}
    for plan in plans:
        where = f"{plan.file}: tenant {plan.slug!r}"
        if plan.slug in seen:
            problems.add(where, f"slug already declared in {seen[plan.slug]}")
        seen.setdefault(plan.slug, plan.file)
        for host in plan.fields.get("domains", []):
            if hosts.setdefault(host, plan.slug) != plan.slug:
                problems.add(where, f"domain {host!r} already belongs to {hosts[host]!r}")
    tenant_slugs = set(seen) | set(known)
    for plan in plans:
        where = f"{plan.file}: tenant {plan.slug!r}"
        parent = plan.fields.get("parent")
        if parent is not None and parent not in tenant_slugs:
            problems.add(where, f"parent: unknown tenant {parent!r}")
        for org in plan.items.get("organisations", []):
            for slug in org.get("memberships", []):
                if slug not in tenant_slugs:
                    problems.add(
                        f"{where} organisations {org['slug']!r}",
                        f"memberships: unknown tenant {slug!r}",
                    )
    parents = {p.slug: p.fields.get("parent") for p in plans}
    files = {p.slug: p.file for p in plans}
    for slug in parents:
        chain, current = {slug}, parents.get(slug)
        while current is not None and current in parents:
            if current in chain:
                problems.add(f"{files[slug]}: tenant {slug!r}", "parent chain loops back on itself")
                break
            chain.add(current)
            current = parents[current]


def parent_first(plans: list[TenantPlan]) -> list[TenantPlan]:
    """The plans ordered so that every tenant comes after its parent (stable otherwise)."""
    by_slug = {plan.slug: plan for plan in plans}

    def depth(plan: TenantPlan) -> int:
        level, parent = 0, plan.fields.get("parent")
        while parent in by_slug:
            level, parent = level + 1, by_slug[parent].fields.get("parent")
        return level

    return sorted(plans, key=depth)


def validate(
    documents: Mapping[str, Any], known_tenants: Mapping[str, list[str]]
) -> list[TenantPlan]:
    """Check parsed data files (by file name) and return their tenant plans, or raise SeedError.

    ``known_tenants`` maps the slugs already in the database to their domains: parents and
    memberships may name them, and new tenants may not take their domains.
    """
    problems = _Problems()
    plans: list[TenantPlan] = []
    for file, document in documents.items():
        if not isinstance(document, dict):
            problems.add(file, "expected a JSON object with a 'tenants' list")
            continue
        for unknown in sorted(set(document) - {"tenants", NOTE_KEY}):
            problems.add(file, f"unknown key {unknown!r}")
        tenants = document.get("tenants")
        if not isinstance(tenants, list):
            problems.add(file, "'tenants' must be a list")
            continue
        for index, raw in enumerate(tenants):
            plan = _parse_tenant(file, index, raw, problems)
            if plan is not None:
                plans.append(plan)
    _check_tenants(plans, known_tenants, problems)
    if problems.lines:
        raise SeedError(problems.lines)
    return parent_first(plans)
