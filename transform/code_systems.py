"""Code systems as data: label aliases, URL tokens, code formats, licenses and notices.

Everything the code-detection and canonicalization logic (`transform.codes`) needs to know
about a code system lives here, so supporting a new system or a new site's wording is a data
change. Aliases are keyed by their *squashed* form (lower case, letters and digits only), so
"CPT-4", "CPT 4" and "cpt4" are one entry.
"""

from __future__ import annotations

import re

CPT, HCPCS, ICD10CM, ICD10PCS = "CPT", "HCPCS", "ICD-10-CM", "ICD-10-PCS"
CDT, ICD9CM, LOINC, SNOMED, NDC, MSDRG, RXNORM = (
    "CDT", "ICD-9-CM", "LOINC", "SNOMED CT", "NDC", "MS-DRG", "RxNorm",
)

# The four systems the pipeline exists for; a code seen without any label is only taken as a
# candidate when it fits one of these (other systems need their label next to the code).
CORE_SYSTEMS: tuple[str, ...] = (CPT, HCPCS, ICD10CM, ICD10PCS)

# Label as printed (any spacing, hyphens, ®/™) → canonical system. Longest wins when labels
# overlap ("ICD-10-CM" over "ICD-10"); "HCPCS Level I" is CPT by definition.
SYSTEM_ALIASES: dict[str, tuple[str, ...]] = {
    CPT: ("CPT", "CPT4", "CPT-4", "CPT 4", "CPT®", "AMA CPT", "Current Procedural Terminology",
          "HCPCS Level I", "HCPCS Level 1", "Category I CPT", "Category II CPT", "Category III CPT",
          "CPT Category I", "CPT Category II", "CPT Category III", "CPT Cat I", "CPT Cat II",
          "CPT Cat III", "CPT PLA"),
    HCPCS: ("HCPCS", "HCPCS Level II", "HCPCS Level 2", "HCPCS II", "HCPCS 2", "HCPCS-II",
            "Level II HCPCS", "Healthcare Common Procedure Coding System"),
    ICD10CM: ("ICD-10-CM", "ICD10CM", "ICD 10 CM", "ICD-10 CM", "ICD-10 Diagnosis",
              "ICD-10-CM Diagnosis", "ICD-10 Dx", "ICD-10 Diagnosis Code",
              "International Classification of Diseases, Tenth Revision, Clinical Modification"),
    ICD10PCS: ("ICD-10-PCS", "ICD10PCS", "ICD 10 PCS", "ICD-10 PCS", "ICD-10 Procedure",
               "ICD-10-PCS Procedure", "ICD-10 Px", "ICD-10 Procedure Code",
               "International Classification of Diseases, Tenth Revision, Procedure Coding System"),
    CDT: ("CDT", "Current Dental Terminology", "ADA CDT", "CDT Dental"),
    ICD9CM: ("ICD-9-CM", "ICD9CM", "ICD-9", "ICD9", "ICD 9 CM"),
    LOINC: ("LOINC",),
    SNOMED: ("SNOMED CT", "SNOMED-CT", "SNOMEDCT", "SNOMED"),
    NDC: ("NDC", "National Drug Code"),
    MSDRG: ("MS-DRG", "MSDRG", "DRG"),
    RXNORM: ("RxNorm",),
}

# A bare "ICD-10" names the family, not the variant. US code pages mean the diagnosis
# modification unless the code is a procedure code (PCS codes begin with a digit or one of
# the PCS section letters and never carry a dot); `transform.codes` applies that rule.
AMBIGUOUS_ALIASES: dict[str, tuple[str, str]] = {"icd10": (ICD10CM, ICD10PCS)}
AMBIGUOUS_DEFAULT: dict[str, str] = {"icd10": ICD10CM}

# Systems a page may name together for one code ("HCPCS Level II / CDT dental code"): when
# the code fits both, it is the first's (HCPCS D-codes are CDT content, published as HCPCS).
CO_NAMED: dict[frozenset[str], str] = {frozenset({HCPCS, CDT}): HCPCS}

# Words a label may carry after the system name ("CPT4 code", "HCPCS codes", "code set").
LABEL_SUFFIX_WORDS: tuple[str, ...] = ("codes", "code", "codeset", "set", "number", "no")

# URL host/path tokens (lower-cased, matched between non-alphanumeric boundaries).
URL_TOKENS: dict[str, str] = {
    "cpt": CPT, "cpt4": CPT, "cpt-4": CPT, "cpt-codes": CPT, "cpt-code": CPT, "cptcode": CPT,
    "cptcodes": CPT,
    "hcpcs": HCPCS, "hcpcs-codes": HCPCS, "hcpcs-code": HCPCS, "hcpcscodes": HCPCS,
    "icd10cm": ICD10CM, "icd-10-cm": ICD10CM, "icd10-cm": ICD10CM, "icd_10_cm": ICD10CM,
    "icd-10-cm-codes": ICD10CM, "icd10cmcodes": ICD10CM,
    "icd10pcs": ICD10PCS, "icd-10-pcs": ICD10PCS, "icd10-pcs": ICD10PCS, "icd_10_pcs": ICD10PCS,
    "icd-10-pcs-codes": ICD10PCS,
    "cdt": CDT, "cdt-codes": CDT, "icd9cm": ICD9CM, "icd-9-cm": ICD9CM, "icd9": ICD9CM,
    "loinc": LOINC, "snomed": SNOMED, "snomedct": SNOMED, "snomed-ct": SNOMED, "ndc": NDC,
    "drg": MSDRG, "ms-drg": MSDRG, "msdrg": MSDRG, "rxnorm": RXNORM,
}
# Tokens naming the family only; resolved like the bare "ICD-10" label.
URL_AMBIGUOUS_TOKENS: dict[str, str] = {"icd10": "icd10", "icd-10": "icd10", "icd_10": "icd10"}

# Canonical code formats (after `transform.codes.canonical_code`).
CODE_FORMATS: dict[str, re.Pattern[str]] = {
    # Category I (5 digits), II (4 digits + F), III (+ T), PLA (+ U), MAAA administrative (+ M).
    CPT: re.compile(r"^\d{4}[0-9FMTU]$"),
    HCPCS: re.compile(r"^[A-V]\d{4}$"),
    # Letter (U included: U07.1), digit, alphanumeric (C4A, M1A), then up to 4 after the dot,
    # X placeholders and 7th characters included (S72.001A, T36.0X1A).
    ICD10CM: re.compile(r"^[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?$"),
    ICD10PCS: re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),  # 7 characters, no I or O
    CDT: re.compile(r"^D\d{4}$"),
    ICD9CM: re.compile(r"^(?:\d{3}(?:\.\d{1,2})?|V\d{2}(?:\.\d{1,2})?|E\d{3}(?:\.\d)?|\d{2}\.\d{1,2})$"),
    LOINC: re.compile(r"^\d{1,7}-\d$"),
    SNOMED: re.compile(r"^\d{6,18}$"),
    NDC: re.compile(r"^(?:\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2}|\d{10,11})$"),
    MSDRG: re.compile(r"^\d{3}$"),
    RXNORM: re.compile(r"^\d{1,9}$"),
}
# Systems whose canonical form carries a dot after the third character.
DOTTED_AFTER_3: frozenset[str] = frozenset({ICD10CM})

# License identifiers (the `license` column).
PUBLIC_DOMAIN, AMA_CPT, ADA_CDT = "public_domain", "ama_cpt", "ada_cdt"
LICENSES: dict[str, str] = {
    CPT: AMA_CPT,
    HCPCS: PUBLIC_DOMAIN,
    ICD10CM: PUBLIC_DOMAIN,
    ICD10PCS: PUBLIC_DOMAIN,
    ICD9CM: PUBLIC_DOMAIN,
    NDC: PUBLIC_DOMAIN,
    MSDRG: PUBLIC_DOMAIN,
    CDT: ADA_CDT,
    LOINC: "loinc",
    SNOMED: "snomed_ct",
    RXNORM: "umls",
}
# HCPCS Level II D-codes are the ADA's CDT content, published under its terms.
HCPCS_CDT_PREFIX = "D"
UNKNOWN_LICENSE = "unknown"

# Notices a snapshot holding licensed text must carry (keyed by license identifier).
LICENSE_NOTICES: dict[str, str] = {
    AMA_CPT: (
        "CPT® is a registered trademark of the American Medical Association (AMA). CPT codes, "
        "descriptions and other data are copyright American Medical Association. All rights "
        "reserved. Fee schedules, relative value units, conversion factors and/or related "
        "components are not assigned by the AMA, are not part of CPT, and the AMA is not "
        "recommending their use. The AMA does not directly or indirectly practice medicine or "
        "dispense medical services. The AMA assumes no liability for data contained or not "
        "contained herein."
    ),
    ADA_CDT: (
        "CDT™ (Current Dental Terminology), including procedure codes, nomenclature and "
        "descriptors, is copyright American Dental Association (ADA). All rights reserved. "
        "CDT is a trademark of the ADA. Applicable FARS/DFARS restrictions apply."
    ),
    "loinc": (
        "This material contains content from LOINC® (http://loinc.org). LOINC is copyright "
        "Regenstrief Institute, Inc. and the LOINC Committee and is available at no cost under "
        "the license at http://loinc.org/license. LOINC® is a registered trademark of "
        "Regenstrief Institute, Inc."
    ),
    "snomed_ct": (
        "This material includes SNOMED Clinical Terms® (SNOMED CT®), used by permission of "
        "SNOMED International. All rights reserved. SNOMED CT® was originally created by the "
        "College of American Pathologists. SNOMED and SNOMED CT are registered trademarks of "
        "SNOMED International."
    ),
    "umls": (
        "RxNorm is produced by the U.S. National Library of Medicine; parts of it are subject "
        "to the UMLS Metathesaurus License Agreement."
    ),
}

# Status badges a site prints after the descriptor in its heading ("… hypertension Billable");
# they are no part of the title.
STATUS_BADGES: tuple[str, ...] = ("Non-billable", "Non-Billable", "Billable", "Valid", "Invalid", "New",
                                  "Revised", "Deleted")

# Main headings of soft-404 pages (matched whole, case-insensitively, edge punctuation ignored):
# such a page says its code was not found, whatever code its address carries.
NOT_FOUND_HEADINGS: tuple[str, ...] = (
    r"(?:sorry,?\s*)?(?:the\s+)?(?:code|page|procedure|result)\s+(?:was\s+|is\s+)?not\s+found",
    r"(?:error\s*)?404(?:\s*[-–—:|]?\s*(?:error|not\s+found|(?:page|code)\s+not\s+found))?",
    r"no\s+(?:results?|matches|codes?)(?:\s+found)?(?:\s+for\b.*)?",
)
