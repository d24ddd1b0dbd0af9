"""ReadArticles: match input globs, keep only regular files, read each up to the size cap.

Matching lists every entry a glob names; only regular files (after resolving links) are
read. FIFOs, devices, sockets, directories, dangling links and link loops are counted as
`skipped` with a reason (the run manifest lists them): reading a FIFO blocks forever and a
link to /dev/zero never ends. A file is never read past `max_article_bytes`, and a read
that is not done after `READ_SECONDS` is abandoned as unreadable: reads run on a reader
thread (`BoundedReader`), so even one `read()` blocked on hung storage cannot hold the run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import re
import stat
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from pipelines.config import ReadConfig
from pipelines.core.records import RawFile
from pipelines.lake import layout
from pipelines.lake.guards import inside, literal_base
from pipelines.lake.opener import FileOpener
from pipelines.run_context import RunContext
from pipelines.transforms.common import QUARANTINE, quarantine
from pipelines.transforms.late import LateList, Listed, create_list

SKIPPED = "skipped"
_CHUNK = 1024 * 1024
_FILES_MATCHED = Metrics.counter("spindrift", "files_matched")
_FILES_READ = Metrics.counter("spindrift", "files_read")
_BYTES_READ = Metrics.counter("spindrift", "bytes_read")
# A regular file of at most max_article_bytes (10 MiB) reads in well under a second even
# from a slow disk; a read still going after this long is on hung storage: give up on it.
READ_SECONDS = 60.0


def glob_regex(pattern: str) -> re.Pattern:
    """A compiled regex for a glob: `**` any path, `*` and `?` within one path segment.

    Unlike Beam's translation, `*` matches a backslash: on POSIX it is an ordinary file name
    character (Beam silently skipped `a\\b.txt` under `DIR/*`).
    """
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if i < n and pattern[i] == "*":
                out.append(".*")
                i += 1
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(r"\[")
                continue
            body = pattern[i:j].replace("\\", "\\\\")
            i = j + 1
            if body.startswith("!"):
                body = "^" + body[1:]
            elif body.startswith("^"):
                body = "\\" + body
            out.append(f"[{body}]")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out) + r"\Z", re.S)


def skip_reason(path: str) -> str | None:
    """Why a local path is not read, or None for a regular file (or one that vanished: the
    reader records that)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "dangling_link" if os.path.islink(path) else None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "link_loop"
        return None  # e.g. permission denied: the reader quarantines it as unreadable
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "not_regular"


def match_local(pattern: str, exclude: str | None = None) -> Iterator[tuple[str, str | None]]:
    """(path, skip reason or None) of every entry a local glob matches, outside `exclude`.

    A listing error (an unreadable folder) is raised, never read as "no files".
    """
    if not any(ch in pattern for ch in layout.GLOB_CHARS):
        if os.path.lexists(pattern) and not (exclude and inside(pattern, exclude)):
            yield pattern, skip_reason(pattern)
        return
    base = literal_base(pattern)
    if not os.path.isdir(base) or (exclude and inside(base, exclude)):
        return
    regex = glob_regex(pattern)
    # Without `**` a pattern cannot match deeper than its own number of segments.
    depth = None if "**" in pattern else pattern.count("/")

    def fail(exc: OSError) -> None:
        raise exc

    for folder, dirs, names in os.walk(base, onerror=fail):
        if exclude:
            dirs[:] = [d for d in dirs if not inside(os.path.join(folder, d), exclude)]
        for name in sorted((*dirs, *names)):
            path = os.path.join(folder, name)
            if regex.match(path):
                yield path, skip_reason(path)
        if depth is not None and folder.count("/") + 1 >= depth:
            dirs[:] = []


class MatchFn(beam.DoFn):
    """Pattern -> FileMetadata of each regular file; (path, reason) on `skipped` otherwise."""

    def __init__(self, exclude: str | None) -> None:
        self._exclude = exclude
        self._skipped = Metrics.counter("spindrift", "files_skipped")

    def process(self, pattern: str) -> Iterator[FileMetadata | beam.pvalue.TaggedOutput]:
        if not layout.is_local(pattern):
            for meta in FileSystems.match([pattern])[0].metadata_list:
                if not (self._exclude and inside(meta.path, self._exclude)):
                    yield meta
            return
        for path, reason in match_local(pattern, self._exclude):
            if reason is None:
                yield FileMetadata(path, 0)  # size: fstat when read
            else:
                self._skipped.inc()
                yield beam.pvalue.TaggedOutput(SKIPPED, (path, reason))


class NotRegularError(OSError):
    """The path was no regular file when opened (it changed since it was matched)."""


def _read_local(path: str, want: int, deadline: float) -> tuple[bytes, int]:
    # O_NONBLOCK: opening a FIFO swapped in after matching must not block; fstat then proves
    # the opened object is a regular file before a single byte is read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularError(f"{path} is not a regular file when opened")
        os.set_blocking(fd, True)
        kept = bytearray()
        while len(kept) < want:
            chunk = os.read(fd, min(_CHUNK, want - len(kept)))
            if not chunk:
                break
            kept += chunk
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {path} took over {READ_SECONDS:.0f} s")
        return bytes(kept), max(info.st_size, len(kept))
    finally:
        os.close(fd)


def _read_remote(
    files: FileOpener, path: str, want: int, size: int, deadline: float
) -> tuple[bytes, int]:
    kept = bytearray()
    with files.open(path) as handle:
        while len(kept) < want:
            chunk = handle.read(min(_CHUNK, want - len(kept)))
            if not chunk:
                break
            kept += chunk
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {path} took over {READ_SECONDS:.0f} s")
    return bytes(kept), max(size, len(kept))


class BoundedReader:
    """Runs reads on one daemon thread and waits at most `seconds` for each. A read that
    overruns raises TimeoutError here; its thread, blocked in the kernel, is left behind
    (daemon: it does not keep the process alive) and the next read gets a fresh thread.
    Costs a queue hand-off per file (~20 us), not a thread per file."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._requests: queue.SimpleQueue | None = None

    def _start(self) -> queue.SimpleQueue:
        requests: queue.SimpleQueue = queue.SimpleQueue()

        def serve() -> None:
            while True:
                fn, args, answer = requests.get()
                try:
                    answer.put((True, fn(*args)))
                except BaseException as exc:  # handed back to the caller, raised there
                    answer.put((False, exc))

        threading.Thread(target=serve, name="bounded-reader", daemon=True).start()
        return requests

    def __call__(self, fn: Callable, *args):
        if self._requests is None:
            self._requests = self._start()
        answer: queue.SimpleQueue = queue.SimpleQueue()
        self._requests.put((fn, args, answer))
        try:
            ok, value = answer.get(timeout=self._seconds)
        except queue.Empty:
            self._requests = None  # that thread is stuck: the next read starts another
            raise TimeoutError(f"no answer within {self._seconds:.0f} s") from None
        if not ok:
            raise value
        return value


def _unreadable_id(path: str) -> str | None:
    """Ledger identity of a file that cannot be read: its path, size and mtime (so it is
    quarantined once, and again only once it changes); None when even stat fails."""
    try:
        info = os.stat(path) if layout.is_local(path) else None
    except OSError:
        return None
    if info is None:
        return None
    key = f"{path}|{info.st_size}|{info.st_mtime_ns}".encode()
    return "u" + hashlib.sha256(key).hexdigest()[:19]


class ReadFileFn(beam.DoFn):
    """FileMetadata -> RawFile, or a Quarantined record (unreadable, vanished, too_large)."""

    def __init__(self, config: ReadConfig, run: RunContext) -> None:
        self._config = config
        self._run = run
        self._reader: BoundedReader | None = None
        self._files: FileOpener | None = None

    def setup(self) -> None:
        self._reader = BoundedReader(READ_SECONDS)
        self._files = FileOpener()

    def process(self, metadata: FileMetadata) -> Iterator[RawFile | beam.pvalue.TaggedOutput]:
        path = metadata.path
        limit = self._config.max_article_bytes
        deadline = time.monotonic() + READ_SECONDS
        try:
            if self._reader is None:
                self._reader = BoundedReader(READ_SECONDS)
            if self._files is None:
                self._files = FileOpener()
            if layout.is_local(path):
                data, size = self._reader(_read_local, path, limit + 1, deadline)
            else:
                args = (self._files, path, limit + 1, metadata.size_in_bytes, deadline)
                data, size = self._reader(_read_remote, *args)
        except Exception as exc:
            vanished = isinstance(exc, FileNotFoundError) or not FileSystems.exists(path)
            kind = "vanished" if vanished else "unreadable"
            input_id = None if vanished else _unreadable_id(path)
            message = f"{type(exc).__name__}: {exc}"
            yield quarantine(self._run, path, kind, message, input_id=input_id)
            return
        _BYTES_READ.inc(len(data))
        if len(data) > limit:
            # Never read further: hash and keep what the cap allows, and record the size.
            prefix = data[:limit]
            sha = hashlib.sha256(prefix).hexdigest()
            yield quarantine(
                self._run,
                path,
                "too_large",
                f"{size} bytes exceeds max_article_bytes={limit} (sha256 of the first {limit})",
                raw=prefix[: self._config.raw_cap],
                raw_size=size,
                raw_sha256=sha,
                input_id=hashlib.sha256(f"{sha}:{size}".encode()).hexdigest()[:20],
            )
            return
        _FILES_READ.inc()
        yield RawFile(
            source_uri=path, data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest()
        )


class ReadFiles(beam.PTransform):
    """PCollection[FileMetadata] -> outputs `files` (RawFile) and `quarantine` (Quarantined)."""

    def __init__(self, config: ReadConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, metadata: beam.PCollection[FileMetadata]) -> beam.pvalue.DoOutputsTuple:
        return metadata | "Read" >> beam.ParDo(ReadFileFn(self._config, self._run)).with_outputs(
            QUARANTINE, main="files"
        )


class ReadArticles(beam.PTransform):
    """Input globs -> {'files', 'quarantine', 'matched' (paths), 'skipped' ((path, reason))}.

    Patterns are canonicalised (absolute, normalized) so a file has one `source_uri` however
    the glob spells it; the lake's own folder (`run.output`) is never matched. Each matched
    regular file is read once even when several globs match it and ends in exactly one of
    `files` or `quarantine`; `matched` holds the distinct paths, for reconciliation.
    """

    def __init__(self, patterns: Listed, config: ReadConfig, run: RunContext) -> None:
        """`patterns`: a list, or a LateList of canonical patterns read when the job runs."""
        super().__init__()
        self._patterns = (
            patterns if isinstance(patterns, LateList) else [layout.canonical(p) for p in patterns]
        )
        self._config = config
        self._run = run

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        exclude = layout.canonical(self._run.output)
        matches = create_list(pbegin, "Patterns", self._patterns) | "Match" >> beam.ParDo(
            MatchFn(exclude)
        ).with_outputs(SKIPPED, main="files")
        metadata, skipped = matches.files, matches[SKIPPED]
        if isinstance(self._patterns, LateList) or len(self._patterns) > 1:
            # Only several patterns can match one path twice; one glob lists each path once,
            # and skipping the shuffle saves a pass over every path before reading starts.
            metadata = (
                metadata
                | "KeyByPath" >> beam.Map(lambda m: (m.path, m))
                | "DistinctPaths" >> beam.CombinePerKey(_first)
                | "Metadata" >> beam.Values()
            )
            skipped = (
                skipped
                | "KeySkipped" >> beam.Map(lambda s: (s[0], s))
                | "DistinctSkipped" >> beam.CombinePerKey(_first)
                | "Skipped" >> beam.Values()
            )
        read = (
            metadata
            # Break fusion after matching so distributed runners spread the reads over workers.
            | "Spread" >> _Spread()
            | "ReadFiles" >> ReadFiles(self._config, self._run)
        )
        return {
            "files": read.files,
            "quarantine": read[QUARANTINE],
            "matched": metadata | "Paths" >> beam.Map(_matched_path),
            "skipped": skipped,
        }


def _first(values: Iterable):
    return next(iter(values))


def _matched_path(metadata: FileMetadata) -> str:
    _FILES_MATCHED.inc()
    return metadata.path


class _Spread(beam.PTransform):
    """FileMetadata -> the same, redistributed over workers (a fusion break).

    Like beam.Reshuffle, but keyed by a hash of the path into a fixed number of buckets and
    without Reshuffle's per-element timestamp/window bookkeeping, which cost ~40 us per file
    on the DirectRunner: matched files are in the global window with no timestamps to keep.
    """

    BUCKETS = 1024

    def expand(self, metadata: beam.PCollection[FileMetadata]) -> beam.PCollection[FileMetadata]:
        buckets = self.BUCKETS
        return (
            metadata
            | "KeyByBucket" >> beam.Map(lambda m: (zlib.crc32(m.path.encode("utf-8")) % buckets, m))
            | "Group" >> beam.GroupByKey()
            | "Ungroup" >> beam.FlatMap(lambda kv: kv[1])
        )
