"""The unbounded pipeline's semantics on the DirectRunner with TestStream (strict equal_to):
a copy in a later window than its original, the same file twice, late files, index expiry."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.io.filesystem import FileMetadata
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to

from pipelines.config import PipelineConfig
from pipelines.core.index import IndexConfig
from pipelines.streaming.unbounded import NewVersions, StreamIngest, WriteWindowed
from tests.conftest import seed

ORIGINAL, COPY, OTHER, LATE = "001", "000", "002", "003"  # seed 000 is a spun copy of 001


def _pipeline() -> TestPipeline:
    """The DirectRunner's streaming engine (BundleBasedDirectRunner): the FnApiRunner the
    batch job uses has no TestStream, and DirectRunner would first try to download Prism."""
    options = PipelineOptions([])
    options.view_as(StandardOptions).streaming = True
    return TestPipeline(runner="BundleBasedDirectRunner", options=options)


@pytest.fixture
def files(tmp_path) -> dict[str, FileMetadata]:
    """Seed files copied under tmp_path, as the matcher would report them."""
    found = {}
    for prefix in (ORIGINAL, COPY, OTHER, LATE):
        path = tmp_path / "in" / seed(prefix).name
        path.parent.mkdir(exist_ok=True)
        shutil.copyfile(seed(prefix), path)
        found[prefix] = FileMetadata(str(path), os.path.getsize(path), 1_700_000_000.0)
    return found


def _add(stream: TestStream, meta: FileMetadata, at: float) -> TestStream:
    return stream.add_elements([beam.window.TimestampedValue((meta.path, meta), at)])


def _finish(events: TestStream) -> None:
    """Past every event, then the end: decisions (watermark timers) fire before the end."""
    events.advance_watermark_to(10**7)
    events.advance_watermark_to_infinity()


def _window_pane(path: str) -> tuple[str, str]:
    """(window start, pane timing) from a written file's name."""
    _, start, _, timing, _ = os.path.basename(path).split("-")
    return start, timing


def _run(events: TestStream, run_ctx, config: PipelineConfig, out: Path | None = None):
    """(article names, (copy, kept) name pairs, written file names) through the pipeline."""
    name = lambda uri: Path(uri).name.split("_")[0]  # noqa: E731
    p = _pipeline()
    tables = (
        p
        | events
        | "NewVersions" >> beam.ParDo(NewVersions()).with_input_types(tuple[str, FileMetadata])
        | "StreamIngest" >> StreamIngest(config, run_ctx)
    )
    articles = tables["articles"] | "ArticleNames" >> beam.Map(lambda a: name(a.source_uri))
    pairs = tables["duplicates"] | "Pairs" >> beam.Map(
        lambda d: (name(d.source_uri), name(d.kept_source_uri))
    )
    written = None
    if out is not None:
        written = (
            tables
            | WriteWindowed(str(out), config.write)
            | beam.Map(lambda path: (os.path.relpath(path, out).split("/")[0], *_window_pane(path)))
        )
    return p, articles, pairs, written


def test_copy_in_a_later_window_is_dropped_and_the_same_file_twice_counts_once(files, run_ctx):
    events = TestStream()
    _add(events, files[ORIGINAL], 10)
    _add(events, files[OTHER], 12)
    events.advance_watermark_to(200)  # the first minute's window has fired
    _add(events, files[COPY], 130)
    _add(events, files[ORIGINAL], 131)  # listed again, same size and mtime
    _finish(events)
    p, articles, pairs, _ = _run(events, run_ctx, PipelineConfig())
    assert_that(articles, equal_to([ORIGINAL, OTHER]), label="articles")
    assert_that(pairs, equal_to([(COPY, ORIGINAL)]), label="duplicates")
    p.run().wait_until_finish()


def test_copies_processed_out_of_order_keep_the_earlier_one(files, run_ctx):
    events = TestStream()
    events.add_elements(  # one bundle: the copy (later event time) is processed first
        [
            beam.window.TimestampedValue((files[COPY].path, files[COPY]), 11),
            beam.window.TimestampedValue((files[ORIGINAL].path, files[ORIGINAL]), 10),
        ]
    )
    _finish(events)
    p, articles, pairs, _ = _run(events, run_ctx, PipelineConfig())
    assert_that(articles, equal_to([ORIGINAL]), label="articles")
    assert_that(pairs, equal_to([(COPY, ORIGINAL)]), label="duplicates")
    p.run().wait_until_finish()


def test_a_late_file_is_written_in_a_late_pane_and_a_late_copy_is_still_dropped(
    files, run_ctx, tmp_path
):
    events = TestStream()
    _add(events, files[ORIGINAL], 10)
    # Decisions wait for the watermark to pass the article (a timer); the DirectRunner does
    # not hold the downstream watermark for timer output, so let it pass 10 inside the minute.
    events.advance_watermark_to(30)
    events.advance_watermark_to(300)  # windows up to 5 minutes have fired
    _add(events, files[LATE], 20)  # behind the watermark, within the allowed lateness
    _add(events, files[COPY], 25)
    _finish(events)
    out = tmp_path / "lake"
    p, articles, pairs, written = _run(events, run_ctx, PipelineConfig(), out)
    assert_that(articles, equal_to([ORIGINAL, LATE]), label="articles")
    assert_that(pairs, equal_to([(COPY, ORIGINAL)]), label="duplicates")
    minute = "19700101T000000Z"  # the first minute of event time
    assert_that(
        written,
        equal_to(  # on time: 001; late panes: 003 and the duplicate row of 000
            [
                ("articles", minute, "ontime"),
                ("articles", minute, "late"),
                ("duplicates", minute, "late"),
            ]
        ),
        label="panes",
    )
    p.run().wait_until_finish()


def test_a_copy_after_the_index_window_is_kept(files, run_ctx):
    one_day = dataclasses.replace(PipelineConfig(), index=IndexConfig(window_days=1))
    events = TestStream()
    _add(events, files[ORIGINAL], 0)
    events.advance_watermark_to(2 * 86_400)  # the original's state entry expires (timer)
    _add(events, files[COPY], 2 * 86_400 + 5)
    _finish(events)
    p, articles, pairs, _ = _run(events, run_ctx, one_day)
    assert_that(articles, equal_to([ORIGINAL, COPY]), label="articles")
    assert_that(pairs, equal_to([]), label="duplicates")
    p.run().wait_until_finish()
