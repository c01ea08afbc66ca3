"""Section headings → canonical keys, the way a reader matches them.

Aliases live here and only here (a data module, as trafilatura keeps its xpaths). A heading
is normalized (case, punctuation, trailing colon, numbering, "&"/"and", leading articles)
before an exact lookup; when that fails, a few keyword rules catch the wordings no list
can enumerate ("…risks…" → risks, "how long…" → duration). The keyword rules only apply to
short, heading-shaped text, so a sentence that happens to say "after" is never a heading.
"""

from __future__ import annotations

import re
from functools import lru_cache

SECTION_KEYS: tuple[str, ...] = (
    "name", "summary", "purpose", "indications", "preparation", "procedure_steps",
    "duration", "setting", "personnel", "risks", "benefits", "recovery",
    "alternatives", "patient_experience", "similar_codes",
)

# Aliases are written already normalized (see `normalize_heading`): lower case, no
# punctuation, "and" for "&", no leading "the"/numbering.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name of the procedure", "name of procedure", "procedure name", "name", "common name",
        "short name", "short description", "short descriptor", "common procedure name",
        "also known as", "other names", "lay term", "plain language name", "procedure title",
        "service name", "name of the service", "name of service", "name of the test",
    ),
    "summary": (
        "summary", "overview", "description", "about this procedure", "about the procedure",
        "procedure overview", "procedure summary", "brief description", "general description",
        "what is it", "what is this procedure", "what is the procedure", "in brief",
        "at a glance", "plain english description", "lay description", "layman description",
        "clinical summary", "about", "introduction", "definition", "what it is",
        "code description", "long description", "full description",
    ),
    "purpose": (
        "purpose", "purpose of the procedure", "purpose of procedure", "why it is done",
        "why its done", "why is it done", "why the procedure is done",
        "why is this procedure done", "why is the procedure performed", "goal", "goals",
        "objective", "objectives", "aim", "reason for the procedure",
        "reasons for the procedure", "reason for procedure", "rationale",
        "what it is used for", "what is it used for", "uses", "clinical purpose",
        "goal of the procedure", "goals of the procedure",
    ),
    "indications": (
        "indications", "indication", "when it is used", "when its used", "when is it used",
        "who needs it", "who needs this procedure", "who needs this", "clinical indications",
        "indications for use", "indications for the procedure", "when it is recommended",
        "when is it recommended", "candidates", "who is a candidate", "good candidates",
        "who should have this procedure", "conditions treated", "medical necessity",
        "reasons for use", "when it is needed",
    ),
    "preparation": (
        "preparation", "preparations", "how to prepare", "before the procedure",
        "before your procedure", "before procedure", "getting ready",
        "preparing for the procedure", "preparing for your procedure", "pre procedure",
        "pre procedure preparation", "pre procedure instructions", "patient preparation",
        "pre operative preparation", "preoperative preparation", "before surgery",
        "before the test", "how do i prepare", "how should i prepare", "preparation steps",
        "prep",
    ),
    "procedure_steps": (
        "procedure description", "procedure", "procedure steps", "steps",
        "steps of the procedure", "what happens during the procedure", "what happens during",
        "during the procedure", "during your procedure", "how it is performed",
        "how its performed", "how is it performed",
        "how the procedure is performed", "how it is done", "how is it done",
        "how the procedure is done", "procedure details", "technique", "procedure technique",
        "step by step", "what to expect during the procedure",
        "procedural steps", "method", "process", "how it works", "fitting",
    ),
    "duration": (
        "duration", "how long it takes", "how long does it take", "how long will it take",
        "how long does the procedure take", "length of procedure", "length of the procedure",
        "expected duration", "time required", "time needed", "procedure time",
        "procedure duration", "duration of procedure", "duration of the procedure",
        "typical duration", "estimated duration", "time", "time frame", "timeframe",
        "length", "how long",
    ),
    "setting": (
        "setting", "settings", "where it is performed", "where its performed", "where is it performed", "where it is done",
        "where its done", "where is it done", "location",
        "care setting", "place of service", "site of service", "where the procedure is done",
        "where the procedure is performed", "facility", "facility type", "setting of care",
        "treatment setting", "clinical setting", "procedure setting", "where",
        "supplier", "suppliers", "where to get it",
    ),
    "personnel": (
        "personnel", "who performs it", "who performs the procedure",
        "who performs this procedure", "who does it", "who does the procedure",
        "who will perform the procedure", "care team", "healthcare team", "health care team",
        "medical team", "staff", "staffing", "providers", "provider", "team",
        "clinical team", "personnel involved", "who is involved", "performed by",
        "healthcare professionals", "medical staff", "specialists", "specialist",
    ),
    "risks": (
        "risks and complications", "risks", "risk", "possible complications",
        "complications", "potential complications", "risks and side effects",
        "side effects", "possible risks", "potential risks", "complications and risks",
        "risks complications", "what are the risks", "adverse effects", "adverse events",
        "safety", "safety concerns", "dangers", "contraindications and risks",
    ),
    "benefits": (
        "benefits", "benefit", "expected benefits", "potential benefits",
        "advantages", "expected outcomes", "expected outcome", "outcomes", "outcome",
        "what are the benefits", "why it helps", "results", "expected results",
    ),
    "recovery": (
        "recovery", "aftercare", "after care", "after the procedure", "after your procedure",
        "after procedure", "recovery and aftercare", "post procedure", "post procedure care",
        "post procedure instructions", "postoperative care", "post operative care",
        "recovery time", "healing time", "recovery process", "recovering", "follow up", "follow up care",
        "home care", "what happens after", "what happens after the procedure",
        "care after the procedure", "recovery and follow up", "after surgery",
    ),
    "alternatives": (
        "alternatives", "alternative", "alternative treatments", "alternative treatment",
        "other options", "treatment alternatives", "other treatments",
        "alternative procedures", "alternative options", "other treatment options",
        "alternatives to the procedure", "alternatives to this procedure", "options",
    ),
    "patient_experience": (
        "patient experience", "what to expect", "what you will feel",
        "what youll feel", "what will i feel", "patient perspective", 
        "what it feels like", "how it feels", "what does it feel like",
        "patients experience", "experience",
        "what the patient experiences",
    ),
    "similar_codes": (
        "similar codes", "related codes", "see also", "similar procedures",
        "related procedures", "related", "similar", "other codes", "related cpt codes",
        "related icd 10 codes", "related hcpcs codes", "similar cpt codes",
        "related services", "associated codes", "nearby codes", "code family",
        "codes in this range", "other codes in this range", "comparable codes",
    ),
}

_LOOKUP: dict[str, str] = {alias: key for key, aliases in ALIASES.items() for alias in aliases}

# Ordered keyword rules for wordings the aliases miss; first match wins, so specific
# rules (risks before procedure steps, "after" before "procedure") come first.
FUZZY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"\b(similar|related) (codes?|procedures?|services?)\b|\bsee also\b", "similar_codes"),
        (r"\brisks?\b|\bcomplications?\b|\bside effects?\b|\badverse\b|\bdrawbacks?\b|\breactions?\b|\bdangers?\b|\bwarnings?\b", "risks"),
        (r"^how long\b|\bduration\b|\btime (required|needed|frame)\b|\blength of\b|\b(infusion|procedure|visit|session|treatment|appointment|exam|test|surgery|operating|total) (time|length)\b|\btime it takes\b"
         r"|^(?!recovery |healing |down |wait |waiting )\w+ time$|^time (per|for|of each) ", "duration"),
        (r"^where\b|\bsetting\b|\blocation\b|\bplace of service\b|^suppliers?$|^dispensed (by|at|from)\b", "setting"),
        (r"^who (performs|does|will|provides|gives|administers|is involved|fits|places|inserts|applies|reads|interprets)\b|\bteam\b|\bpersonnel\b|\bstaff\b|\bproviders?\b|\bclinicians?\b", "personnel"),
        (r"\balternatives?\b|\bother (treatment )?options\b", "alternatives"),
        (r"\bbenefits?\b|\badvantages?\b", "benefits"),
        (r"\bindications?\b|\bcandidates?\b|^who needs\b|^who (is it|it is|this is|is this) for\b|^who qualifies\b|\beligib|^when (is it|it is|to) |\breasons? for (the |this |a )?(visit|exam|examination|test|use|service|referral|admission)\b|\bused (for|to treat)\b", "indications"),
        (r"\bprepar|\bget(ting)? ready\b|^before\b|^set ?up\b", "preparation"),
        (r"\brecover|\baftercare\b|^after\b|\bpost ?(procedure|operative|op)\b|\bfollow up\b", "recovery"),
        (r"\bpurpose\b|^why\b|\breasons? for\b|\bgoals?\b", "purpose"),
        (r"\bfeel\b|\bexperience\b|\bwhat to expect\b|\bperspective\b", "patient_experience"),
        (r"\bsteps?\b|^during\b|^how (it|its|it is|this is|the test is) (done|performed)\b|^how (it|this drug|the drug|the medication) is (given|administered)\b|^how to use\b|^what happens\b|\bwhat happens during\b|^how (it|is it|the procedure) (is )?(performed|done)\b", "procedure_steps"),
        (r"\bprocedure description\b|\bdescription of (the )?procedure\b|\bprocedure$", "procedure_steps"),
        (r"\bsummary\b|\boverview\b|\bdescription\b|^what (it|this code|the code|this diagnosis) means\b|^about (this|the) (diagnosis|condition|code|procedure|service|test|supply|device|drug)\b", "summary"),
        (r"^name\b|\bnames?$|^also (called|known as)\b|^known as\b|^other names?\b", "name"),
    )
)
FUZZY_MAX_WORDS = 7  # longer text is a sentence, not a heading

# Headings that look like a known section to the keyword rules but are not one: on a
# diagnosis page "Risk factors" are causes of the condition, not risks of a procedure.
NOT_SECTIONS: frozenset[str] = frozenset({
    "risk factors", "risk factor", "causes and risk factors", "causes", "symptoms",
    "signs and symptoms", "diagnosis", "prevention", "prognosis", "warning signs",
    "treatment", "treatments", "treatment options",
})
# "Supplier notes", "Coding notes": remarks about a topic, not the section the topic names;
# only an exact alias may claim a "… notes" heading.
_NOTES = re.compile(r"\bnotes?$")

_PUNCT = re.compile(r"[^\w\s]")
_LEAD_NUMBERING = re.compile(r"^\s*(?:(?:section|step|part)\s+)?(?:\d{1,2}|[ivxlc]{1,5}|[a-h])[.)\]:-]\s+", re.I)
_LEAD_ARTICLE = re.compile(r"^(?:the|a|an|your)\s+")
_APOSTROPHES = re.compile("['\u2019\u2018`]")


# Parsers ask about the same few dozen headings and labels on every page (and several times
# on one page); both functions are pure, so their answers are kept.
_CACHE_SIZE = 16384


@lru_cache(maxsize=_CACHE_SIZE)
def normalize_heading(heading: str) -> str:
    """Lower-case, leading numbering and articles dropped, '&' → 'and', punctuation dropped.

    "3. Risks & Complications:" → "risks and complications".
    """
    text = _LEAD_NUMBERING.sub("", heading.strip().lower()).replace("&", " and ")
    text = _APOSTROPHES.sub("", text)  # "why it's done" → "why its done"
    text = " ".join(_PUNCT.sub(" ", text).replace("_", " ").split())
    return _LEAD_ARTICLE.sub("", text) or text


@lru_cache(maxsize=_CACHE_SIZE)
def heading_key(heading: str, *, fuzzy: bool = True) -> str | None:
    """Canonical key for a heading as printed, or None when it names no known section.

    `fuzzy=False` allows only alias matches: parsers use it where a false heading would
    split real content (a bold phrase inside a paragraph).
    """
    norm = normalize_heading(heading)
    if not norm:
        return None
    key = _LOOKUP.get(norm)
    if key is not None or not fuzzy:
        return key
    if (norm in NOT_SECTIONS or _NOTES.search(norm) or len(norm.split()) > FUZZY_MAX_WORDS
            or heading.rstrip().endswith((".", "!"))):
        return None
    for pattern, rule_key in FUZZY_RULES:
        if pattern.search(norm):
            return rule_key
    return None
