"""build_manifest: counts, licenses with their notices, files, lineage."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from snapshot_samples import sample_tables

from medcodes.version import PARSER_VERSION, SCHEMA_VERSION
from output.manifest import build_manifest, file_entry, manifest_bytes, notice_text, notices_for
from output.parquet import to_arrow
from transform.code_systems import LICENSE_NOTICES

CREATED = datetime(2024, 5, 2, 8, 0, 0, 42, tzinfo=timezone.utc)


def _manifest(tables=None, **extra) -> dict:
    frames = tables or sample_tables()
    arrow = {name: to_arrow(frame, name) for name, frame in frames.items()}
    return build_manifest(snapshot_id="20240502T080000000042Z", created_at=CREATED, tables=arrow,
                          files=[], **extra)


def test_versions_counts_and_lineage():
    manifest = _manifest(sources=["https://codes.example.org/sitemap.xml"], previous_snapshot_id="20240501T000000000000Z",
                         stale_codes=[("HCPCS", "J1100")], pages_seen=9)
    assert manifest["snapshot_id"] == "20240502T080000000042Z"
    assert manifest["created_at"] == "2024-05-02T08:00:00.000042Z"
    assert (manifest["schema_version"], manifest["parser_version"]) == (SCHEMA_VERSION, PARSER_VERSION)
    assert manifest["previous_snapshot_id"] == "20240501T000000000000Z"
    assert manifest["sources"] == ["https://codes.example.org/sitemap.xml"]
    assert manifest["row_counts"] == {"codes": 5, "sections": 5, "related_codes": 3, "quarantine": 2, "changes": 5}
    assert manifest["code_system_counts"] == {"CPT": 1, "HCPCS": 2, "ICD-10-CM": 1, "ICD-10-PCS": 1}
    assert manifest["stale_codes"] == [{"code_system": "HCPCS", "code": "J1100"}]
    assert manifest["run_stats"] == {
        "pages_seen": 9, "quarantined": 2, "quarantined_by_reason": {"code_not_found": 1, "http_404": 1},
    }
    assert json.loads(manifest_bytes(manifest)) == manifest


def test_licenses_present_carry_their_notices():
    manifest = _manifest()
    assert manifest["licenses"] == ["ada_cdt", "ama_cpt", "public_domain"]
    assert manifest["notices"] == {"ada_cdt": LICENSE_NOTICES["ada_cdt"], "ama_cpt": LICENSE_NOTICES["ama_cpt"]}
    text = notice_text(manifest["notices"])
    assert "American Medical Association" in text and "American Dental Association" in text


def test_public_domain_only_needs_no_notice():
    tables = sample_tables()
    tables["codes"] = tables["codes"][tables["codes"]["license"] == "public_domain"]
    manifest = _manifest(tables)
    assert manifest["licenses"] == ["public_domain"] and manifest["notices"] == {}
    assert notices_for(["public_domain"]) == {}


def test_file_entry_hashes_the_bytes(tmp_path):
    path = tmp_path / "codes.jsonl"
    path.write_bytes(b'{"code":"99213"}\n')
    entry = file_entry(path, 1)
    assert (entry.name, entry.bytes, entry.rows) == ("codes.jsonl", 17, 1)
    assert entry.sha256 == hashlib.sha256(b'{"code":"99213"}\n').hexdigest()
