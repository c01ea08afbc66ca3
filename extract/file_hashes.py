"""Local files' sha256 remembered by their `stat` between runs, so a nightly run over an
unchanged folder need not read and hash every file again.

git's index does the same: a file whose size, modification time, change time, inode and
device are those recorded when its bytes were hashed is taken to hold the same bytes. The
change time (ctime) is the guard: any write, and any `touch -d`, `cp -p` or `rsync -t`
that puts an old modification time back, moves it, and no user tool can set it.

Two races are closed the way git closes them:
- the `stat` is taken *before* the file is read, so a write landing between the two leaves
  a recorded stat the file no longer has (the next run hashes it again), never a wrong hash;
- a file whose ctime is less than `RACY_MARGIN_NS` older than the moment it was hashed is
  not recorded: where timestamps are coarse (2 s on FAT, 1 s on some network file systems),
  a second write in the same tick would leave every recorded field unchanged.

The cache holds the files of the last run, in `DIR/raw/file_hashes.parquet`, replaced
atomically. It only spares reading: whether a page's rows are reused is still decided by
its `content_sha256` against the previous snapshot (`medcodes.carryover`). `--rehash`
(`Settings.rehash`) ignores it for one run.
"""

from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extract.rawpage import RawPage

log = logging.getLogger(__name__)

CACHE_NAME = "file_hashes.parquet"
RACY_MARGIN_NS = 2_000_000_000
_STAMP = struct.Struct("<QqqQQ")  # size, mtime_ns, ctime_ns, inode, device
_STAMP_COLUMNS = ("size", "mtime_ns", "ctime_ns", "inode", "device")
_SCHEMA = pa.schema([("path", pa.string()), ("size", pa.uint64()), ("mtime_ns", pa.int64()),
                     ("ctime_ns", pa.int64()), ("inode", pa.uint64()), ("device", pa.uint64()),
                     ("sha256", pa.string()), ("source_url", pa.string())])


@dataclass(frozen=True, slots=True)
class UnchangedFile:
    """A local file whose stat matches the cache: its bytes' sha256 is known without reading
    it, and so is the `source_url` its `RawPage` had (kept: `Path.as_uri` costs more than
    the rest of a cache hit)."""

    path: str
    url: str
    sha256: str


def _stamp(stat: os.stat_result) -> bytes:
    return _STAMP.pack(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


Entry = tuple[bytes, str]  # (stat fields and the 32-byte digest, packed; source_url)


class FileHashes:
    """The previous run's stat → sha256 entries (`known`) and this run's (`seen`), by path.

    Stat fields and digest are packed in one bytes object: ~100 bytes a file rather than
    ~350 as Python ints and a hex string, on 200k files."""

    def __init__(self, known: dict[str, Entry] | None = None, racy_margin_ns: int = RACY_MARGIN_NS) -> None:
        self._known = known or {}
        self._seen: dict[str, Entry] = {}
        self._racy_margin_ns = racy_margin_ns

    @classmethod
    def load(cls, raw_dir: Path, racy_margin_ns: int = RACY_MARGIN_NS) -> "FileHashes":
        """The cache in `raw_dir`; empty when there is none or it cannot be read (logged):
        a lost cache costs one run of reading every file, never a wrong row."""
        path = raw_dir / CACHE_NAME
        try:
            table = pq.read_table(path, schema=_SCHEMA)
        except FileNotFoundError:
            return cls(racy_margin_ns=racy_margin_ns)
        except (OSError, pa.ArrowException) as exc:
            log.warning("ignoring unreadable file-hash cache %s (%s): every file is read and hashed", path, exc)
            return cls(racy_margin_ns=racy_margin_ns)
        columns = [table.column(name).to_pylist() for name in ("path", *_STAMP_COLUMNS, "sha256", "source_url")]
        known = {path: (_STAMP.pack(*stamp) + bytes.fromhex(sha), url) for path, *stamp, sha, url in zip(*columns)}
        return cls(known, racy_margin_ns)

    def lookup(self, path: str | Path, stat: os.stat_result) -> UnchangedFile | None:
        """The file as unchanged if its stat is the one recorded with its hash (and keep the entry)."""
        name = os.fspath(path)
        entry = self._known.get(name)
        if entry is None or entry[0][:_STAMP.size] != _stamp(stat):
            return None
        self._seen[name] = entry
        return UnchangedFile(path, entry[1], entry[0][_STAMP.size:].hex())

    def record(self, path: str | Path, stat: os.stat_result, page: RawPage, stat_taken_ns: int) -> None:
        """Remember a file read this run; `stat` was taken at `stat_taken_ns`, before reading."""
        if stat.st_ctime_ns < stat_taken_ns - self._racy_margin_ns:
            self._seen[os.fspath(path)] = (_stamp(stat) + bytes.fromhex(page.sha256), page.source_url)

    def __len__(self) -> int:
        return len(self._seen)

    def save(self, raw_dir: Path) -> None:
        """Replace the cache with this run's entries (temp file, then `os.replace`)."""
        entries = self._seen.values()
        stamps = [_STAMP.unpack_from(packed) for packed, _ in entries]
        columns = {"path": list(self._seen), **{name: [s[i] for s in stamps] for i, name in enumerate(_STAMP_COLUMNS)},
                   "sha256": [packed[_STAMP.size:].hex() for packed, _ in entries],
                   "source_url": [url for _, url in entries]}
        raw_dir.mkdir(parents=True, exist_ok=True)
        temporary = raw_dir / f".{CACHE_NAME}.{os.getpid()}.tmp"
        pq.write_table(pa.table(columns, schema=_SCHEMA), temporary)
        os.replace(temporary, raw_dir / CACHE_NAME)
