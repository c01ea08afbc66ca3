"""Output stage: Parquet/JSONL writers, manifest, change log, and atomic publish."""
