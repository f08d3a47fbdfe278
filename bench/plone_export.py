"""Synthetic Plone site export in collective.exportimport's JSON format, for the
`cms import-plone` tests and benchmark.

    python -m bench.plone_export TARGET_DIR [--items N] [--seed S]

`write_export(target_dir, items=2000, seed=1)` writes into `target_dir`:

* `export.json`: a JSON list of `items` content items as collective.exportimport's
  "Export content" writes them: the plone.restapi serialisation of each item plus `parent`,
  `review_state` and `workflow_history`, site root `http://localhost:8080/Plone`, parents
  listed before their children (catalog path order), `sort_keys=True, indent=4`;
* `blobs/`: the files that half of the File and Image items (and of the news lead images)
  point at with `{"blob_path": ..., "filename": ..., "content-type": ..., "size": N}`, laid
  out like a ZODB blobstorage (`0x00/0x00/.../0x03....blob`, so the name says nothing about
  the content type); the other half carry their bytes inline
  (`{"data": <base64>, "encoding": "base64", ...}`).

The mix, by count: about 8 % Folders in a 2-3 level tree under six top-level sections
(about, news, events, resources, media, projects), 40 % Documents, 25 % News Items, 12 %
Events, 5 % Links, 5 % Files (small valid PDFs whose text can be extracted, or CSVs) and 5 %
Images (tiny PNGs, every one with distinct bytes); the Documents absorb the rounding. Items
go mostly into the section that fits their type (news into news/..., events into
events/...). 80 % of the items that have a workflow are published, the rest private or
pending; File and Image have no workflow (`review_state` null, empty history). Subjects
come from a vocabulary of 40 gender-equality topics; HTML bodies have a few paragraphs,
and about half of them link to other generated items by `resolveuid/<UID>` (pages, file
downloads, image scales). `effective` dates are naive (as Plone writes them) and spread
over 2019-2025; `created`/`modified` carry `+00:00`; event start/end carry `+01:00` or
`+02:00`.

The output depends only on `items` and `seed` (one `random.Random(seed)`): the same
arguments give byte-identical files. 2,000 items take well under a second or two.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

SITE_URL = "http://localhost:8080/Plone"
SITE_ROOT = {
    "@id": SITE_URL,
    "@type": "Plone Site",
    "UID": "5173000000000000000000000000beef",
    "title": "Gender Equality CoP (synthetic)",
}
WORKFLOW = "simple_publication_workflow"
NO_WORKFLOW = frozenset({"File", "Image"})

# Share of each type among the items; Documents take whatever rounding leaves.
MIX = {
    "Folder": 0.08,
    "News Item": 0.25,
    "Event": 0.12,
    "Link": 0.05,
    "File": 0.05,
    "Image": 0.05,
}
SECTIONS = {
    "about": "About the Community of Practice",
    "news": "News",
    "events": "Events",
    "resources": "Resources",
    "media": "Media",
    "projects": "Projects",
}
# Where each type goes by preference (the section's whole subtree).
PREFERRED_SECTION = {
    "Document": ("about", "projects", "resources"),
    "News Item": ("news",),
    "Event": ("events",),
    "Link": ("resources",),
    "File": ("resources",),
    "Image": ("media",),
}
LAYOUTS = {
    "Folder": "listing_view",
    "Document": "document_view",
    "News Item": "newsitem_view",
    "Event": "event_view",
    "Link": "link_redirect_view",
    "File": "file_view",
    "Image": "image_view",
}

TOPICS = [
    "Gender budgeting",
    "Gender Equality Plans",
    "Gender equality audits",
    "Sex-disaggregated data",
    "Gender pay gap",
    "Recruitment and selection",
    "Career progression",
    "Work-life balance",
    "Parental leave",
    "Sexual harassment",
    "Gender-based violence",
    "Unconscious bias",
    "Decision-making bodies",
    "Leadership",
    "Women in STEM",
    "Gender dimension in research content",
    "Gender in curricula",
    "Intersectionality",
    "Inclusive language",
    "Institutional change",
    "Communities of Practice",
    "Change agents",
    "Research funding organisations",
    "Research performing organisations",
    "Monitoring and evaluation",
    "Gender impact assessment",
    "Horizon Europe",
    "European Research Area",
    "GEAR tool",
    "ACT project",
    "GEARING-Roles",
    "Resistance to change",
    "Mentoring",
    "Networking",
    "Physics",
    "Life sciences",
    "Higher education",
    "Policy",
    "Training",
    "Toolkits",
]

TITLE_PATTERNS = {
    "Document": [
        "{topic}: a practical guide",
        "How our CoP works on {topic_lc}",
        "{topic} in research organisations",
        "Lessons learned on {topic_lc}",
        "Resources on {topic_lc}",
        "{topic} at {org}",
    ],
    "News Item": [
        "{org} adopts new measures on {topic_lc}",
        "New report on {topic_lc} published",
        "CoP members share experience on {topic_lc}",
        "{topic}: results of the {year} survey",
        "Call for contributions on {topic_lc}",
    ],
    "Event": [
        "Workshop: {topic_lc}",
        "Webinar on {topic_lc}",
        "{topic} clinic for RPOs and RFOs",
        "Peer-learning session: {topic_lc}",
        "Annual meeting {year}: {topic_lc}",
    ],
    "Link": [
        "External resource: {topic_lc}",
        "{org} page on {topic_lc}",
        "Toolkit on {topic_lc}",
    ],
    "File": [
        "{topic} toolkit",
        "{topic} checklist",
        "Report on {topic_lc} ({year})",
        "{topic} data template",
    ],
    "Image": [
        "Photo: {topic_lc} workshop",
        "Infographic: {topic_lc}",
        "Diagram: {topic_lc}",
    ],
    "Folder": [
        "{topic}",
        "Working group on {topic_lc}",
        "{year} activities",
    ],
}
# Topics written the same way inside a sentence.
KEEP_CASE = frozenset(
    {
        "Gender Equality Plans",
        "Horizon Europe",
        "European Research Area",
        "GEAR tool",
        "ACT project",
        "GEARING-Roles",
        "Communities of Practice",
    }
)
ORGS = [
    "University of Deusto",
    "Fundación Española para la Ciencia y la Tecnología",
    "Portia",
    "Joanneum Research",
    "University of Cambridge",
    "Science Foundation Ireland",
    "Karolinska Institutet",
    "Jagiellonian University",
    "Czech Academy of Sciences",
    "INFN",
    "CNRS",
    "Masaryk University",
]
SENTENCES = [
    "The Community of Practice brings together research performing and research funding "
    "organisations that implement Gender Equality Plans.",
    "Members exchange know-how on {topic_lc} and co-produce new knowledge in peer-learning "
    "sessions.",
    "Sex-disaggregated data collected at institute level allow comparisons across "
    "organisations and over time.",
    "Gender budgeting makes visible how resources are allocated between women, men and other "
    "genders.",
    "The ACT project supported eight Communities of Practice across the European Research Area.",
    "GEARING-Roles worked with six institutions to design, implement and evaluate their "
    "Gender Equality Plans.",
    "The three substantive areas are human resource management, decision-making and the "
    "gender dimension in research and teaching content.",
    "Change agents inside each organisation negotiate the priorities of the plan with senior "
    "management.",
    "Resistance to change is expected and can be addressed with data, alliances and patience.",
    "Our members agreed on a shared set of indicators on {topic_lc} for the next reporting period.",
    "Support packages combine reusable materials with on-demand expert advice.",
    "The working group meets online every month and face to face once a year.",
    "Recruitment, retention and career progression are the first areas most plans address.",
    "An intersectional approach looks beyond gender at age, disability, ethnicity and class.",
]
EXTERNAL_URLS = [
    "https://www.act-on-gender.eu/",
    "https://gearingroles.eu/",
    "https://eige.europa.eu/gender-mainstreaming/toolkits/gear",
    "https://research-and-innovation.ec.europa.eu/strategy/strategy-2020-2024/democracy-and-rights/gender-equality-research-and-innovation_en",
    "https://www.genderportal.eu/",
    "https://genera-project.com/",
    "https://www.inspirequality.eu/",
    "https://caliper-project.eu/",
]
PLACES = [
    "Bilbao",
    "Brussels",
    "Vienna",
    "Lisbon",
    "Prague",
    "Dublin",
    "Kraków",
    "Stockholm",
    "Madrid",
    "Trieste",
]
COLOURS = [
    (122, 48, 160),
    (0, 122, 135),
    (230, 159, 0),
    (86, 180, 233),
    (213, 94, 0),
    (0, 158, 115),
]


# -- small binary builders ------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    """A PDF literal string body: backslash and parentheses escaped, Latin-1 only."""
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF (Helvetica text, compressed content stream, correct xref).

    `title` is set as the document title and drawn large; `lines` follow below it. The text
    comes back out of `pypdf.PdfReader(...).pages[0].extract_text()`.
    """
    ops = ["BT", "/F1 18 Tf", "72 770 Td", f"({_pdf_string(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        ops += ["0 -20 Td", f"({_pdf_string(line)}) Tj"]
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("latin-1"), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _pdf_string(title).encode("latin-1") + b") /Producer (CoP CMS) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def small_image(
    size: tuple[int, int], colour: tuple[int, int, int], mark: int, fmt: str = "PNG"
) -> bytes:
    """A small picture: a vertical gradient from `colour` to white with a few bars whose
    position and shade derive from `mark`, so different marks give different bytes."""
    width, height = size
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / max(1, height - 1)
        shade = tuple(int(c + (255 - c) * t * 0.7) for c in colour)
        draw.line([(0, y), (width, y)], fill=shade)
    for bit in range(8):
        if mark >> bit & 1:
            x = bit * width // 8
            draw.rectangle([x, 0, x + width // 16, height // 4], fill=(40, 40, 40))
    draw.point((mark % width, (mark // width) % height), fill=(mark % 256, 0, 255 - mark % 256))
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=70)
    else:
        img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def zodb_blob_path(oid: int, serial: int) -> str:
    """A blobstorage-style relative path (bushy layout): one folder per OID byte."""
    folders = "/".join(f"0x{b:02x}" for b in oid.to_bytes(8, "big"))
    return f"{folders}/0x{serial:016x}.blob"


# -- the generator --------------------------------------------------------------------------


@dataclass
class _Node:
    uid: str
    type: str
    path: tuple[str, ...]
    title: str
    section: str
    depth: int = 0
    children: set[str] = field(default_factory=set)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "item"


def _counts(items: int) -> dict[str, int]:
    counts = {name: round(items * share) for name, share in MIX.items()}
    counts["Folder"] = max(1, counts["Folder"]) if items else 0
    overflow = sum(counts.values()) - items
    for name in ["Image", "File", "Link", "Event", "News Item", "Folder"]:
        if overflow <= 0:
            break
        cut = min(overflow, counts[name] - (1 if name == "Folder" else 0))
        counts[name] -= cut
        overflow -= cut
    counts["Document"] = items - sum(counts.values())
    return counts


class _Generator:
    def __init__(self, target_dir: Path, items: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.target_dir = target_dir
        self.blob_dir = target_dir / "blobs"
        self.items = items
        self.nodes: list[_Node] = []
        self.by_path: dict[tuple[str, ...], _Node] = {}
        self.uids: set[str] = set()
        self.root_children: set[str] = set()
        self.blob_oid = 0x1A00
        self.image_mark = 0

    # helpers

    def new_uid(self) -> str:
        while True:
            uid = f"{self.rng.getrandbits(128):032x}"
            if uid not in self.uids and uid != SITE_ROOT["UID"]:
                self.uids.add(uid)
                return uid

    def title_for(self, portal_type: str) -> str:
        topic = self.rng.choice(TOPICS)
        pattern = self.rng.choice(TITLE_PATTERNS[portal_type])
        return pattern.format(
            topic=topic,
            topic_lc=_lc(topic),
            org=self.rng.choice(ORGS),
            year=self.rng.randint(2019, 2025),
        )

    def moment(self, start: int = 2019, end: int = 2025) -> datetime:
        """A random naive moment between 1 January of `start` and 20 December of `end`."""
        first = datetime(start, 1, 1)
        span = (datetime(end, 12, 20) - first).total_seconds()
        return first + timedelta(seconds=int(self.rng.random() * span))

    def add(
        self,
        portal_type: str,
        parent: tuple[str, ...],
        title: str,
        section: str,
        name: str | None = None,
    ) -> _Node:
        """Register a new item under `parent` with an id unique among its siblings."""
        base = name or _slug(title)
        if portal_type == "File":
            base += self.rng.choice([".pdf", ".pdf", ".csv"])
        elif portal_type == "Image":
            base += ".png"
        stem, dot, ext = base.partition(".")
        name, n = base, 1
        siblings = self.by_path[parent].children if parent else self.root_children
        while name in siblings:
            n += 1
            name = f"{stem}-{n}{dot}{ext}"
        siblings.add(name)
        depth = len(parent) + 1
        node = _Node(self.new_uid(), portal_type, parent + (name,), title, section, depth)
        self.nodes.append(node)
        self.by_path[node.path] = node
        return node

    # the skeleton: types, tree, UIDs

    def build_tree(self) -> None:
        counts = _counts(self.items)
        n_folders = counts.pop("Folder")
        sections = list(SECTIONS)[: max(0, n_folders)]
        folders: list[_Node] = []
        for name in sections:
            folders.append(self.add("Folder", (), SECTIONS[name], name, name=name))
        for _ in range(n_folders - len(sections)):
            level2 = [f for f in folders if f.depth == 2]
            pool = (
                level2
                if level2 and self.rng.random() < 0.6
                else [f for f in folders if f.depth == 1]
            )
            parent = self.rng.choice(pool)
            folders.append(
                self.add("Folder", parent.path, self.title_for("Folder"), parent.section)
            )
        by_section: dict[str, list[_Node]] = {}
        for f in folders:
            by_section.setdefault(f.section, []).append(f)
        order = [t for t, n in counts.items() for _ in range(n)]
        self.rng.shuffle(order)
        for portal_type in order:
            preferred = [f for s in PREFERRED_SECTION[portal_type] for f in by_section.get(s, [])]
            roll = self.rng.random()
            if not folders or roll < 0.03:
                parent: tuple[str, ...] = ()
                section = ""
            else:
                pool = preferred if preferred and roll < 0.8 else folders
                chosen = self.rng.choice(pool)
                parent, section = chosen.path, chosen.section
            self.add(portal_type, parent, self.title_for(portal_type), section)

    # the serialisation

    def write_blob(self, data: bytes) -> str:
        self.blob_oid += self.rng.randint(1, 40)
        rel = zodb_blob_path(self.blob_oid, 0x03E0000000000000 + self.rng.getrandbits(40))
        path = self.blob_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return rel

    def binary(self, data: bytes, filename: str, content_type: str, inline: bool) -> dict:
        if inline:
            return {
                "content-type": content_type,
                "data": base64.b64encode(data).decode("ascii"),
                "encoding": "base64",
                "filename": filename,
            }
        return {
            "blob_path": self.write_blob(data),
            "content-type": content_type,
            "filename": filename,
            "size": len(data),
        }

    def next_image(self, fmt: str = "PNG", size: tuple[int, int] = (32, 24)) -> bytes:
        self.image_mark += 1
        colour = COLOURS[self.image_mark % len(COLOURS)]
        return small_image(size, colour, self.image_mark, fmt)

    def html(self, node: _Node, topic: str) -> str:
        rng = self.rng
        topic_lc = _lc(topic)
        paragraphs = []
        for _ in range(rng.randint(2, 5)):
            sentences = rng.sample(SENTENCES, rng.randint(2, 4))
            paragraphs.append(" ".join(s.format(topic_lc=topic_lc) for s in sentences))
        parts = [f"<p>{p}</p>" for p in paragraphs]
        if rng.random() < 0.3:
            parts.insert(1, f"<h2>{topic}</h2>")
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                other = rng.choice(self.nodes)
                if other is node:
                    continue
                if other.type == "Image":
                    link = (
                        f'<p><img src="resolveuid/{other.uid}/@@images/image/preview" '
                        f'alt="{other.title}" class="image-richtext image-inline" /></p>'
                    )
                elif other.type == "File":
                    link = (
                        f'<p>Download: <a href="resolveuid/{other.uid}/@@download/file">'
                        f"{other.title}</a></p>"
                    )
                else:
                    link = f'<p>See also <a href="resolveuid/{other.uid}">{other.title}</a>.</p>'
                parts.insert(rng.randint(1, len(parts)), link)
        if rng.random() < 0.2:
            url = rng.choice(EXTERNAL_URLS)
            parts.append(f'<p>More at <a href="{url}" target="_blank">{url}</a>.</p>')
        return "".join(parts)

    def serialise(self, node: _Node) -> dict:
        rng = self.rng
        created = self.moment()
        modified = created + timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 600))
        if node.type in NO_WORKFLOW:
            state = None
        else:
            roll = rng.random()
            state = "published" if roll < 0.8 else "private" if roll < 0.9 else "pending"
        topic = rng.choice(TOPICS)
        subjects = sorted(set(rng.sample(TOPICS, rng.randint(0, 3)) + [topic]))
        if rng.random() < 0.25:
            subjects = []
        effective = None
        history: dict = {}
        if state is not None:
            steps = [
                {
                    "action": None,
                    "actor": "admin",
                    "comments": "",
                    "review_state": "private",
                    "time": _aware(created),
                }
            ]
            if state != "private":
                when = created + timedelta(hours=rng.randint(1, 72))
                action = "publish" if state == "published" else "submit"
                steps.append(
                    {
                        "action": action,
                        "actor": "admin",
                        "comments": "",
                        "review_state": state,
                        "time": _aware(when),
                    }
                )
                if state == "published":
                    effective = when.replace(second=0).isoformat()
                    modified = max(modified, when)
            history = {WORKFLOW: steps}
        parent = self.by_path.get(node.path[:-1])
        item: dict = {
            "@id": f"{SITE_URL}/{'/'.join(node.path)}",
            "@type": node.type,
            "UID": node.uid,
            "allow_discussion": False,
            "contributors": [],
            "created": _aware(created),
            "creators": ["admin"],
            "description": self.description(node, topic),
            "effective": effective,
            "exclude_from_nav": rng.random() < 0.05,
            "expires": None,
            "id": node.path[-1],
            "is_folderish": node.type == "Folder",
            "language": "en" if rng.random() < 0.9 else "",
            "layout": LAYOUTS[node.type],
            "modified": _aware(modified),
            "parent": (
                {
                    "@id": f"{SITE_URL}/{'/'.join(parent.path)}",
                    "@type": parent.type,
                    "UID": parent.uid,
                    "title": parent.title,
                }
                if parent
                else dict(SITE_ROOT)
            ),
            "review_state": state,
            "rights": "",
            "subjects": subjects,
            "title": node.title,
            "version": "current",
            "workflow_history": history,
        }
        if node.type in ("Document", "News Item", "Event"):
            item["text"] = {
                "content-type": "text/html",
                "data": self.html(node, topic),
                "encoding": "utf-8",
            }
        getattr(self, "extra_" + node.type.replace(" ", "_").lower(), _no_extra)(item, node, topic)
        return item

    def description(self, node: _Node, topic: str) -> str:
        if self.rng.random() < 0.15:
            return ""
        return f"{node.title}. A resource of the Community of Practice on {_lc(topic)}."

    # per-type fields

    def extra_news_item(self, item: dict, node: _Node, topic: str) -> None:
        item["image_caption"] = None
        if self.rng.random() < 0.2:
            jpeg = self.rng.random() < 0.5
            data = self.next_image("JPEG" if jpeg else "PNG", (48, 32))
            name = f"{_slug(node.title)[:30]}-lead.{'jpg' if jpeg else 'png'}"
            inline = self.rng.random() < 0.5
            item["image"] = self.binary(data, name, "image/jpeg" if jpeg else "image/png", inline)
            item["image_caption"] = f"{topic} (photo: CoP archive)"

    def extra_event(self, item: dict, node: _Node, topic: str) -> None:
        rng = self.rng
        start = self.moment(2019, 2026).replace(minute=0, second=0)
        start = start.replace(hour=rng.choice([9, 10, 14, 15, 16]))
        offset = "+02:00" if 4 <= start.month <= 10 else "+01:00"
        whole_day = rng.random() < 0.1
        open_end = not whole_day and rng.random() < 0.05
        if whole_day:
            start = start.replace(hour=0)
            end = start.replace(hour=23, minute=59, second=59)
        elif open_end:
            end = start.replace(hour=23, minute=59, second=59)
        else:
            end = start + timedelta(hours=rng.choice([1, 1.5, 2, 3, 7]))
        online = rng.random() < 0.35
        item.update(
            {
                "attendees": [],
                "contact_email": "cop-secretariat@example.org" if rng.random() < 0.8 else "",
                "contact_name": "CoP secretariat" if rng.random() < 0.8 else "",
                "contact_phone": "",
                "end": end.isoformat() + offset,
                "event_url": f"https://zoom.us/j/{rng.randint(10**10, 10**11 - 1)}"
                if online
                else None,
                "location": "Online (Zoom)" if online else rng.choice(PLACES),
                "open_end": open_end,
                "recurrence": None,
                "start": start.isoformat() + offset,
                "sync_uid": None,
                "whole_day": whole_day,
            }
        )

    def extra_link(self, item: dict, node: _Node, topic: str) -> None:
        url = self.rng.choice(EXTERNAL_URLS)
        item["remoteUrl"] = url if self.rng.random() < 0.6 else f"{url.rstrip('/')}/#{_slug(topic)}"

    def extra_file(self, item: dict, node: _Node, topic: str) -> None:
        name = node.path[-1]
        if name.endswith(".pdf"):
            lines = [
                f"{topic}: material of the Community of Practice.",
                "Prepared for research performing and research funding organisations.",
                f"Reference {node.uid[:12]}.",
            ]
            data, ctype = minimal_pdf(node.title, lines), "application/pdf"
        else:
            rows = ["institution,year,women_professors,men_professors"]
            for i in range(self.rng.randint(3, 12)):
                w, m = self.rng.randint(5, 80), self.rng.randint(20, 200)
                rows.append(f"{self.rng.choice(ORGS)},{2015 + i},{w},{m}")
            data, ctype = ("\n".join(rows) + "\n").encode("utf-8"), "text/csv"
        inline = self.rng.random() < 0.5
        item["file"] = self.binary(data, name, ctype, inline)

    def extra_image(self, item: dict, node: _Node, topic: str) -> None:
        data = self.next_image("PNG", (32, 24))
        inline = self.rng.random() < 0.5
        item["image"] = self.binary(data, node.path[-1], "image/png", inline)
        item["image_caption"] = None

    def run(self) -> Path:
        self.target_dir.mkdir(parents=True, exist_ok=True)
        self.build_tree()
        ordered = sorted(self.nodes, key=lambda n: n.path)
        data = [self.serialise(node) for node in ordered]
        out = self.target_dir / "export.json"
        out.write_text(json.dumps(data, sort_keys=True, indent=4), encoding="utf-8")
        return out


def _lc(topic: str) -> str:
    """A topic inside a sentence: first letter lowered unless it is a name."""
    return topic if topic in KEEP_CASE else topic[0].lower() + topic[1:]


def _no_extra(item: dict, node: _Node, topic: str) -> None:
    """Folders and Documents have no type-specific fields beyond `text`."""


def _aware(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "+00:00"


def write_export(target_dir: Path, items: int = 2000, seed: int = 1) -> Path:
    """Write a synthetic collective.exportimport export of `items` items (`export.json` and
    `blobs/`) into `target_dir` (created if missing) and return the path of export.json."""
    if items < 0:
        raise ValueError("items must be >= 0")
    return _Generator(Path(target_dir), items, seed).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target_dir", type=Path, help="directory to write export.json into")
    parser.add_argument("--items", type=int, default=2000, help="number of items (2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    args = parser.parse_args(argv)
    path = write_export(args.target_dir, args.items, args.seed)
    print(path)


if __name__ == "__main__":
    main()
