"""End-to-end throughput: pages/s and peak memory of a whole refresh on a generated corpus.

Runs the real pipeline (read → parse → validate → publish) in a fresh process per case, on
the first N pages of a corpus written by `generate_corpus.py` (its shard folders `0000/`,
`0001/`, … hold 1,000 pages each, so the first N pages are the first N/1000 folders), into
a temporary output folder. `--via flow` (default) runs the `refresh` flow with
`task_runner_for(settings)`, exactly what the CLI does; `--via cli` runs `python -m medcodes
run`. Peak memory is the largest sum over the whole process tree (the Prefect server,
Dask worker processes included), sampled every 0.2 s with psutil, as RSS (each shared
library counted once per process) and as PSS (shared pages split between processes: the
tree's real footprint), plus the main process's own RSS; CPU seconds per kind of process
(main, Prefect server, Dask workers) as last sampled, a lower bound; and the PSS of each
kind of process at the moment of the peak. Figures include Prefect's start-up (and the Dask cluster's):
a fixed cost, reported separately from a tiny run so it can be subtracted.

    python benchmarks/generate_corpus.py --pages 100000 --out /tmp/corpus
    python benchmarks/bench_pipeline.py --corpus /tmp/corpus --sizes 10000 50000 100000 --workers 1 2

Each case runs the flow `--runs` times (default 2) in one process into one output folder:
the first run is the full refresh, the second finds every page unchanged (the incremental
no-change refresh); `flow_s` gives each run's own seconds, without the process start-up
(imports, and the Prefect API server, which boots meanwhile as in `medcodes run`), and
`seconds` the whole process, start-up included: the end-to-end figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]


def role(proc: psutil.Process) -> str:
    """What a process of the tree is, from its command line."""
    cmd = " ".join(proc.cmdline())
    if "uvicorn" in cmd:
        return "prefect_server"
    if "multiprocessing" in cmd:
        return "dask_processes"  # the workers (their nannies live in the main process), the forkserver they fork from, the resource tracker
    return "main"


def tree_cpu(proc: psutil.Process, seen: dict[int, tuple[str, float]]) -> None:
    """Record each process's latest CPU seconds (user + system) and role in `seen`, by pid."""
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            seen[p.pid] = (seen[p.pid][0] if p.pid in seen else role(p), times.user + times.system)
        except psutil.Error:
            pass


def tree_memory(proc: psutil.Process) -> tuple[int, int, int, dict[str, int]]:
    """(RSS, PSS, main process RSS, PSS by kind of process) over the process tree. RSS sums
    count each shared library once per process; PSS splits shared pages between the processes
    that map them, so the PSS sum is the tree's real footprint."""
    rss = pss = 0
    by_role: dict[str, int] = {}
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
            rss, pss, kind = rss + info.rss, pss + info.pss, role(p)
            by_role[kind] = by_role.get(kind, 0) + info.pss
        except psutil.Error:  # a worker that ended between listing and reading
            pass
    return rss, pss, proc.memory_info().rss, by_role


def run_case(corpus: Path, pages: int, workers: int, via: str, runs: int = 1) -> dict:
    """`runs` refreshes of the first `pages` pages into one output folder (the later ones find
    nothing changed); wall seconds, pages/s, peak RSS and, per run, the flow's own seconds."""
    shards = sorted(p for p in corpus.iterdir() if p.is_dir())[: max(1, pages // 1000)]
    with tempfile.TemporaryDirectory(prefix="medcodes-bench-") as out:
        if via == "cli":
            cmd = [sys.executable, "-m", "medcodes", "run", *map(str, shards), "--out", out, "--workers", str(workers)]
        else:
            cmd = [sys.executable, __file__, "_run", out, str(workers), str(runs), *map(str, shards)]
        started = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak, watched, cpu, at_peak = [0, 0, 0], psutil.Process(proc.pid), {}, {}

        def sample() -> None:
            while proc.poll() is None:
                try:
                    *sums, by_role = tree_memory(watched)
                    if sums[1] > peak[1]:
                        at_peak.clear()
                        at_peak.update(by_role)
                    peak[:] = map(max, peak, sums)
                    tree_cpu(watched, cpu)
                except psutil.Error:
                    return
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - started
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"run failed ({proc.returncode}): {stderr[-2000:]}")
    return {"pages": pages, "workers": workers, "via": via, "seconds": round(seconds, 1),
            "pages_per_s": round(pages / seconds, 1), "peak_rss_mb": round(peak[0] / 2**20),
            "peak_pss_mb": round(peak[1] / 2**20), "peak_main_rss_mb": round(peak[2] / 2**20),
            "pss_mb_at_peak_by_process": {r: round(b / 2**20) for r, b in sorted(at_peak.items())},
            "cpu_s_by_process": {r: round(sum(c for rr, c in cpu.values() if rr == r), 1)
                                 for r in sorted({rr for rr, _ in cpu.values()})},
            "result": stdout.strip().splitlines()[-1] if stdout.strip() else ""}


def _run_flow(out: str, workers: int, runs: int, sources: list[str]) -> None:
    """The child process of a `--via flow` case: what `medcodes run --workers N` does, `runs`
    times in one process, so the unchanged re-runs are timed without Prefect's start-up."""
    from medcodes.api_server import api_server_for_run
    from medcodes.prefect_env import configure_prefect_environment
    from medcodes.process import tune_memory_allocators

    tune_memory_allocators()  # as the CLI
    configure_prefect_environment()
    with api_server_for_run() as api_ready:  # as the CLI: the API server boots while the imports run
        from flows.refresh import refresh
        from flows.runners import task_runner_for
        from medcodes.process import freeze_loaded_objects
        from medcodes.settings import Settings

        freeze_loaded_objects()  # as the CLI does before its run
        api_ready()
        settings = Settings(out_dir=Path(out), workers=workers)
        flow_seconds, reused, unread, batches, stages = [], [], [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            summary = refresh.with_options(task_runner=task_runner_for(settings))(sources, out, {"workers": workers})
            flow_seconds.append(round(time.perf_counter() - started, 2))
            reused.append(summary["pages_reused"])
            unread.append(summary["files_unread"])
            batches.append(summary["parse_batches"])
            stages.append(summary["stage_seconds"])
    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    print(json.dumps({"rows": summary.get("rows"), "cpu_s": round(cpu, 1), "flow_s": flow_seconds,
                      "pages_reused": reused, "files_unread": unread, "parse_batches": batches,
                      "stage_seconds": stages}))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_run"]:
        _run_flow(argv[1], int(argv[2]), int(argv[3]), argv[4:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--via", choices=("flow", "cli"), default="flow")
    parser.add_argument("--startup", action="store_true", help="also time a 1,000-page run (fixed costs)")
    parser.add_argument("--runs", type=int, default=2,
                        help="refreshes per case in one process; runs after the first find nothing changed")
    args = parser.parse_args(argv)
    sizes = ([1_000] if args.startup else []) + args.sizes
    for size in sizes:
        for workers in args.workers:
            print(json.dumps(run_case(args.corpus, size, workers, args.via, args.runs)), flush=True)
    return 0


if __name__ == "__main__":  # the guard matters: Dask's spawned workers re-import this module
    sys.exit(main())
