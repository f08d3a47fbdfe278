"""Word lists and composers for synthetic gender-equality content (never lorem ipsum)."""

from __future__ import annotations

import random
import re

TOPICS = (
    "gender budgeting",
    "Gender Equality Plans",
    "inclusive recruitment",
    "career progression",
    "work-life balance",
    "the prevention of sexual harassment",
    "gender-sensitive language",
    "intersectionality",
    "the gender dimension in research content",
    "leadership development for women",
    "implicit bias in evaluation",
    "sex-disaggregated data",
    "dual-career couples",
    "mentoring programmes",
    "gender balance in decision-making bodies",
    "gender-aware research funding",
    "the gender pay gap",
    "parental leave policies",
    "the retention of women researchers",
    "gender-sensitive teaching",
    "institutional change",
    "equality monitoring",
    "the evaluation of Gender Equality Plans",
    "gender-balanced selection panels",
    "inclusive curricula",
    "gender impact assessment",
    "care responsibilities",
    "flexible working arrangements",
    "gender equality in promotion criteria",
    "outreach to girls in STEM",
    "gender-based violence in academia",
    "inclusive gender equality policies",
)
CONTEXTS = (
    "in research performing organisations",
    "in research funding organisations",
    "in universities",
    "in physics departments",
    "in the life sciences",
    "across the European Research Area",
    "in Central and Eastern Europe",
    "in STEM faculties",
    "in small research institutes",
    "in Latin American universities",
    "in technical universities",
    "in innovation ecosystems",
    "in higher education",
)
TITLE_TEMPLATES = (
    "A practical guide to {topic} {context}",
    "{Topic}: lessons learned from {number} institutions",
    "How to get started with {topic}",
    "Measuring progress on {topic} {context}",
    "Building support for {topic} among senior leaders",
    "Toolkit for {topic} {context}",
    "What works for {topic}? Evidence {context}",
    "Peer learning on {topic}",
    "Ten questions about {topic}",
    "{Topic} and {topic2}: connecting the agendas",
    "Why {topic} matters {context}",
    "From policy to practice: {topic} {context}",
)
EVENT_TEMPLATES = (
    "Webinar: {topic}",
    "Workshop on {topic} {context}",
    "Peer-learning session on {topic}",
    "Community meeting: {topic} and {topic2}",
    "Online discussion: {topic} {context}",
    "Training session on {topic}",
)
SUBJECTS = (
    "Our community",
    "The working group",
    "Gender equality officers",
    "Members of the CoP",
    "Research managers",
    "The steering committee",
    "Human resources departments",
    "Early-career researchers",
    "Funding agencies",
    "Faculty deans",
    "The CoP facilitator",
    "Partner institutions",
)
VERBS = (
    "discussed",
    "mapped current practice on",
    "reviewed the evidence on",
    "piloted new measures for",
    "documented their experience with",
    "compared approaches to",
    "evaluated",
    "shared experiences on",
    "developed guidance on",
    "identified obstacles to",
)
CLAUSES = (
    "drawing on institutional data",
    "with support from the facilitator",
    "in a series of online workshops",
    "over the past year",
    "to inform the next Gender Equality Plan",
    "in close dialogue with senior management",
    "together with students and staff",
    "using participatory methods",
    "as part of a mutual learning exercise",
)
FINDINGS = (
    "clear targets make progress visible",
    "commitment from senior leadership is decisive",
    "sex-disaggregated data are often incomplete",
    "informal networks still shape career progression",
    "small changes to selection procedures can reduce bias",
    "resistance is strongest where resources are scarce",
    "training works best when it is linked to concrete decisions",
    "intersectional data reveal gaps that averages hide",
    "peer support keeps practitioners motivated",
    "budget decisions reflect priorities more honestly than strategies do",
)
RECOMMENDATIONS = (
    "publishing indicators every year",
    "including gender experts in evaluation panels",
    "allocating a dedicated budget to equality work",
    "reviewing job advertisements for biased wording",
    "offering mentoring to newly appointed staff",
    "linking the Gender Equality Plan to the institutional strategy",
    "sharing templates with other communities",
    "making meeting times compatible with care responsibilities",
)
FINDING_LEADS = (
    "A key finding was that",
    "Several members observed that",
    "The discussion showed that",
    "Evidence from the pilot suggests that",
    "Experience across institutions confirms that",
)
RECOMMENDATION_LEADS = (
    "Participants recommended",
    "The group agreed on",
    "A practical next step is",
    "Members suggested",
)
OPENERS = (
    "Work on {topic} remains a priority for many institutions {context}.",
    "Over the last years, work on {topic} has moved up the agenda {context}.",
    "Practitioners working on {topic} face similar questions {context}.",
)
FIRST_NAMES = (
    "Ana",
    "Maria",
    "Eva",
    "Katarzyna",
    "Ioana",
    "Lucía",
    "Sofia",
    "Marta",
    "Elena",
    "Agnieszka",
    "Joanna",
    "Laura",
    "Ines",
    "Hanna",
    "Camila",
    "Valentina",
    "Nora",
    "Petra",
    "Zuzana",
    "Irene",
    "Tomás",
    "Jan",
    "Luca",
    "Miguel",
    "Andrei",
    "Peter",
    "Marek",
    "Pablo",
    "Jonas",
    "Dimitris",
)
LAST_NAMES = (
    "García",
    "Nowak",
    "Rossi",
    "Popescu",
    "Novák",
    "Fernández",
    "Kowalska",
    "Müller",
    "Silva",
    "Horvat",
    "Papadopoulou",
    "Jensen",
    "Martin",
    "Santos",
    "Kovač",
    "Lindqvist",
    "Moreau",
    "Dumitru",
    "Ferreira",
    "Bianchi",
    "Nagy",
    "Virtanen",
    "O'Brien",
    "Costa",
    "Szabó",
)
COUNTRIES = (
    "ES",
    "PL",
    "IT",
    "RO",
    "CZ",
    "DE",
    "PT",
    "HR",
    "GR",
    "DK",
    "FR",
    "FI",
    "IE",
    "HU",
    "BR",
    "AR",
    "CL",
    "MX",
)
CITIES = (
    "Brussels",
    "Madrid",
    "Warsaw",
    "Rome",
    "Lisbon",
    "Prague",
    "Vienna",
    "Dublin",
    "Ljubljana",
    "Budapest",
    "Santiago de Chile",
    "Buenos Aires",
    "Berlin",
    "Athens",
)
TAG_NAMES = (
    "Gender budgeting",
    "Gender Equality Plans",
    "Recruitment",
    "Career progression",
    "Work-life balance",
    "Sexual harassment",
    "Intersectionality",
    "Gender dimension",
    "Leadership",
    "Implicit bias",
    "Data and monitoring",
    "Mentoring",
    "Decision-making",
    "Research funding",
    "Pay gap",
    "Parental leave",
    "Retention",
    "Teaching",
    "Evaluation",
    "Institutional change",
    "Outreach",
    "Inclusive language",
    "Care",
    "Dual careers",
    "Selection panels",
    "Curricula",
    "Policy",
    "Training",
    "Networks",
    "STEM",
)

WORD_RE = re.compile(r"[a-z0-9]+")


def slugify(text: str, max_length: int = 60) -> str:
    """A URL slug: ASCII lower-case words joined by '-'."""
    ascii_text = text.lower().encode("ascii", "ignore").decode()
    slug = "-".join(WORD_RE.findall(ascii_text))
    return slug[:max_length].strip("-") or "item"


def _fill(rng: random.Random, template: str) -> str:
    topic, topic2 = rng.sample(TOPICS, 2)
    text = template.format(
        topic=topic,
        Topic=topic[0].upper() + topic[1:],
        topic2=topic2,
        context=rng.choice(CONTEXTS),
        number=rng.randint(3, 24),
    )
    return text


def _fit(rng: random.Random, templates: tuple[str, ...], low: int = 4, high: int = 12) -> str:
    """A filled template with between ``low`` and ``high`` words."""
    while True:
        text = _fill(rng, rng.choice(templates))
        words = len(text.split())
        if words < low:
            text = f"{text} {rng.choice(CONTEXTS)}"
            words = len(text.split())
        if low <= words <= high:
            return text


def title(rng: random.Random) -> str:
    """A resource, video or news title of 4 to 12 words."""
    return _fit(rng, TITLE_TEMPLATES)


def event_title(rng: random.Random) -> str:
    """An event title of 4 to 12 words."""
    return _fit(rng, EVENT_TEMPLATES)


def sentence(rng: random.Random) -> str:
    """One sentence in one of several shapes."""
    shape = rng.randrange(4)
    if shape == 0:
        return _fill(rng, rng.choice(OPENERS))
    if shape == 1:
        subject, verb, clause = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(CLAUSES)
        return f"{subject} {verb} {rng.choice(TOPICS)} {clause}."
    if shape == 2:
        return f"{rng.choice(FINDING_LEADS)} {rng.choice(FINDINGS)}."
    return f"{rng.choice(RECOMMENDATION_LEADS)} {rng.choice(RECOMMENDATIONS)}."


def sentences(rng: random.Random, low: int, high: int) -> str:
    """Between ``low`` and ``high`` sentences as one string."""
    return " ".join(sentence(rng) for _ in range(rng.randint(low, high)))


def body(rng: random.Random) -> str:
    """An HTML body of 3 to 8 paragraphs."""
    return "".join(f"<p>{sentences(rng, 2, 5)}</p>" for _ in range(rng.randint(3, 8)))


def person_name(rng: random.Random) -> str:
    """A synthetic person's name for benchmark profiles."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
