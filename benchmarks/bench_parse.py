"""Per-page CPU of parsing, against plain BeautifulSoup on the same pages in the same run.

Measures process CPU time (not wall time: the machine is shared) of, per page:
  (a) `BeautifulSoup(html, "lxml")`         — the yardstick the targets are stated in
  (b) `lxml.html.fromstring(html)`          — the floor: libxml2 building its C tree
  (c) `extract.parse.parse_page(raw)`       — decode → parse → ParsedPage
  (d) `medcodes.pipeline.process_raw_page`  — decode → parse → transform → record
and prints ms/page plus the ratios (c)/(a) and (d)/(a). Each variant runs `--repeat` rounds
and keeps its best, so a noisy neighbour inflates no figure. Every round reads its own pages
(`--pages` of them; all variants see the same rounds): the parsers keep answers about short
strings (headings, labels, class names) that recur across pages, and a round repeating the
previous round's pages would find even each page's own strings already answered.

    python benchmarks/bench_parse.py --pages 500
    python benchmarks/bench_parse.py --corpus /tmp/corpus --pages 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import lxml.html
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.local import read_local_file, walk_directory  # noqa: E402
from extract.parse import parse_page  # noqa: E402
from extract.rawpage import RawPage  # noqa: E402
from generate_corpus import iter_pages  # noqa: E402
from medcodes.pipeline import process_raw_page  # noqa: E402


def load_pages(count: int, corpus: Path | None, seed: int) -> list[RawPage]:
    """HTML pages from a generated corpus folder, or generated in memory."""
    if corpus is not None:
        paths = [p for p in walk_directory(corpus) if p.suffix == ".html"][:count]
        return [read_local_file(p) for p in paths]
    fetched = datetime(2025, 1, 1, tzinfo=timezone.utc)
    return [RawPage(source_url=f"https://codes.example/{p.relpath}", body=p.body, fetched_at=fetched,
                    content_type="text/html")
            for p in iter_pages(count * 2, seed) if p.layout != "txt"][:count]


def cpu_ms_per_page(run: Callable[[RawPage], object], rounds: list[list[RawPage]]) -> float:
    best = float("inf")
    for pages in rounds:
        started = time.process_time()
        for page in pages:
            run(page)
        best = min(best, (time.process_time() - started) / len(pages))
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--corpus", type=Path, default=None, help="a folder written by generate_corpus.py")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    pages = load_pages(args.pages * args.repeat, args.corpus, args.seed)
    rounds = [pages[i::args.repeat] for i in range(args.repeat)]
    texts = {id(p): p.body.decode("utf-8") for p in pages}  # (a) and (b) parse text, as (c) does
    variants: dict[str, Callable[[RawPage], object]] = {
        "a_bs4_lxml": lambda p: BeautifulSoup(texts[id(p)], "lxml"),
        "b_lxml_fromstring": lambda p: lxml.html.fromstring(texts[id(p)]),
        "c_parse_page": parse_page,
        "d_process_raw_page": process_raw_page,
    }
    figures = {name: cpu_ms_per_page(run, rounds) for name, run in variants.items()}
    kb = sum(len(p.body) for p in pages) / len(pages) / 1024
    print(f"{len(rounds[0])} HTML pages a round, {kb:.1f} KB average, best of {args.repeat} rounds, CPU ms/page:")
    for name, value in figures.items():
        print(f"  {name:<20} {value:7.2f}")
    ratios = {"c/a": figures["c_parse_page"] / figures["a_bs4_lxml"],
              "d/a": figures["d_process_raw_page"] / figures["a_bs4_lxml"]}
    print("  ratios: " + ", ".join(f"{k} = {v:.2f}" for k, v in ratios.items()))
    print(json.dumps({"pages": len(rounds[0]), "avg_kb": round(kb, 1), "ms_per_page": figures, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
