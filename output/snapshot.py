"""Publish a run's dataset as the next snapshot: changes against `latest`, then the atomic publish.

The caller holds the output lock for the whole run (`output.lock.output_lock`), so the
previous snapshot read here is the one this snapshot replaces.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from medcodes.dataset import Dataset
from medcodes.settings import Settings
from output.changes import compute_changes
from output.publish import latest_snapshot, publish_locked, read_snapshot_table
from output.report import RunSummary


def publish_dataset(
    dataset: Dataset,
    settings: Settings,
    sources: Sequence[str],
    stale: Sequence[tuple[str, str]] = (),
    removed: set[tuple[str, str]] | None = None,
) -> RunSummary:
    """Publish with `changes` against `latest`; `removed` limits removals to codes with evidence
    (None: every missing code is removed), `stale` lists codes carried over after a failure."""
    previous = latest_snapshot(settings.out_dir)
    previous_codes = read_snapshot_table(previous, "codes") if previous else None
    changes = compute_changes(previous_codes, dataset.codes.to_pandas(), removed_keys=removed)
    snapshot = publish_locked(
        settings, {**dataset.tables(), "changes": changes}, sources=sources, pages_seen=dataset.pages,
        stale_codes=stale,
    )
    codes = dataset.codes
    return RunSummary(
        snapshot_id=snapshot.name,
        snapshot_dir=str(snapshot),
        previous_snapshot_id=previous.name if previous else None,
        pages=dataset.pages,
        rows={**{name: t.num_rows for name, t in dataset.tables().items()}, "changes": len(changes)},
        codes_by_system=dict(Counter(codes.column("code_system").to_pylist())),
        quarantine_reasons=dict(Counter(dataset.quarantine.column("reason").to_pylist())),
        changes=dict(Counter(changes["change"].tolist())),
        licenses=sorted(set(codes.column("license").to_pylist())),
        stale_codes=len(stale),
    )
