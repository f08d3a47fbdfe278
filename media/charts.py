"""SVG charts of the protected gender-data comparisons, made by matplotlib, cached on disk.

A chart shows only what the public may see (the protected network aggregate), so its URL needs
no signature or token. The file is named by the framework's data version and protection
settings: validating or correcting figures bumps the version, the next request renders anew
and removes the older files of that chart. Renders run in a worker thread, at most
`CMS_RENDITION_CONCURRENCY` at once, and only for a known framework, chart kind and a year
of a published version, so an anonymous caller cannot fill the disk or the CPU.
"""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from cms import models
from cms.config import Settings
from cms.services import genderdata
from cms.services.statistics import Aggregate, share

KINDS = ("share-by-grade", "scissors")
NAME = re.compile(r"^(share-by-grade|scissors)-(\d{4})\.svg$")
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
}


def alt_text(kind: str, year: int, aggregate: Aggregate | None) -> str:
    """The chart's text alternative: every figure it draws, in words."""
    if aggregate is None or aggregate.table is None:
        return f"{year}: too few institutes reported for network figures to be shown."
    parts = []
    for row in aggregate.rows:
        value = share(aggregate.cell(row, "women"), aggregate.row_total(row))
        shown = "suppressed (small numbers)" if value is None else f"{value:.0%} women"
        parts.append(f"grade {row}: {shown}")
    what = (
        "Share of women by grade" if kind == "share-by-grade" else "Women and men by career stage"
    )
    return f"{what}, {year}: " + "; ".join(parts) + "."


def render(kind: str, year: int, aggregate: Aggregate | None) -> bytes:
    """The SVG (matplotlib's SVG backend, no display needed)."""
    from matplotlib.figure import Figure  # heavy: imported on first render, not at start-up

    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    rows = list(aggregate.rows) if aggregate else []
    women = [
        share(aggregate.cell(r, "women"), aggregate.row_total(r)) if aggregate else None
        for r in rows
    ]
    if kind == "share-by-grade":
        axes.bar(rows, [0 if w is None else w * 100 for w in women], color="#7b3294")
        for x, w in enumerate(women):
            if w is None:
                axes.text(x, 2, "suppressed", rotation=90, ha="center", va="bottom", fontsize=8)
        axes.set_ylabel("women (%)")
    else:
        order = [r for r in ("doctoral", "D", "C", "B", "A") if r in rows]
        points = [women[rows.index(r)] for r in order]
        gap = float("nan")  # a suppressed stage is a gap in the line, never a zero
        axes.plot(order, [gap if w is None else w * 100 for w in points], "o-", label="women")
        men = [gap if w is None else 100 - w * 100 for w in points]
        axes.plot(order, men, "s-", label="men and others")
        axes.legend()
        axes.set_ylabel("%")
    axes.set_ylim(0, 100)
    axes.set_title(alt_text(kind, year, aggregate).split(":")[0])
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def chart_url(tenant_slug: str, code: str, kind: str, year: int) -> str:
    return f"/media/charts/{tenant_slug}/{code}/{kind}-{year}.svg"


class ChartRoutes:
    def __init__(self, settings: Settings) -> None:
        self.root = settings.data_dir / "charts"
        self.slots = asyncio.Semaphore(settings.rendition_concurrency)

    async def chart(self, request: Request) -> Response:
        match = NAME.match(request.path_params["name"])
        slug, code = request.path_params["tenant"], request.path_params["code"]
        if match is None or len(slug) > 64 or len(code) > 64:
            return PlainTextResponse("Not found.", status_code=404, headers=SAFE_HEADERS)
        kind, year = match.group(1), int(match.group(2))
        framework = await models.DataFramework.get_or_none(tenant__slug=slug, code=code)
        version = await genderdata.version_for(framework, year) if framework else None
        if framework is None or version is None:
            return PlainTextResponse("Not found.", status_code=404, headers=SAFE_HEADERS)
        folder = self.root / str(framework.id)
        stem = f"{kind}-{year}"
        key = f"v{framework.data_version}-t{framework.threshold}-m{framework.min_institutes}"
        path = folder / f"{stem}.{key}.svg"
        if not path.exists():
            async with self.slots:
                if not path.exists():
                    aggregate = await genderdata.network_table(framework, year, "staff")
                    svg = await anyio.to_thread.run_sync(render, kind, year, aggregate)
                    await anyio.to_thread.run_sync(self._store, folder, stem, path, svg)
        headers = {"ETag": f'"{key}"', "Cache-Control": "public, max-age=60", **SAFE_HEADERS}
        return Response(path.read_bytes(), media_type="image/svg+xml", headers=headers)

    @staticmethod
    def _store(folder: Path, stem: str, path: Path, svg: bytes) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{stem}.*.svg"):
            old.unlink(missing_ok=True)  # the data changed: earlier renders are stale
        partial = path.with_suffix(".tmp")
        partial.write_bytes(svg)
        partial.replace(path)


def chart_routes(settings: Settings) -> list[BaseRoute]:
    handlers = ChartRoutes(settings)
    return [Route("/charts/{tenant}/{code}/{name}", handlers.chart, methods=["GET", "HEAD"])]
