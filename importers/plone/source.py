"""Reading a Plone export: collective.exportimport JSON, or plone.exportimport as folder or ZIP.

Everything here only reads. A whole export that cannot be read (a JSON file that does not
parse, a ZIP that is not one) is an `ExportError` before anything is written; a single item
that cannot be read (its own data.json is malformed) becomes a `RawItem` with a problem, so
the rest of the export still imports. Blob paths come from the export and are not trusted:
one that leaves its folder is refused.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT_TYPES = {"Plone Site"}
PEI_ROOT_DIR = "plone_site_root"


class ExportError(Exception):
    """The export as a whole cannot be read; nothing is imported."""


class ItemProblem(Exception):
    """One item cannot be imported; the message says why, for the report."""


class Blobs(Protocol):
    """Where `blob_path` values of one export point into."""

    def read(self, blob_path: str, limit: int) -> bytes: ...


@dataclass
class RawItem:
    """One item as the export holds it, or the reason it could not be read."""

    origin: str
    data: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    @property
    def uid(self) -> str:
        return str(self.data.get("UID") or "")


@dataclass
class Export:
    """The items of an export, its translation groups, and how to reach its blobs."""

    format: str
    items: list[RawItem]
    blobs: Blobs | None
    root_uids: set[str] = field(default_factory=set)
    translations: list[dict[str, str]] = field(default_factory=list)
    closer: Any = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()


def _clean_relative(blob_path: str) -> str:
    """The blob path normalised; ItemProblem when it is absolute or climbs out."""
    if not isinstance(blob_path, str) or not blob_path or "\x00" in blob_path:
        raise ItemProblem("blob_path is empty or not a string")
    normal = posixpath.normpath(blob_path.replace("\\", "/"))
    if normal.startswith(("/", "../")) or normal in {"..", "."} or ":" in normal.split("/")[0]:
        raise ItemProblem(f"blob_path {blob_path!r} leaves the blobs folder")
    return normal


class FolderBlobs:
    """Blobs in a folder on disk (collective.exportimport's --blobs, or a plone.exportimport
    export's content folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def read(self, blob_path: str, limit: int) -> bytes:
        relative = _clean_relative(blob_path)
        path = (self.root / relative).resolve()  # follows symlinks: a link out is refused too
        if not path.is_relative_to(self.root):
            raise ItemProblem(f"blob_path {blob_path!r} leaves the blobs folder")
        if not path.is_file():
            raise ItemProblem(f"blob_path {blob_path!r} names no file")
        if path.stat().st_size > limit:
            raise ItemProblem(f"blob {blob_path!r} is over the upload limit")
        return path.read_bytes()


class ZipBlobs:
    """Blobs inside a plone.exportimport ZIP, under its content folder."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str) -> None:
        self.archive = archive
        self.prefix = prefix

    def read(self, blob_path: str, limit: int) -> bytes:
        name = self.prefix + _clean_relative(blob_path)
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise ItemProblem(f"blob_path {blob_path!r} names no file") from None
        if info.file_size > limit:  # checked before inflating: no zip bombs
            raise ItemProblem(f"blob {blob_path!r} is over the upload limit")
        try:
            return self.archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ItemProblem(f"blob {blob_path!r} cannot be read: {error}") from None


def open_export(path: Path, blobs_dir: Path | None = None) -> Export:
    """The export at `path`: a collective.exportimport JSON file or folder of JSON files, or a
    plone.exportimport folder or ZIP (recognised by its `content/` folder)."""
    if not path.exists():
        raise ExportError(f"{path}: no such file or folder")
    if path.is_dir():
        if (path / "content").is_dir():
            return _read_pei_folder(path)
        return _read_cei_folder(path, blobs_dir)
    if zipfile.is_zipfile(path):
        return _read_pei_zip(path)
    return _read_cei_file(path, blobs_dir)


def _folder_blobs(blobs_dir: Path | None) -> FolderBlobs | None:
    if blobs_dir is None:
        return None
    if not blobs_dir.is_dir():
        raise ExportError(f"{blobs_dir}: the blobs folder does not exist")
    return FolderBlobs(blobs_dir)


def _parse(text: bytes, origin: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ItemProblem(f"{origin} is not valid JSON: {error}") from None


def _items_of(document: Any, origin: str) -> Iterator[RawItem]:
    entries = document if isinstance(document, list) else [document]
    for n, entry in enumerate(entries, 1):
        where = f"{origin} item {n}" if isinstance(document, list) else origin
        if isinstance(entry, dict):
            yield RawItem(where, entry)
        else:
            yield RawItem(where, problem="the item is not a JSON object")


def _read_cei_file(path: Path, blobs_dir: Path | None) -> Export:
    try:
        document = _parse(path.read_bytes(), path.name)
    except ItemProblem as problem:
        raise ExportError(str(problem)) from None
    if not isinstance(document, list):
        raise ExportError(f"{path.name}: a collective.exportimport export is a JSON list")
    items = list(_items_of(document, path.name))
    return Export("collective.exportimport", items, _folder_blobs(blobs_dir))


def _read_cei_folder(path: Path, blobs_dir: Path | None) -> Export:
    """collective.exportimport's 'one file per item' export: a folder of JSON files."""
    files = sorted(path.glob("*.json"))
    if not files:
        raise ExportError(f"{path}: no JSON files and no content/ folder")
    items: list[RawItem] = []
    for file in files:
        try:
            items.extend(_items_of(_parse(file.read_bytes(), file.name), file.name))
        except ItemProblem as problem:
            items.append(RawItem(file.name, problem=str(problem)))
    return Export("collective.exportimport", items, _folder_blobs(blobs_dir))


def _pei_items(names: list[str], read: Any) -> tuple[list[RawItem], set[str]]:
    """Items of plone.exportimport's `content/<UID>/data.json` files (the site root apart)."""
    items: list[RawItem] = []
    roots: set[str] = set()
    for name in sorted(names):
        origin = f"content/{name}/data.json"
        try:
            data = _parse(read(name), origin)
        except ItemProblem as problem:
            items.append(RawItem(origin, problem=str(problem)))
            continue
        if not isinstance(data, dict):
            items.append(RawItem(origin, problem="the item is not a JSON object"))
        elif name == PEI_ROOT_DIR or data.get("@type") in ROOT_TYPES:
            roots.add(str(data.get("UID") or ""))
        else:
            items.append(RawItem(origin, data))
    return items, roots


def _read_pei_folder(path: Path) -> Export:
    content = path / "content"
    names = [p.parent.name for p in content.glob("*/data.json")]
    items, roots = _pei_items(names, lambda name: (content / name / "data.json").read_bytes())
    export = Export("plone.exportimport", items, FolderBlobs(content), roots)
    translations = path / "translations.json"
    if translations.is_file():
        export.translations = read_translations(translations.read_bytes(), translations.name)
    return export


def _read_pei_zip(path: Path) -> Export:
    try:
        archive = zipfile.ZipFile(path)
        members = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ExportError(f"{path.name}: not a readable ZIP: {error}") from None
    # Members may sit under one top folder (a zipped export folder) or at the root.
    data_files = [m for m in members if m.endswith("/data.json") and "/content/" in f"/{m}"]
    if not data_files:
        archive.close()
        raise ExportError(f"{path.name}: no content/<UID>/data.json inside")
    top = data_files[0].split("content/", 1)[0]
    prefix = f"{top}content/"
    names = [
        m[len(prefix) : -len("/data.json")]
        for m in data_files
        if m.startswith(prefix) and m.count("/") == prefix.count("/") + 1
    ]

    def read(name: str) -> bytes:
        info = archive.getinfo(f"{prefix}{name}/data.json")
        if info.file_size > 50 * 1024 * 1024:
            raise ItemProblem("data.json is over 50 MB")
        return archive.read(info)

    items, roots = _pei_items(names, read)
    export = Export("plone.exportimport", items, ZipBlobs(archive, prefix), roots, closer=archive)
    if f"{top}translations.json" in members:
        raw = archive.read(f"{top}translations.json")
        export.translations = read_translations(raw, "translations.json")
    return export


def read_translations(raw: bytes, origin: str) -> list[dict[str, str]]:
    """Translation groups as {language: UID}, from collective.exportimport's list of
    {language: UID} or plone.exportimport's list of {canonical, translations}."""
    try:
        document = _parse(raw, origin)
    except ItemProblem as problem:
        raise ExportError(str(problem)) from None
    if not isinstance(document, list):
        raise ExportError(f"{origin}: the translations file is a JSON list of groups")
    groups: list[dict[str, str]] = []
    for entry in document:
        if not isinstance(entry, dict):
            continue
        members = entry.get("translations") if "translations" in entry else entry
        if not isinstance(members, dict):
            continue
        group = {str(k): v for k, v in members.items() if isinstance(v, str) and v}
        canonical = entry.get("canonical")
        if isinstance(canonical, str) and canonical and canonical not in group.values():
            group["_canonical"] = canonical
        if len(group) >= 2:
            groups.append(group)
    return groups
