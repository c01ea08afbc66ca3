"""`refresh_and_load` end to end: the bundled sample is published, then loaded into SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


def test_refresh_then_load_into_sqlite(prefect_harness, tmp_path):
    flows = pytest.importorskip("flows.refresh_and_load", reason="the refresh flow does not import yet")
    db = tmp_path / "medcodes.sqlite"

    result = flows.refresh_and_load(None, str(tmp_path / "out"), str(db))

    refreshed, loaded = result["refresh"], result["load"]
    assert loaded["snapshot_id"] == refreshed["snapshot_id"]
    assert loaded["changes"]["codes"]["inserted"] == refreshed["rows"]["codes"] > 0
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM codes").scalar_one() == refreshed["rows"]["codes"]
        assert conn.exec_driver_sql("SELECT snapshot_id FROM medcodes_load_state").scalar_one() == refreshed["snapshot_id"]
    engine.dispose()
