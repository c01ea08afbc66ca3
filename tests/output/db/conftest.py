"""Three published snapshots of realistic rows, and a fresh database per test on each backend.

Snapshot 2 against 1: CPT 36415 and ICD-10-PCS 0DTJ4ZZ added; CPT 99213 modified (recovery
and a new section); ICD-10-CM S72.001A re-fetched with the same content (provenance only);
CPT 27130 changed only in its related codes; HCPCS J1100 removed; HCPCS D0120 unchanged.
Snapshot 3 against 2: J1100 back exactly as in 1; 36415 removed; D0120's sections changed.
PostgreSQL is a throwaway cluster on 127.0.0.1 started from the binaries under
/usr/lib/postgresql/*/bin (as user `postgres` when the tests run as root); its tests skip
when those binaries are absent.
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from medcodes.settings import Settings
from output.changes import compute_changes
from output.publish import publish_snapshot
from schemas.tables import empty_frame

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
_LISTS = ("indications", "preparation", "procedure_steps", "settings", "personnel", "risks_common",
          "risks_rare", "benefits", "recovery", "alternatives")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code(system: str, code: str, title: str, license: str, url: str, fetched: datetime = T0, **extra) -> dict:
    row = {
        "code_system": system, "code": code, "title": title, "name": None, "summary": None,
        "purpose": None, "duration": None, "duration_min_minutes": None, "duration_max_minutes": None,
        "setting": None, "patient_experience": None, **{name: [] for name in _LISTS},
        "license": license, "source_url": url, "content_sha256": _sha(url + fetched.isoformat()),
        "fetched_at": fetched,
    }
    return {**row, **extra}


CPT_99213 = _code(
    "CPT", "99213",
    "Office or other outpatient visit for the evaluation and management of an established patient, "
    "which requires a medically appropriate history and/or examination and low level of medical "
    "decision making", "ama_cpt", "https://codes.example.org/cpt/99213",
    name="Established patient office visit", summary="A follow-up visit with a known patient.",
    duration="about 20 to 29 minutes", duration_min_minutes=20, duration_max_minutes=29,
    setting="Outpatient clinic", settings=["outpatient clinic"], personnel=["Physician"],
    procedure_steps=["Review history", "Examine the patient", "Adjust the treatment plan"],
    recovery=["Resume normal activities right away"],
)
CPT_27130 = _code(
    "CPT", "27130", "Arthroplasty, acetabular and proximal femoral prosthetic replacement (total hip "
    "arthroplasty), with or without autograft or allograft", "ama_cpt", "https://codes.example.org/cpt/27130",
    name="Total hip replacement", duration="about 1 to 2 hours", duration_min_minutes=60,
    duration_max_minutes=120, setting="Hospital operating room", settings=["hospital"],
    recovery=["Walk with a walker the next day", "No driving for 4 to 6 weeks"],
)
CPT_36415 = _code(
    "CPT", "36415", "Collection of venous blood by venipuncture", "ama_cpt", "https://codes.example.org/cpt/36415",
    name="Blood draw", duration="about 5 minutes", duration_min_minutes=5, duration_max_minutes=5,
    setting="Outpatient clinic or laboratory", settings=["outpatient clinic", "laboratory"],
    risks_common=["Bruising"], recovery=["Keep the bandage on for an hour"],
)
ICD_S72 = _code(
    "ICD-10-CM", "S72.001A",
    "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
    "public_domain", "file:///data/pages/icd10cm/S72.001A.html", name="Hip fracture, right",
    settings=["hospital"], risks_common=["Pain", "Swelling"], risks_rare=["Blood clots"],
    recovery=["Physical therapy", "No driving for about 6 weeks"],
    patient_experience="Émilie felt a sharp pain — then relief after surgery.",
)
HCPCS_J1100 = _code(
    "HCPCS", "J1100", "Injection, dexamethasone sodium phosphate, 1 mg", "public_domain",
    "https://codes.example.org/hcpcs/J1100", duration="about 5 minutes", duration_min_minutes=5,
    duration_max_minutes=5, setting="Clinic or hospital", settings=["outpatient clinic", "hospital"],
)
HCPCS_D0120 = _code(
    "HCPCS", "D0120", "Periodic oral evaluation - established patient", "ada_cdt",
    "https://codes.example.org/hcpcs/D0120", duration="about 30 minutes to 1 hour",
    duration_min_minutes=30, duration_max_minutes=60, setting="Dental office", settings=["dental office"],
)
PCS_0DTJ4ZZ = _code(
    "ICD-10-PCS", "0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach", "public_domain",
    "https://codes.example.org/icd10pcs/0DTJ4ZZ", name="Laparoscopic appendectomy",
    duration="about 1 hour", duration_min_minutes=60, duration_max_minutes=60, setting="Hospital",
    settings=["hospital"], personnel=["General surgeon", "Anesthesiologist"],
    recovery=["Avoid driving for 1 to 2 weeks", "Walk the same day"],
)


def _s(code: tuple[str, str], ordinal: int, key: str | None, heading: str, items: list[str], text: str = "") -> tuple:
    return (*code, ordinal, key, heading, text or "\n".join(items), items)


def _r(code: tuple[str, str], system: str, related: str, title: str | None) -> tuple:
    return (*code, system, related, title, "similar")


K99213, K27130, K36415, KS72, KJ1100, KD0120, K0DTJ = (
    ("CPT", "99213"), ("CPT", "27130"), ("CPT", "36415"), ("ICD-10-CM", "S72.001A"),
    ("HCPCS", "J1100"), ("HCPCS", "D0120"), ("ICD-10-PCS", "0DTJ4ZZ"),
)
SECTIONS_99213_V1 = [_s(K99213, 0, "summary", "Summary", [], "A follow-up visit with a known patient."),
                     _s(K99213, 1, None, "Billing Tips", [], "Document the time spent.")]
SECTIONS_S72 = [_s(KS72, 0, "name", "Name of the Procedure", [], "Hip fracture, right"),
                _s(KS72, 1, "risks", "Risks and Complications", ["Pain", "Swelling", "Blood clots"]),
                _s(KS72, 2, "recovery", "Recovery", ["Physical therapy", "No driving for about 6 weeks"])]
SECTIONS_J1100 = [_s(KJ1100, 0, "summary", "Summary", [], "A steroid injection that reduces inflammation.")]
SECTIONS_D0120_V1 = [_s(KD0120, 0, "duration", "How long it takes", [], "about 30 minutes to 1 hour")]
SECTIONS_27130 = [_s(K27130, 0, "recovery", "Recovery", ["Walk with a walker the next day",
                                                         "No driving for 4 to 6 weeks"])]
RELATED_99213 = [_r(K99213, "CPT", "99212", "Office visit, straightforward"), _r(K99213, "CPT", "99214", None)]
RELATED_S72 = [_r(KS72, "ICD-10-CM", "S72.002A", "Fracture of unspecified part of neck of left femur")]
RELATED_J1100 = [_r(KJ1100, "HCPCS", "J1094", "Injection, dexamethasone acetate, 1 mg")]
RELATED_27130_V1 = [_r(K27130, "CPT", "27125", "Hemiarthroplasty, hip, partial")]


def _snapshot_1() -> tuple[list, list, list]:
    codes = [CPT_99213, CPT_27130, ICD_S72, HCPCS_J1100, HCPCS_D0120]
    sections = SECTIONS_99213_V1 + SECTIONS_S72 + SECTIONS_J1100 + SECTIONS_D0120_V1 + SECTIONS_27130
    related = RELATED_99213 + RELATED_S72 + RELATED_J1100 + RELATED_27130_V1
    return codes, sections, related


def _snapshot_2() -> tuple[list, list, list]:
    later = T0 + timedelta(days=30)
    cpt_99213 = {**CPT_99213, "recovery": ["Resume normal activities right away", "Follow up in 2 to 4 weeks"],
                 "content_sha256": _sha("99213 v2")}
    icd_s72 = {**ICD_S72, "fetched_at": later, "content_sha256": _sha("S72 refetched")}
    codes = [cpt_99213, CPT_27130, CPT_36415, icd_s72, HCPCS_D0120, PCS_0DTJ4ZZ]
    sections = (SECTIONS_99213_V1 + [_s(K99213, 2, "recovery", "Recovery",
                                        ["Resume normal activities right away", "Follow up in 2 to 4 weeks"])]
                + SECTIONS_S72 + SECTIONS_D0120_V1 + SECTIONS_27130
                + [_s(K36415, 0, "risks", "Possible complications", ["Bruising"])]
                + [_s(K0DTJ, 0, "procedure_steps", "Procedure Description", ["General anesthesia", "Appendix removed"]),
                   _s(K0DTJ, 1, "recovery", "Recovery", ["Avoid driving for 1 to 2 weeks", "Walk the same day"])])
    related = (RELATED_99213 + RELATED_S72 + RELATED_27130_V1
               + [_r(K27130, "CPT", "27132", "Conversion of previous hip surgery to total hip arthroplasty"),
                  _r(K0DTJ, "ICD-10-PCS", "0DTJ0ZZ", "Resection of Appendix, Open Approach")])
    return codes, sections, related


def _snapshot_3() -> tuple[list, list, list]:
    codes, sections, related = _snapshot_2()
    codes = [c for c in codes if c["code"] != "36415"] + [HCPCS_J1100]
    sections = [s for s in sections if s[1] not in ("36415", "D0120")] + SECTIONS_J1100 + [
        _s(KD0120, 0, "duration", "How long it takes", [], "about 30 to 45 minutes"),
        _s(KD0120, 1, None, "What the dentist checks", ["Teeth", "Gums"])]
    related = [r for r in related if r[1] != "36415"] + RELATED_J1100
    return codes, sections, related


SECTION_COLUMNS = ["code_system", "code", "ordinal", "key", "heading", "text", "items"]
RELATED_COLUMNS = ["code_system", "code", "related_code_system", "related_code", "related_title", "relation"]


def _publish_all(out_dir: Path) -> list[Path]:
    settings = Settings(out_dir=out_dir)
    previous, paths = None, []
    for number, build in enumerate((_snapshot_1, _snapshot_2, _snapshot_3)):
        codes, sections, related = build()
        codes_frame = pd.DataFrame(codes)
        tables = {
            "codes": codes_frame,
            "sections": pd.DataFrame(sections, columns=SECTION_COLUMNS),
            "related_codes": pd.DataFrame(related, columns=RELATED_COLUMNS),
            "quarantine": empty_frame("quarantine"),
            "changes": compute_changes(previous, codes_frame),
        }
        paths.append(publish_snapshot(settings, tables, created_at=T0 + timedelta(days=30 * number, hours=1)))
        previous = codes_frame
    return paths


@dataclass(frozen=True)
class Snapshots:
    out_dir: Path
    paths: list[Path]


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory) -> Snapshots:
    out_dir = tmp_path_factory.mktemp("medcodes-out")
    return Snapshots(out_dir, _publish_all(out_dir))


# --- databases --------------------------------------------------------------------------

def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """Base URL of a throwaway PostgreSQL cluster on 127.0.0.1, stopped at session end."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                    "(apt-get install -y postgresql)")
    pytest.importorskip("psycopg", reason="psycopg 3 is needed for PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="medcodes-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    run = lambda *args: subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True)  # noqa: E731
    run(bin_dir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    run(bin_dir / "pg_ctl", "-D", data, "-l", root / "log", "-w", "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


_db_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "duckdb", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A URL of an empty database of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "medcodes.sqlite")  # a plain path means SQLite
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'medcodes.duckdb'}"
    import psycopg

    base = request.getfixturevalue("postgres_server")
    name = f"medcodes_test_{next(_db_numbers)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"
