"""The one settings object. Every field can be set from the environment (`MEDCODES_<FIELD>`)
and most from the command line; logic code receives a `Settings`, it never reads `os.environ`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Run-time configuration, documented field by field (see `docs/configuration.md`)."""

    model_config = SettingsConfigDict(env_prefix="MEDCODES_", extra="forbid")

    # --- output -----------------------------------------------------------------------
    out_dir: Path = Field(Path("data"), description="Output directory (raw/, snapshots/, latest).")
    keep_snapshots: int = Field(10, ge=1, description="Published snapshots kept; older ones are deleted.")
    max_quarantine_share: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="Refuse to publish when more than this share of pages end in quarantine.",
    )
    parquet_compression: str = Field("zstd", description="Parquet codec for every table.")
    row_group_size: int = Field(10_000, ge=1, description="Rows per Parquet row group (bounds writer memory).")
    assembly_memory_mb: int = Field(
        128, ge=16,
        description="Memory for sorting the snapshot's tables at the end of a run; above it, sorts spill to disk.",
    )

    # --- processing -------------------------------------------------------------------
    # 500: memory against Prefect's cost per task (~0.24 s of CPU across processes, ~10% of a
    # 500-page batch). Each worker holds a running and a queued batch and the flow's process up
    # to two per worker, so halving the batch took the peak of a 100k-page, 2-worker run from
    # 1,138 to 980 MB PSS, for ~4% more time (flow 231 -> 241 s; docs/performance.md).
    batch_size: int = Field(500, ge=1, description="Pages per parse task; one Prefect task handles one batch.")
    # 8 (MiB): 500 pages of the generated corpus (15 KB on average) are 6.9-7.3 MiB, so the cap
    # only cuts batches of bigger pages, and the memory the batch size was measured at holds.
    batch_max_mb: int = Field(
        8, ge=1,
        description="Most MB of page bodies per parse task: a batch ends at `batch_size` pages or at this size, "
                    "so bigger pages make smaller batches and memory does not grow with page size.",
    )
    workers: int = Field(1, ge=1, description="Parse processes; >1 runs batches on a local Dask cluster.")
    dask_address: str | None = Field(None, description="Run parse batches on this existing Dask scheduler.")
    reparse: bool = Field(False, description="Re-parse every stored page even when bytes and parser are unchanged.")
    rehash: bool = Field(
        False,
        description="Read and hash every local file, even one whose size, times and inode match the last run's "
                    "(`raw/file_hashes.parquet`).",
    )

    # --- fetching ---------------------------------------------------------------------
    user_agent: str = Field(
        "medcodes/0.1 (+https://github.com/medcodes/medcodes; code-reference dataset builder)",
        description="User-Agent sent with every request and matched against robots.txt.",
    )
    concurrency_per_host: int = Field(4, ge=1, description="Simultaneous connections to one host.")
    fetch_processes: int = Field(
        2, ge=1,
        description="Processes performing a crawl's HTTP requests; politeness limits hold across them.",
    )
    requests_per_second: float = Field(4.0, gt=0, description="Requests per second to one host (politeness).")
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to establish a connection.")
    read_timeout: float = Field(30.0, gt=0, description="Seconds to wait for response data.")
    max_retries: int = Field(4, ge=0, description="Retries after a transient failure (connect error, timeout, 429, 5xx).")
    backoff_base: float = Field(0.5, ge=0, description="First backoff delay in seconds; doubles each retry, with jitter.")
    retry_after_cap: float = Field(120.0, ge=0, description="Longest Retry-After wait honoured, in seconds.")
    max_page_bytes: int = Field(5_000_000, ge=1, description="Responses larger than this are aborted while streaming.")
    obey_robots: bool = Field(True, description="Obey robots.txt Disallow and Crawl-delay rules.")
    follow_links: bool = Field(False, description="Follow links within the start site when it has no sitemap.")
    max_pages: int | None = Field(None, ge=1, description="Stop discovery after this many page URLs.")
    max_depth: int = Field(3, ge=0, description="Link-following depth limit from the start URL.")
    include: list[str] = Field(default_factory=list, description="Regexes a discovered URL must match (any).")
    exclude: list[str] = Field(default_factory=list, description="Regexes that drop a discovered URL.")

    @property
    def raw_dir(self) -> Path:
        return self.out_dir / "raw"

    @property
    def snapshots_dir(self) -> Path:
        return self.out_dir / "snapshots"
