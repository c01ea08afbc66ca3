"""The `medcodes` command line: thin wrappers that build `Settings` and call flows or functions.

Options left unset fall back to `MEDCODES_*` environment variables, then to defaults, so
the command line, the environment and a deployment all configure the same `Settings`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console

from medcodes.cli_history import register as register_history
from medcodes.cli_load import register as register_load
from medcodes.prefect_env import configure_prefect_environment
from medcodes.process import tune_memory_allocators

app = typer.Typer(
    name="medcodes",
    help="Turn medical-code reference pages into validated, published Parquet/JSON snapshots.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)
out = Console()


@app.callback()
def main_options() -> None:
    """medcodes: medical-code reference pages → validated Parquet/JSON snapshots."""


def _given(**options: Any) -> dict[str, Any]:
    """Only the options the user actually set, so the environment still fills the rest."""
    return {k: v for k, v in options.items() if v is not None and v != []}


@app.command()
def run(
    sources: list[str] = typer.Argument(None, help="Page/sitemap/site URLs, files, folders, globs, WARCs or @FILE lists. Default: the bundled sample."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder [default: ./data or MEDCODES_OUT_DIR]."),
    batch_size: Optional[int] = typer.Option(None, help="Pages per parse task."),
    batch_max_mb: Optional[int] = typer.Option(None, help="Most MB of page bodies per parse task (big pages make smaller batches)."),
    workers: Optional[int] = typer.Option(None, help="Parse processes (a local Dask cluster when > 1)."),
    dask_address: Optional[str] = typer.Option(None, help="Run parse batches on this Dask scheduler (tcp://host:port)."),
    max_quarantine_share: Optional[float] = typer.Option(None, help="Refuse to publish above this share of quarantined pages (0-1)."),
    keep_snapshots: Optional[int] = typer.Option(None, help="Published snapshots to keep."),
    reparse: Optional[bool] = typer.Option(None, "--reparse/--no-reparse", help="Re-parse stored pages even if unchanged."),
    rehash: Optional[bool] = typer.Option(None, "--rehash/--no-rehash", help="Read and hash every local file, even one whose size, times and inode are unchanged."),
    user_agent: Optional[str] = typer.Option(None, help="User-Agent for fetching and robots.txt."),
    concurrency: Optional[int] = typer.Option(None, help="Simultaneous connections per host."),
    fetch_processes: Optional[int] = typer.Option(None, help="Processes performing a crawl's requests (limits hold across them)."),
    rps: Optional[float] = typer.Option(None, help="Requests per second per host."),
    max_retries: Optional[int] = typer.Option(None, help="Retries after a transient fetch failure."),
    follow_links: Optional[bool] = typer.Option(None, "--follow-links/--no-follow-links", help="Follow links within the site when it has no sitemap."),
    max_pages: Optional[int] = typer.Option(None, help="Stop discovery after this many pages."),
    max_depth: Optional[int] = typer.Option(None, help="Link-following depth limit."),
    include: list[str] = typer.Option([], help="Regex a discovered URL must match (repeatable)."),
    exclude: list[str] = typer.Option([], help="Regex that drops a discovered URL (repeatable)."),
    no_robots: bool = typer.Option(False, "--ignore-robots", help="Do not obey robots.txt (only for sites you own)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's log lines."),
) -> None:
    """Read SOURCEs, parse, validate and publish one snapshot under --out."""
    tune_memory_allocators()
    configure_prefect_environment(verbose)
    from medcodes.console import run_refresh_with_progress

    options = _given(
        batch_size=batch_size, batch_max_mb=batch_max_mb, workers=workers, dask_address=dask_address,
        max_quarantine_share=max_quarantine_share, keep_snapshots=keep_snapshots, reparse=reparse, rehash=rehash,
        user_agent=user_agent, concurrency_per_host=concurrency, fetch_processes=fetch_processes,
        requests_per_second=rps,
        max_retries=max_retries, follow_links=follow_links, max_pages=max_pages, max_depth=max_depth,
        include=include, exclude=exclude,
    )
    if no_robots:
        options["obey_robots"] = False
    code = run_refresh_with_progress(list(sources or []), str(out_dir) if out_dir else None, options,
                                     out, err, verbose=verbose)
    raise typer.Exit(code)


@app.command("serve-sample")
def serve_sample(
    port: int = typer.Option(8000, help="Port on 127.0.0.1 (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
) -> None:
    """Serve the bundled sample corpus as a small site (robots.txt, sitemap index, ETags).

    Then, in another terminal: medcodes run http://127.0.0.1:PORT/
    """
    from extract.sample_site import run_sample_site
    from medcodes.sample import sample_pages_dir

    run_sample_site(sample_pages_dir(), host=host, port=port)


@app.command("export-warc")
def export_warc(
    path: Path = typer.Argument(..., help="WARC file to write (.warc or .warc.gz)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder whose raw/ store to export."),
) -> None:
    """Export every page medcodes fetched (its raw store) as a standard WARC for web-archive tools."""
    from extract.raw_store import RawStore
    from extract.warc import export_warc as write_warc
    from medcodes.settings import Settings

    settings = Settings(**({"out_dir": out_dir} if out_dir else {}))
    if not settings.raw_dir.is_dir():
        err.print(f"[red]medcodes: no raw page store at {settings.raw_dir}[/red] (run a web crawl first)")
        raise typer.Exit(1)
    store = RawStore.for_settings(settings)
    try:
        pages = write_warc(store, path)
    finally:
        store.close()
    out.print(f"wrote {pages} pages to {path}")


register_load(app)
register_history(app)


def main() -> None:  # pragma: no cover - console-script shim
    app(prog_name="medcodes")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
