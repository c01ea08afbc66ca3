"""Fetch throughput: medcodes `crawl` vs Scrapy on the same local nginx site, in the same run.

    python benchmarks/bench_fetch.py [--pages 5000] [--size 24000] [--concurrency 8]

Serves N pages of ~24 KB plus a sitemap from nginx on 127.0.0.1 (one worker process; the
client gets the other core), falling back to `python -m http.server` when nginx is absent
(said in the output: that server is far slower and bounds both clients). Politeness limits
are lifted for both clients (no rate limit, no robots, same concurrency). medcodes reads
the sitemap and stores every page (gzip blob + SQLite row); Scrapy gets the URL list and
keeps nothing, so the comparison favours Scrapy. Scrapy is not a project dependency:
`pip install scrapy` to run it; without it only medcodes is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def run_medcodes(root: Path, port: int, concurrency: int) -> dict:
    from extract.rawpage import RawPage
    from extract.raw_store import RawStore
    from extract.web import crawl
    from medcodes.settings import Settings

    settings = Settings(out_dir=root / "out", concurrency_per_host=concurrency, requests_per_second=1e9, obey_robots=False)
    started = time.perf_counter()
    run = crawl([f"http://127.0.0.1:{port}/sitemap.xml"], settings, RawStore.for_settings(settings))
    pages = sum(isinstance(item, RawPage) for item in run)
    elapsed = time.perf_counter() - started
    return {"pages": pages, "seconds": round(elapsed, 2), "pages_per_s": round(pages / elapsed)}


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


def run_scrapy(root: Path, concurrency: int) -> dict | None:
    try:
        import scrapy  # noqa: F401
    except ImportError:
        return None
    worker = root / "scrapy_worker.py"
    worker.write_text(SCRAPY_WORKER)
    out = subprocess.run([sys.executable, str(worker), str(root / "urls.txt"), str(concurrency)],
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--size", type=int, default=24_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each client; best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, port = Path(tmp), free_port()
        make_site(root, args.pages, args.size, port)
        server, kind = start_server(root, port)
        try:
            print(f"server: {kind}; {args.pages} pages of ~{args.size} bytes; concurrency {args.concurrency}")
            medcodes_runs, scrapy_runs = [], []
            for round_ in range(args.rounds):  # alternate, so load from elsewhere hits both alike
                medcodes_runs.append(run_medcodes(root / f"m{round_}", port, args.concurrency))
                print(f"round {round_ + 1} medcodes: {medcodes_runs[-1]}", flush=True)
                scrapy_runs.append(run_scrapy(root, args.concurrency))
                print(f"round {round_ + 1} scrapy:   {scrapy_runs[-1] or 'not installed (pip install scrapy)'}", flush=True)
            medcodes = max(medcodes_runs, key=lambda r: r["pages_per_s"])
            scrapy = max(scrapy_runs, key=lambda r: r["pages_per_s"]) if scrapy_runs[0] else None
            print(f"best medcodes: {medcodes['pages_per_s']} pages/s")
            if scrapy:
                print(f"best scrapy:   {scrapy['pages_per_s']} pages/s")
                print(f"ratio medcodes/scrapy: {medcodes['pages_per_s'] / scrapy['pages_per_s']:.2f}x")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
