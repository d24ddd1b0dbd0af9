"""The ingest transforms in an unbounded Beam pipeline, for runners that stream (Dataflow
streaming, Flink). Only run on the DirectRunner with TestStream here (tests/test_streaming_
unbounded.py): the local runners cannot publish incrementally (see watch.py, README).

    PeriodicImpulse -> MatchAll -> NewVersions -> ReadFiles -> DecodeText -> NormalizeHeaders
      -> TagLanguage -> TagDate -> StreamDedup -> WriteWindowed

- **Source** (`WatchFiles`): every `interval` seconds the patterns are matched again; a
  stateful step keyed by path lets each (size, mtime) version of a file through once, stamped
  with its modification time (event time).
- **Duplicates** (`StreamDedup`): each article's signature goes to every one of its LSH band
  keys (and its exact and long-line keys); a stateful DoFn per key keeps the signatures seen
  there in Beam state and verifies each newcomer against them with the batch job's `verify`.
  Of a verified pair the later one, by (event time, uid), is dropped: the same rule on every
  key, so two copies processed in different orders on different keys never drop each other.
  Entries expire after the index window (`IndexConfig.window_days`) of event time: a copy
  arriving later than that is kept, as a batch run whose index evicted the original keeps it. A
  watermark timer clears expired entries. Each article's verdicts (one per key) meet in a
  second stateful DoFn keyed by the article, which decides once all have arrived (so the
  decision does not depend on windows or triggers) and ignores a redelivered article.
- **Writes** (`WriteWindowed`): fixed windows of event time, fired at the watermark and again
  for late data (`allowed_lateness`); each pane writes its own files (names carry the window
  and pane index), moved into place whole. There is no snapshot commit: a reader of this
  output reads the folders.

Not the same as a batch run: boilerplate removal needs a whole batch's line repetition counts
(a global combine) and is not applied; survivors are chosen by arrival (event time), not by
publication date and originality; an original arriving *late* (behind the watermark) after its
copy was decided is kept beside it (nothing is ever lost); rows carry the pipeline's start as
ingested_at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.io import fileio
from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms import window
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import PaneInfoTiming

from pipelines.config import PipelineConfig, WriteConfig
from pipelines.core import near_dup as nd
from pipelines.core import schema
from pipelines.core.records import Article, Duplicate
from pipelines.run_context import RunContext
from pipelines.transforms.common import QUARANTINE as QUARANTINE_TAG
from pipelines.transforms.dedup import article_features, split_uid, uid
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadFiles
from pipelines.transforms.tag import TagDate, TagLanguage
from pipelines.transforms.write import article_partition, write_parquet

DAY_SECONDS = 86_400
# Panes of the written tables: one set of files per minute of event time (and per late pane).
WINDOW_SECONDS = 60
# Files stamped up to this long behind the watermark are still written (a late pane).
ALLOWED_LATENESS_SECONDS = 3_600
_NAMESPACE = "spindrift.stream"


# Beam's state and timer declarations, as module singletons (DoFn parameter defaults).
_VERSION = ReadModifyWriteStateSpec("version", PickleCoder())
_SEEN = BagStateSpec("seen", PickleCoder())
_EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)
_PENDING = BagStateSpec("pending", PickleCoder())
_DONE = ReadModifyWriteStateSpec("done", PickleCoder())
_FORGET = TimerSpec("forget", TimeDomain.WATERMARK)
_READY = ReadModifyWriteStateSpec("ready", PickleCoder())
_DECIDE = TimerSpec("decide", TimeDomain.WATERMARK)
_VERSION_STATE = beam.DoFn.StateParam(_VERSION)
_SEEN_STATE = beam.DoFn.StateParam(_SEEN)
_EXPIRY_TIMER = beam.DoFn.TimerParam(_EXPIRY)
_PENDING_STATE = beam.DoFn.StateParam(_PENDING)
_DONE_STATE = beam.DoFn.StateParam(_DONE)
_FORGET_TIMER = beam.DoFn.TimerParam(_FORGET)
_READY_STATE = beam.DoFn.StateParam(_READY)
_DECIDE_TIMER = beam.DoFn.TimerParam(_DECIDE)


class _Entry(NamedTuple):
    """What a band key's state keeps of an article (no body)."""

    uid: str
    ts: float  # event time, seconds
    published_date: dt.date | None
    signature: nd.Signature


class _Verdict(NamedTuple):
    """One key's answer for the article it was computed for: the earliest earlier copy
    stored under that key, or none."""

    kept: tuple[float, str] | None  # (event time, uid) of the earlier copy
    similarity: float = 0.0
    method: str = ""
    kept_date: dt.date | None = None


class _Pair(NamedTuple):
    """Sent to a stored article when a newcomer with an earlier (event time, uid) matches it."""

    kept: tuple[float, str]
    similarity: float
    method: str
    kept_date: dt.date | None


class _Head(NamedTuple):
    """The article itself, and how many verdicts (one per candidate key) it waits for."""

    keys: int
    article: Article


class NewVersions(beam.DoFn):
    """(path, FileMetadata) -> FileMetadata, once per (size, mtime) of each path."""

    def __init__(self) -> None:
        self._repeats = Metrics.counter(_NAMESPACE, "files_seen_again")

    def process(self, item: tuple[str, FileMetadata], version=_VERSION_STATE):
        _, metadata = item
        current = (metadata.size_in_bytes, metadata.last_updated_in_seconds)
        if version.read() == current:
            self._repeats.inc()
            return
        version.write(current)
        yield metadata


class WatchFiles(beam.PTransform):
    """PBegin -> FileMetadata of each new or changed file, stamped with its mtime."""

    def __init__(
        self, patterns: Sequence[str], interval: float = 1.0, stop: float | None = None
    ) -> None:
        super().__init__()
        self._patterns = list(patterns)
        self._interval = interval
        self._stop = stop

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[FileMetadata]:
        patterns = self._patterns
        stop = self._stop if self._stop is not None else Timestamp.of(2**40)
        return (
            pbegin
            | "Impulse" >> PeriodicImpulse(fire_interval=self._interval, stop_timestamp=stop)
            | "Patterns" >> beam.FlatMap(lambda _: patterns)
            | "Match" >> fileio.MatchAll(fileio.EmptyMatchTreatment.ALLOW)
            | "GlobalWindow" >> beam.WindowInto(window.GlobalWindows())
            | "ByPath" >> beam.Map(lambda m: (m.path, m))
            | "NewVersions" >> beam.ParDo(NewVersions()).with_input_types(tuple[str, FileMetadata])
            | "Stamp"
            >> beam.Map(
                lambda m: window.TimestampedValue(m, m.last_updated_in_seconds)
            ).with_output_types(FileMetadata)
        )


class _KeysFn(beam.DoFn):
    """Article -> (band key, _Entry) per candidate key, and (uid, article) for the decision."""

    def __init__(self, config: nd.NearDupConfig) -> None:
        self._config = config

    def process(self, article: Article, ts=beam.DoFn.TimestampParam):
        sig, _ = article_features(
            article.body, article.language, article.title, article.article_id, self._config
        )
        keys = sorted(set(nd.candidate_keys(sig, self._config)))
        entry = _Entry(uid(article), float(ts), article.published_date, sig)
        yield beam.pvalue.TaggedOutput("article", (entry.uid, _Head(len(keys), article)))
        for key in keys:
            yield key, entry


class BandStateFn(beam.DoFn):
    """(band key, _Entry) -> (uid, _Verdict): verify a newcomer against the key's state.

    State: the entries seen under this key; a watermark timer drops those older than the
    index window. Runs in the global window, so the state spans every window.
    """

    def __init__(self, config: nd.NearDupConfig, expiry_seconds: float) -> None:
        self._config = config
        self._expiry = expiry_seconds
        self._expired = Metrics.counter(_NAMESPACE, "index_entries_expired")

    def process(
        self,
        item: tuple[int, _Entry],
        seen=_SEEN_STATE,
        expiry=_EXPIRY_TIMER,
    ) -> list[tuple[str, _Verdict]]:
        _, new = item
        stored = list(seen.read())
        if any(old.uid == new.uid for old in stored):
            return []  # the same article again (a redelivery): its verdicts are out already
        return self._verdict(new, stored, seen, expiry)

    def _verdict(self, new: _Entry, stored: list[_Entry], seen, expiry) -> list:
        best: tuple[tuple[float, str], nd.Match, _Entry] | None = None
        out: list = []
        for old in stored:
            if abs(new.ts - old.ts) > self._expiry:
                continue  # expired, as the batch index would have evicted it
            match = nd.verify(new.signature, old.signature, self._config)
            if match is None:
                continue
            if (old.ts, old.uid) < (new.ts, new.uid):
                if best is None or (old.ts, old.uid) < best[0]:
                    best = ((old.ts, old.uid), match, old)
            else:  # the newcomer is the earlier one: the stored article is its copy
                pair = _Pair((new.ts, new.uid), match.similarity, match.method, new.published_date)
                out.append(window.TimestampedValue((old.uid, pair), old.ts))
        seen.add(new)
        expiry.set(Timestamp.of(new.ts + self._expiry + 1))
        if best is None:
            out.append((new.uid, _Verdict(None)))
        else:
            kept, match, old = best
            verdict = _Verdict(kept, match.similarity, match.method, old.published_date)
            out.append((new.uid, verdict))
        return out

    @on_timer(_EXPIRY)
    def expire(self, seen=_SEEN_STATE, fired=beam.DoFn.TimestampParam):
        now = float(fired)
        stored = list(seen.read())
        alive = [e for e in stored if now - e.ts <= self._expiry]
        self._expired.inc(len(stored) - len(alive))
        seen.clear()
        for e in alive:
            seen.add(e)
        return []


class DecideFn(beam.DoFn):
    """(uid, _Head | _Verdict | _Pair) -> Article or Duplicate, once per article.

    An article is decided when every one of its keys has answered *and* the watermark has
    passed its event time: by then every article with an earlier (event time, uid) that
    arrived on time has been through the band state, and any of them that matched it has
    sent a _Pair. So the decision does not depend on processing order. The earliest matching
    copy wins. A redelivered article (uid already decided) is ignored; a _Pair arriving after
    the decision (an earlier original arriving late) is counted, and both stay kept.
    """

    def __init__(self, expiry_seconds: float) -> None:
        self._expiry = expiry_seconds
        self._articles = Metrics.counter("spindrift", "articles")
        self._redelivered = Metrics.counter(_NAMESPACE, "articles_redelivered")
        self._late_pairs = Metrics.counter(_NAMESPACE, "late_originals_kept")

    def process(
        self,
        item: tuple[str, Any],
        ts=beam.DoFn.TimestampParam,
        pending=_PENDING_STATE,
        done=_DONE_STATE,
        ready=_READY_STATE,
        decide=_DECIDE_TIMER,
        forget=_FORGET_TIMER,
    ):
        _, message = item
        if done.read():
            if isinstance(message, _Head):
                self._redelivered.inc()
            elif isinstance(message, _Pair):
                self._late_pairs.inc()
            return
        pending.add(message)
        if isinstance(message, _Head):
            decide.set(ts)
        if ready.read():
            yield from self._decide(float(ts), pending, done, forget)

    @on_timer(_DECIDE)
    def watermark_passed(
        self,
        fired=beam.DoFn.TimestampParam,
        pending=_PENDING_STATE,
        done=_DONE_STATE,
        ready=_READY_STATE,
        forget=_FORGET_TIMER,
    ):
        ready.write(True)
        yield from self._decide(float(fired), pending, done, forget)

    def _decide(self, ts: float, pending, done, forget):
        messages = list(pending.read())
        heads = [m for m in messages if isinstance(m, _Head)]
        verdicts = [m for m in messages if isinstance(m, _Verdict)]
        if not heads or len(verdicts) < heads[0].keys:
            return
        article = heads[0].article
        pending.clear()
        done.write(True)
        forget.set(Timestamp.of(ts + self._expiry + 1))
        found = [m for m in messages if isinstance(m, _Verdict | _Pair) and m.kept is not None]
        if not found:
            self._articles.inc()
            yield article
            return
        verdict = min(found, key=lambda v: v.kept)
        Metrics.counter("spindrift.duplicates", verdict.method).inc()
        yield beam.pvalue.TaggedOutput("duplicates", _duplicate(article, verdict))

    @on_timer(_FORGET)
    def forget_done(self, done=_DONE_STATE, ready=_READY_STATE):
        done.clear()
        ready.clear()
        return []


def _duplicate(article: Article, verdict: _Verdict | _Pair) -> Duplicate:
    kept_id, kept_uri = split_uid(verdict.kept[1])
    return Duplicate.of(
        article,
        kept_id,
        kept_uri,
        verdict.similarity,
        verdict.method,
        article.run_id,
        verdict.kept_date,
    )


class Deduplicated(NamedTuple):
    articles: beam.PCollection
    duplicates: beam.PCollection


class StreamDedup(beam.PTransform):
    """Article (timestamped) -> Deduplicated(articles, duplicates); state in Beam state."""

    def __init__(self, config: nd.NearDupConfig, expiry_seconds: float) -> None:
        super().__init__()
        self._config = config
        self._expiry = expiry_seconds

    def expand(self, articles: beam.PCollection[Article]) -> Deduplicated:
        keyed = (
            articles
            | "GlobalWindow" >> beam.WindowInto(window.GlobalWindows())
            | "Keys" >> beam.ParDo(_KeysFn(self._config)).with_outputs("article", main="bands")
        )
        verdicts = keyed.bands | "BandState" >> beam.ParDo(BandStateFn(self._config, self._expiry))
        decided = (
            (keyed.article, verdicts)
            | "Messages" >> beam.Flatten()
            | "Decide"
            >> beam.ParDo(DecideFn(self._expiry))
            .with_input_types(tuple[str, Any])
            .with_outputs("duplicates", main="articles")
        )
        return Deduplicated(decided.articles, decided.duplicates)


class StreamIngest(beam.PTransform):
    """FileMetadata (timestamped) -> {'articles', 'duplicates', 'quarantine'}: the batch job's
    per-file stages, then StreamDedup with the index window as the state's expiry."""

    def __init__(self, config: PipelineConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, files: beam.PCollection[FileMetadata]) -> dict[str, beam.PCollection]:
        config, run = self._config, self._run
        read = files | "ReadFiles" >> ReadFiles(config.read, run)
        decoded = read.files | "DecodeText" >> DecodeText(config.decode, run)
        normalized = decoded.decoded | "NormalizeHeaders" >> NormalizeHeaders(config.header, run)
        tagged = (
            normalized.articles
            | "TagLanguage" >> TagLanguage(config.language)
            | "TagDate" >> TagDate(run)
        )
        expiry = config.index.window_days * DAY_SECONDS
        deduped = tagged | "StreamDedup" >> StreamDedup(config.dedup, expiry)
        quarantine = (
            read[QUARANTINE_TAG],
            decoded.quarantine,
            normalized.quarantine,
        ) | "CollectQuarantine" >> beam.Flatten()
        return {
            "articles": deduped.articles,
            "duplicates": deduped.duplicates,
            "quarantine": quarantine,
        }


_TIMING = {
    PaneInfoTiming.EARLY: "early",
    PaneInfoTiming.ON_TIME: "ontime",
    PaneInfoTiming.LATE: "late",
}


class _WritePaneFn(beam.DoFn):
    """((kind, partition), rows) of one window pane -> the path of the file it wrote."""

    def __init__(self, output: str, config: WriteConfig) -> None:
        self._output = output.rstrip("/")
        self._config = config

    def process(
        self,
        item: tuple[tuple[str, str], Iterable[dict]],
        win=beam.DoFn.WindowParam,
        pane=beam.DoFn.PaneInfoParam,
    ) -> Iterator[str]:
        (kind, partition), rows = item
        rows = sorted(rows, key=lambda r: (r["article_id"], r["source_uri"]))
        arrow = (
            schema.article_file_schema() if kind == "articles" else schema.arrow_schema("duplicate")
        )
        start = dt.datetime.fromtimestamp(float(win.start), dt.timezone.utc)
        digest = hashlib.sha256("|".join(r["source_uri"] for r in rows).encode()).hexdigest()
        timing = _TIMING.get(pane.timing, "unknown")
        name = f"part-{start:%Y%m%dT%H%M%SZ}-p{pane.index}-{timing}-{digest[:8]}.parquet"
        folder = f"{self._output}/{kind}/{partition}" if partition else f"{self._output}/{kind}"
        FileSystems.mkdirs(folder) if not FileSystems.exists(folder) else None
        temp, final = f"{folder}/.{name}.tmp", f"{folder}/{name}"
        with FileSystems.create(temp) as handle:
            write_parquet(handle, rows, arrow, self._config)
        FileSystems.rename([temp], [final])  # whole files only: readers never see a part
        yield final


class WriteWindowed(beam.PTransform):
    """{'articles', 'duplicates'} -> paths written, one set of files per window pane."""

    def __init__(self, output: str, config: WriteConfig, window_seconds: int = WINDOW_SECONDS):
        super().__init__()
        self._output = output
        self._config = config
        self._seconds = window_seconds

    def expand(self, tables: dict[str, beam.PCollection]) -> beam.PCollection[str]:
        def articles(a: Article):
            return ("articles", article_partition(a)), a.to_row()

        def duplicates(d: Duplicate):
            return ("duplicates", ""), d.to_row()

        rows = (
            tables["articles"] | "ArticleRows" >> beam.Map(articles),
            tables["duplicates"] | "DuplicateRows" >> beam.Map(duplicates),
        ) | "Rows" >> beam.Flatten()
        return (
            rows
            | "Window"
            >> beam.WindowInto(
                window.FixedWindows(self._seconds),
                allowed_lateness=ALLOWED_LATENESS_SECONDS,
                accumulation_mode=beam.transforms.trigger.AccumulationMode.DISCARDING,
            )
            | "ByFile" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(_WritePaneFn(self._output, self._config)).with_output_types(str)
        )


def build_unbounded(
    pipeline: beam.Pipeline,
    patterns: Sequence[str],
    output: str,
    config: PipelineConfig,
    run: RunContext,
    interval: float = 1.0,
) -> beam.PCollection[str]:
    """The unbounded job: watch `patterns`, ingest, write windowed panes under `output`."""
    files = pipeline | "WatchFiles" >> WatchFiles(patterns, interval)
    tables = files | "StreamIngest" >> StreamIngest(config, run)
    return tables | "WriteWindowed" >> WriteWindowed(output, config.write)
