"""HTTP routes under /media: signed renditions, image originals (re-encoded at full size so
that no EXIF or GPS data of an upload is ever served) and files (as uploaded, under their own
prefix, as downloads that a browser cannot take for a page of this origin).

Every response carries `nosniff` and a `sandbox` CSP. Nothing is served unless the public may
see it (media/visibility.py) or the caller's token may preview its tenant.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from cms import models
from cms.auth import authenticate
from cms.config import Settings
from cms.errors import AuthenticationFailed, InvalidInput
from media import specs
from media.renditions import Rendition, Renditions, Signer, signer_for
from media.storage import ORIGINALS, Storage, check_key
from media.visibility import Media, Visibility

IMMUTABLE = "public, max-age=31536000, immutable"
PRIVATE = "private, no-store"
# Whatever the bytes are, a browser must not run them as a page of this origin, nor guess
# another type for them than the one we send.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}
FILES_PREFIX = "/media/files"
_FULL_SIZE_FORMATS = {
    "image/jpeg": specs.Format.JPEG,
    "image/png": specs.Format.PNG,
    "image/webp": specs.Format.WEBP,
    "image/avif": specs.Format.AVIF,
    "image/gif": specs.Format.PNG,  # the first frame; animation is not kept
}


def full_size_spec(image: models.Image) -> specs.Spec:
    """The spec of an image's public original: its own size and format, metadata removed
    (an internal spec: it is never parsed from a URL, so it need not be on the ladder)."""
    fmt = _FULL_SIZE_FORMATS.get(image.content_type, specs.Format.WEBP)
    width = min(max(1, image.width), specs.MAX_DIMENSION)
    return specs.Spec(width, 0, specs.Fit.CONTAIN, fmt, specs.DEFAULT_QUALITY[fmt])


def file_url(storage_key: str) -> str:
    """Where a File's bytes are served: a prefix of their own, apart from images and pages."""
    return f"{FILES_PREFIX}/{storage_key.removeprefix(f'{ORIGINALS}/')}"


def _not_found() -> Response:
    return PlainTextResponse("Not found.", status_code=404, headers=SAFE_HEADERS)


def _bad_path() -> Response:
    return PlainTextResponse("The media path is not valid.", status_code=400, headers=SAFE_HEADERS)


def _serve(request: Request, rendition: Rendition, cache: str) -> Response:
    headers = {"ETag": rendition.etag, "Cache-Control": cache, **SAFE_HEADERS}
    matches = request.headers.get("if-none-match", "")
    if rendition.etag in {tag.strip().removeprefix("W/") for tag in matches.split(",")}:
        return Response(status_code=304, headers=headers)
    return FileResponse(rendition.path, media_type=rendition.content_type, headers=headers)


class MediaRoutes:
    """The handlers of one app, bound to its settings and storage."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage | None = None,
        visibility: Visibility | None = None,
    ) -> None:
        self.settings = settings
        self.storage = storage or Storage(settings.data_dir / "media")
        self.ladder = specs.Ladder.of(settings)
        self.renditions = Renditions(
            self.storage,
            ladder=self.ladder,
            concurrency=settings.rendition_concurrency,
            budget_bytes=settings.rendition_store_mb * 1024 * 1024,
        )
        self.visibility = visibility or Visibility(settings.media_visibility_seconds)
        self._signer: Signer | None = None

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = signer_for(self.settings)
        return self._signer

    async def _allowed(
        self, request: Request, key: str
    ) -> tuple[Media | None, str, Response | None]:
        """The media at `key` and the Cache-Control to serve it with, or the refusal."""
        media = await self.visibility.of(key)
        if not media.exists:
            return None, "", _not_found()
        if media.public:
            return media, IMMUTABLE, None
        try:
            # A person counts as a member of the first of the media's tenants they belong to.
            principal = await authenticate(
                request.headers.get("authorization"), sorted(media.tenant_ids)
            )
        except AuthenticationFailed as error:
            return None, "", PlainTextResponse(str(error), status_code=401, headers=SAFE_HEADERS)
        if media.previewable_by(principal):
            return media, PRIVATE, None
        return None, "", _not_found()  # as if it did not exist: drafts are not announced

    async def rendition(self, request: Request) -> Response:
        signature: str = request.path_params["signature"]
        path: str = request.path_params["path"]
        source, _, name = path.rpartition("/")
        try:
            check_key(path)
        except InvalidInput:
            return _bad_path()
        if not self.signer.verify(path, signature):
            return PlainTextResponse(
                "The rendition signature is not valid.", status_code=403, headers=SAFE_HEADERS
            )
        try:
            spec = specs.parse(name, self.ladder)  # before any database or Pillow work
        except InvalidInput:
            return _not_found()
        media, cache, refusal = await self._allowed(request, f"{ORIGINALS}/{source}")
        if refusal is not None or media is None or not media.images:
            return refusal or _not_found()
        rendition = await self.renditions.get(source, spec)
        return _serve(request, rendition, cache) if rendition else _not_found()

    async def _stored(self, request: Request) -> tuple[str, Media, str] | Response:
        """The original a request names, if its path is sound and the caller may fetch it:
        (storage key, its media rows, Cache-Control), else the answer to send instead."""
        key = f"{ORIGINALS}/{request.path_params['path']}"
        try:
            check_key(key)
        except InvalidInput:
            return _bad_path()
        media, cache, refusal = await self._allowed(request, key)
        if refusal is not None or media is None:
            return refusal or _not_found()
        return key, media, cache

    async def original(self, request: Request) -> Response:
        found = await self._stored(request)
        if isinstance(found, Response):
            return found
        key, media, cache = found
        if media.images:
            source = key.removeprefix(f"{ORIGINALS}/")
            rendition = await self.renditions.get(source, full_size_spec(media.images[0]))
            return _serve(request, rendition, cache) if rendition else _not_found()
        return self._file(media.files[0], key, cache)

    async def file(self, request: Request) -> Response:
        found = await self._stored(request)
        if isinstance(found, Response):
            return found
        key, media, cache = found
        if not media.files:
            return _not_found()
        return self._file(media.files[0], key, cache)

    def _file(self, row: models.File, key: str, cache: str) -> Response:
        if not self.storage.exists(key):
            return _not_found()
        # Checked images may show in a page; anything else is a download, never a page.
        inline = row.content_type in _FULL_SIZE_FORMATS
        disposition = "inline" if inline else "attachment"
        headers = {
            "Cache-Control": cache,
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
            **SAFE_HEADERS,
        }
        return FileResponse(self.storage.path(key), media_type=row.content_type, headers=headers)


def media_routes(
    settings: Settings, visibility: Visibility | None = None, storage: Storage | None = None
) -> list[BaseRoute]:
    """The routes to mount at /media (over the app's one `storage` when it has one)."""
    handlers = MediaRoutes(settings, storage=storage, visibility=visibility)
    methods = ["GET", "HEAD"]
    from media.charts import chart_routes

    return [
        *chart_routes(settings),
        Route("/renditions/{signature}/{path:path}", handlers.rendition, methods=methods),
        Route("/originals/{path:path}", handlers.original, methods=methods),
        Route("/files/{path:path}", handlers.file, methods=methods),
    ]
