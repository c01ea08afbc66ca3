"""Fetch throughput: medcodes `crawl` vs Scrapy vs plain httpx on the same local nginx site, in the same run.

    python benchmarks/bench_fetch.py [--pages 5000] [--size 24000] [--concurrency 8] [--rounds 3]

Serves N pages of ~24 KB plus a sitemap from nginx on 127.0.0.1 (one worker process),
falling back to `python -m http.server` when nginx is absent (said in the output: that
server is far slower and bounds every client). Politeness limits are lifted for every
client (no rate limit, no robots, same concurrency). Three peers, each in a fresh process,
taking turns in every round (rotated order) so load from elsewhere hits them alike:

* medcodes: reads the sitemap and **stores** every page (gzip blob + SQLite row), with
  `--processes` fetch processes (`extract.fetch_pool`);
* Scrapy: gets the URL list and keeps nothing (skipped when `scrapy` is not installed);
* plain httpx: one `httpx.AsyncClient`, N tasks doing `client.get` over the URL list,
  keeping nothing — the ceiling of a single-process httpx client.

The report gives each round, the median per peer, and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NGINX_CONF = """
daemon off; worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  types {{ text/html html; application/xml xml; }}
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{ listen 127.0.0.1:{port}; root {root}/site; charset utf-8; }}
}}
"""

WORDS = "procedure patient anesthesia epidural lumbar injection risk recovery needle spine steroid".split()


def make_site(root: Path, pages: int, size: int, port: int) -> list[str]:
    root.chmod(0o755)  # nginx workers run unprivileged and must read the site
    site = root / "site" / "pages"
    site.mkdir(parents=True)
    rng = random.Random(7)
    urls = []
    for i in range(pages):
        text = " ".join(rng.choice(WORDS) for _ in range(size // 7))
        body = f"<!doctype html><html><head><title>CPT {60000 + i}</title></head><body><h1>CPT {60000 + i}</h1><p>{text}</p></body></html>"
        (site / f"cpt_{60000 + i}.html").write_text(body[: size] if len(body) > size else body)
        urls.append(f"http://127.0.0.1:{port}/pages/cpt_{60000 + i}.html")
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    (root / "site" / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
    (root / "urls.txt").write_text("\n".join(urls))
    return urls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, port: int) -> tuple[subprocess.Popen, str]:
    nginx = shutil.which("nginx")
    if nginx:
        (root / "tmp").mkdir()
        (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=port))
        proc = subprocess.Popen([nginx, "-c", str(root / "nginx.conf"), "-p", str(root)], stderr=subprocess.DEVNULL)
        kind = "nginx (1 worker process)"
    else:
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(root / "site")], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        kind = "python -m http.server (nginx not installed)"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, kind
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("benchmark server did not start")


def run_medcodes(root: Path, port: int, concurrency: int, processes: int) -> dict:
    from extract.rawpage import RawPage
    from extract.raw_store import RawStore
    from extract.web import crawl
    from medcodes.settings import Settings

    settings = Settings(out_dir=root, concurrency_per_host=concurrency, requests_per_second=1e9, obey_robots=False)
    started = time.perf_counter()
    run = crawl([f"http://127.0.0.1:{port}/sitemap.xml"], settings, RawStore.for_settings(settings), processes=processes)
    pages = sum(isinstance(item, RawPage) for item in run)
    return result(pages, time.perf_counter() - started)


def run_httpx(urls_file: Path, concurrency: int) -> dict:
    import asyncio
    from collections import Counter

    import httpx

    urls = urls_file.read_text().split()
    statuses: Counter[str] = Counter()

    async def go() -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as client:
            todo = iter(urls)

            async def worker() -> None:
                for url in todo:
                    statuses[str((await client.get(url)).status_code)] += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(go())
    others = {k: v for k, v in statuses.items() if k != "200"}
    return result(statuses["200"], time.perf_counter() - started, **({"other_statuses": others} if others else {}))


def result(pages: int, seconds: float, **extra: object) -> dict:
    return {"pages": pages, "seconds": round(seconds, 2), "pages_per_s": round(pages / seconds), **extra}


SCRAPY_WORKER = """
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
urls = open(sys.argv[1]).read().split()
result = {}
class Bench(scrapy.Spider):
    name = "bench"
    async def start(self):  # Scrapy >= 2.13 entry point
        result["t0"] = time.perf_counter()
        for u in urls:
            yield scrapy.Request(u, callback=self.parse, dont_filter=True)
    def parse(self, response):
        result["n"] = result.get("n", 0) + 1
    def closed(self, reason):
        result["t1"] = time.perf_counter()
c = int(sys.argv[2])
process = CrawlerProcess({"CONCURRENT_REQUESTS": c, "CONCURRENT_REQUESTS_PER_DOMAIN": c, "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
    "COOKIES_ENABLED": False, "RETRY_ENABLED": True})
process.crawl(Bench)
process.start()
secs = result["t1"] - result["t0"]
print(json.dumps({"pages": result.get("n", 0), "seconds": round(secs, 2), "pages_per_s": round(result.get("n", 0) / secs)}))
"""


def scrapy_installed() -> bool:
    try:
        import scrapy  # noqa: F401
    except ImportError:
        return False
    return True


def run_peer(peer: str, root: Path, port: int, concurrency: int, processes: int, round_: int) -> dict:
    """One peer's crawl in a fresh interpreter (no state or warm caches carried between peers)."""
    if peer == "scrapy":
        worker = root / "scrapy_worker.py"
        worker.write_text(SCRAPY_WORKER)
        cmd = [sys.executable, str(worker), str(root / "urls.txt"), str(concurrency)]
    else:
        cmd = [sys.executable, __file__, "--peer", peer, "--root", str(root / f"{peer}{round_}"),
               "--port", str(port), "--concurrency", str(concurrency), "--processes", str(processes)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{peer} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--size", type=int, default=24_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each peer runs once per round, order rotated")
    parser.add_argument("--processes", type=int, default=2, help="medcodes fetch processes (crawl's `processes`)")
    parser.add_argument("--peer", choices=["medcodes", "httpx"], help=argparse.SUPPRESS)  # one peer, in a child
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer == "medcodes":
        return print(json.dumps(run_medcodes(args.root, args.port, args.concurrency, args.processes)))
    if args.peer == "httpx":
        return print(json.dumps(run_httpx(args.root.parent / "urls.txt", args.concurrency)))
    peers = ["medcodes", "scrapy", "httpx"] if scrapy_installed() else ["medcodes", "httpx"]
    with tempfile.TemporaryDirectory() as tmp:
        root, port = Path(tmp), free_port()
        make_site(root, args.pages, args.size, port)
        server, kind = start_server(root, port)
        try:
            print(f"server: {kind}; {args.pages} pages of ~{args.size} bytes; concurrency {args.concurrency};"
                  f" medcodes fetch processes {args.processes}")
            if "scrapy" not in peers:
                print("scrapy: not installed (pip install scrapy)")
            runs: dict[str, list[int]] = {p: [] for p in peers}
            for round_ in range(args.rounds):
                order = peers[round_ % len(peers):] + peers[: round_ % len(peers)]
                for peer in order:
                    got = run_peer(peer, root, port, args.concurrency, args.processes, round_)
                    runs[peer].append(got["pages_per_s"])
                    print(f"round {round_ + 1} {peer:9} {got}", flush=True)
            median = {p: statistics.median(r) for p, r in runs.items()}
            print("| peer | " + " | ".join(f"round {i + 1}" for i in range(args.rounds)) + " | median |")
            for peer in peers:
                print(f"| {peer} | " + " | ".join(str(v) for v in runs[peer]) + f" | {median[peer]:g} |")
            for other in peers[1:]:
                print(f"ratio medcodes/{other} (medians): {median['medcodes'] / median[other]:.2f}x")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
