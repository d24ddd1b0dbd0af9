"""Superseding a published survivor (`--supersede`): a later commit's better member replaces
it, copy-on-write in the same commit, and a kill at any point rolls back or forward."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import ingest
from pipelines.core import near_dup as nd
from pipelines.core.index import IndexEntry
from pipelines.core.supersede import Superseded, repoint, superseded_duplicate
from pipelines.lake import files, layout
from pipelines.lake.commit import COMMIT_FILE, STAGED_FILE, plan_commit, recover, staging_folder
from pipelines.lake.state import check_lake, load_state
from pipelines.lake.supersede import stage_supersede
from pipelines.options import parse_args
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.transforms.dedup.features import Features
from pipelines.transforms.dedup.supersede import UNKNOWN_ORIGINALITY, member_originality
from tests import crash, helpers
from tests.conftest import SEEDS, STARTED

ORIGINAL = (SEEDS / "001_9581d82dba44a308.txt").read_text(encoding="utf-8")  # 2020-03-18
SPUN = (SEEDS / "000_09ebb983a3b43bad.txt").read_text(encoding="utf-8")  # its spun copy
# The spun copy without its last three paragraphs: fewer sentences, so less original.
SHORT = "\n\n".join(SPUN.split("\n\n")[:-3])
# Originality of the published bodies (`near_dup.originality`, a function of the article
# alone: the same in any commit).
ORIGINAL_SCORE = 2.110238543689574
SHORT_SCORE = 1.4673246916048779
SIMILARITY_SPUN = 0.736842  # the spun copy against the original (near:skeleton)
SIMILARITY_SHORT = 0.719101


def _lake(tmp_path: Path, first: dict[str, str]) -> tuple[Path, str, dict]:
    """A lake after one batch run (superseding off) over `first` (file name -> text)."""
    src, out = tmp_path / "in", str(tmp_path / "out")
    src.mkdir()
    for name, text in first.items():
        (src / name).write_text(text, encoding="utf-8")
    return src, out, ingest.run(["--input", str(src / "*.txt"), "--output", out]).manifest


def _land(src: Path, name: str, text: str) -> None:
    (src / name).write_text(text, encoding="utf-8")


def _run(src: Path, out: str, *flags: str) -> dict:
    return ingest.run(["--input", str(src / "*.txt"), "--output", out, *flags]).manifest


def _names(out: str, sql: str) -> list[tuple]:
    return [
        tuple(Path(v).name if isinstance(v, str) and v.startswith("/") else v for v in row)
        for row in helpers.table(out, sql)
    ]


def _index(out: str) -> list[tuple]:
    rows = pq.read_table(os.path.join(out, "_index"), columns=["source_uri", "originality"])
    return sorted((Path(r["source_uri"]).name, r["originality"]) for r in rows.to_pylist())


ARTICLES = "select source_uri, published_date, duplicate_count from articles order by 1"
DUPLICATES = (
    "select source_uri, kept_source_uri, similarity, method, kept_is_later from duplicates "
    "order by 1"
)
SUPERSEDED_LAKE = (  # after the earlier-dated original superseded the published copy
    [("original.txt", dt.date(2020, 3, 16), 1)],
    [
        ("copy.txt", "original.txt", SIMILARITY_SPUN, "near:skeleton", False),
        ("copy2.txt", "original.txt", 1.0, "exact", False),  # repointed
    ],
)
FIRST_LAKE = (  # after the first run: the copy published, its byte-identical twin dropped
    [("copy.txt", dt.date(2020, 3, 18), 1)],
    [("copy2.txt", "copy.txt", 1.0, "exact", False)],
)


def _copies_lake(tmp_path: Path) -> tuple[Path, str, dict]:
    """The spun copy and its byte-identical twin published (the twin as its duplicate)."""
    return _lake(tmp_path, {"copy.txt": SPUN, "copy2.txt": SPUN})


def _land_original(src: Path) -> None:
    """The original lands, dated two days before its published copy."""
    _land(src, "original.txt", ORIGINAL.replace("2020-03-18", "2020-03-16"))


def _lake_state(out: str) -> tuple[list[tuple], list[tuple]]:
    return _names(out, ARTICLES), _names(out, DUPLICATES)


def test_an_earlier_dated_original_supersedes_the_published_copy(tmp_path):
    src, out, first = _copies_lake(tmp_path)
    assert _lake_state(out) == FIRST_LAKE
    _land_original(src)
    second = _run(src, out, "--supersede")
    assert _lake_state(out) == SUPERSEDED_LAKE
    assert (second["matched"], second["already_ingested"]) == (3, 2)
    assert (second["articles"], second["duplicates"], second["superseded"]) == (1, 0, 1)
    assert second["counters"]["dedup/superseded"] == 1
    (kept_run,) = {r for (r,) in helpers.table(out, "select distinct kept_run_id from duplicates")}
    assert kept_run == second["run_id"]
    assert _index(out) == [("original.txt", pytest.approx(ORIGINAL_SCORE, rel=1e-12))]
    # The copy's partition file is retired (it held only the copy); the twin's row was
    # rewritten into a new duplicates file; the copy's row is in one of its own.
    assert second["retired_tables"] == sorted(
        f["path"] for f in first["files"] if f["kind"] in ("articles", "duplicates")
    )
    assert check_lake(out)[1] == []
    # Every input accounted for, summed over the runs, and the tables hold that many rows.
    runs = [first, second]
    assert sum(m["articles"] + m["duplicates"] + m["quarantined"] for m in runs) == 3
    assert helpers.table(out, "select count(*) from articles") == [(1,)]
    assert helpers.table(out, "select count(*) from duplicates") == [(2,)]
    # The replaced files stay on disk one commit (readers of the previous snapshot), then go.
    retired = [Path(out) / p for p in second["retired_tables"]]
    assert all(p.exists() for p in retired)
    third = _run(src, out, "--supersede")
    assert (third["already_ingested"], third["superseded"]) == (3, 0)
    assert not any(p.exists() for p in retired)
    assert _lake_state(out) == SUPERSEDED_LAKE


def test_with_superseding_off_the_published_copy_stays(tmp_path):
    src, out, _ = _copies_lake(tmp_path)
    _land_original(src)
    second = _run(src, out)  # a batch run: superseding is off by default
    assert second["superseded"] == 0 and "dedup/superseded" not in second["counters"]
    assert _lake_state(out) == (
        FIRST_LAKE[0],
        [
            ("copy2.txt", "copy.txt", 1.0, "exact", False),
            ("original.txt", "copy.txt", SIMILARITY_SPUN, "near:skeleton", True),
        ],
    )
    assert second["retired_tables"] == []


def test_on_the_same_date_the_more_original_member_supersedes(tmp_path):
    src, out, _ = _lake(tmp_path, {"copy.txt": SHORT})
    assert _index(out) == [("copy.txt", pytest.approx(SHORT_SCORE, rel=1e-12))]
    _land(src, "original.txt", ORIGINAL)
    assert _run(src, out, "--supersede")["superseded"] == 1
    assert _lake_state(out) == (
        [("original.txt", dt.date(2020, 3, 18), 1)],
        [("copy.txt", "original.txt", SIMILARITY_SHORT, "near:skeleton", False)],
    )
    assert check_lake(out)[1] == []


def test_a_less_original_later_member_does_not_supersede(tmp_path):
    src, out, _ = _lake(tmp_path, {"original.txt": ORIGINAL})
    _land(src, "copy.txt", SHORT)
    assert _run(src, out, "--supersede")["superseded"] == 0
    assert _lake_state(out) == (
        [("original.txt", dt.date(2020, 3, 18), 0)],
        [("copy.txt", "original.txt", SIMILARITY_SHORT, "near:skeleton", False)],
    )


def test_an_undated_original_meets_a_dated_copy_on_originality(tmp_path):
    # survivor.py: the best dated and the best undated member meet on originality.
    src, out, _ = _lake(tmp_path, {"copy.txt": SHORT})
    _land(src, "original.txt", ORIGINAL.replace(" date 2020-03-18 ", "", 1))
    assert _run(src, out, "--supersede")["superseded"] == 1
    assert _lake_state(out) == (
        [("original.txt", None, 1)],
        [("copy.txt", "original.txt", SIMILARITY_SHORT, "near:skeleton", False)],
    )


def test_an_index_entry_without_originality_is_superseded_only_by_an_earlier_date():
    row = IndexEntry("a", "/a", None, dt.date(2020, 3, 18), "en", nd.signature("x", "en"), "r")
    old_row = {k: v for k, v in row.to_row().items() if k != "originality"}  # an old file
    assert IndexEntry.from_row(old_row).originality is None
    legacy = Features(
        "a|/a", dt.date(2020, 3, 18), row.signature, stored=True, run_id="r", originality=None
    )
    assert member_originality(legacy, supersede=True) == UNKNOWN_ORIGINALITY
    assert member_originality(legacy, supersede=False) == 0.0
    stored = nd.Member("a", dt.date(2020, 3, 18), UNKNOWN_ORIGINALITY, stored=True)
    same_day = nd.Member("b", dt.date(2020, 3, 18), 9.5)
    earlier = nd.Member("c", dt.date(2020, 3, 17), 1.0)
    assert nd.choose_survivor([stored, same_day], prefer_stored=False) == stored
    assert nd.choose_survivor([stored, same_day, earlier], prefer_stored=False) == earlier
    assert nd.choose_survivor([stored, earlier]) == stored  # superseding off


def test_repointing_keeps_the_similarity_and_recomputes_kept_is_later():
    s = Superseded("old", "/old", dt.date(2020, 3, 18), "en", "r1", "new", "/new",
                   dt.date(2020, 3, 16), 0.8, "near:skeleton")  # fmt: skip
    row = {
        "kept_article_id": "old", "kept_source_uri": "/old", "cluster_id": "old",
        "kept_run_id": "r1", "published_date": dt.date(2020, 3, 17), "kept_is_later": True,
        "similarity": 0.9, "method": "near:skeleton",
    }  # fmt: skip
    assert repoint(row, {s.old_uid: s}, "r2") == {
        **row, "kept_article_id": "new", "kept_source_uri": "/new", "cluster_id": "new",
        "kept_run_id": "r2", "kept_is_later": False,
    }  # fmt: skip
    assert repoint({**row, "kept_source_uri": "/other"}, {s.old_uid: s}, "r2") is None
    assert Superseded.from_json(json.loads(json.dumps(s.to_json()))) == s


def test_a_survivor_superseded_by_an_earlier_runs_article_points_at_that_run():
    """Two published survivors linked by a new copy: the rows name the run that published the
    one that stays, not the superseding run."""
    s = Superseded("old", "/old", dt.date(2020, 3, 18), "en", "r2", "new", "/new",
                   dt.date(2020, 3, 16), 0.8, "near:skeleton", new_run_id="r1")  # fmt: skip
    row = {
        "kept_article_id": "old", "kept_source_uri": "/old", "cluster_id": "old",
        "kept_run_id": "r2", "published_date": dt.date(2020, 3, 19), "kept_is_later": False,
        "similarity": 0.9, "method": "near:skeleton",
    }  # fmt: skip
    assert repoint(row, {s.old_uid: s}, "r3")["kept_run_id"] == "r1"
    article = {"article_id": "old", "source_uri": "/old", "title": "t", "content_hash": "h",
               "ingested_at": STARTED, "run_id": "r2"}  # fmt: skip
    moved = superseded_duplicate(article, s, "r3")
    assert (moved["kept_article_id"], moved["kept_run_id"], moved["kept_is_later"]) == (
        "new", "r1", False,
    )  # fmt: skip
    assert Superseded.from_json(json.loads(json.dumps(s.to_json()))) == s


def test_watch_supersedes_by_default_and_batch_runs_do_not(tmp_path):
    watch = parse_args(["--watch", "--input", str(tmp_path), "--output", str(tmp_path / "o")])
    assert watch.config.index.supersede is True
    off = parse_args(["--watch", "--no-supersede", "--input", str(tmp_path), "--output", "o"])
    assert off.config.index.supersede is False
    assert parse_args(["--input", str(tmp_path)]).config.index.supersede is False
    toml = tmp_path / "c.toml"
    toml.write_text("[index]\nsupersede = false\n")
    filed = parse_args(["--watch", "--config", str(toml), "--input", str(tmp_path)])
    assert filed.config.index.supersede is False


# Crashes in the middle of a superseding commit. ------------------------------------------------


def _staged_commit(src: Path, out: str) -> tuple[RunContext, object]:
    """Run the second commit's pipeline and stage its rewrites, as `ingest.run` does, but
    stop before the journal (where a kill would leave it)."""
    job = parse_args(["--input", str(src / "*.txt"), "--output", out, "--supersede"])
    ctx = RunContext.new(out)
    state = load_state(out)
    pipeline = beam.Pipeline(runner=resolve_runner(PipelineOptions([])))
    ingest.build(pipeline, [str(src / "*.txt")], job.config, ctx, state.index, state.ledger)
    pipeline.run().wait_until_finish()
    assert stage_supersede(out, ctx.run_id, state.snapshot, job.config.write) == 1
    return ctx, state


def test_killed_after_staging_the_rewrites_is_rolled_back(tmp_path):
    src, out, _ = _copies_lake(tmp_path)
    _land_original(src)
    ctx, _ = _staged_commit(src, out)
    rewrites = list(Path(staging_folder(out, ctx.run_id), "rewrite").rglob("*.parquet"))
    assert sorted(p.relative_to(p.parents[1]).as_posix() for p in rewrites) == [
        f"duplicates/part-{ctx.run_id}-r00000.parquet",  # the twin's row, repointed
        f"duplicates/part-{ctx.run_id}-s00000.parquet",  # the copy's row
    ]
    assert _lake_state(out) == FIRST_LAKE  # staged: invisible
    assert recover(out, lambda: None) == {"rolled_forward": [], "rolled_back": [ctx.run_id]}
    assert _lake_state(out) == FIRST_LAKE and check_lake(out)[1] == []
    assert _run(src, out, "--supersede")["superseded"] == 1  # the next run does it whole
    assert _lake_state(out) == SUPERSEDED_LAKE and check_lake(out)[1] == []


def test_killed_mid_publish_of_the_rewrites_is_rolled_forward(tmp_path):
    src, out, _ = _copies_lake(tmp_path)
    _land_original(src)
    ctx, state = _staged_commit(src, out)
    staging = staging_folder(out, ctx.run_id)
    report = files.read_json(f"{staging}/{STAGED_FILE}", "")
    plan = plan_commit(out, report, state.snapshot)
    Path(staging, COMMIT_FILE).write_text(json.dumps(plan))
    for temp, final in plan["renames"]:  # every file renamed into place, no snapshot swap
        Path(final).parent.mkdir(parents=True, exist_ok=True)
        Path(temp).rename(final)
    assert _lake_state(out) == FIRST_LAKE  # readers still see the old survivor only
    assert recover(out, lambda: None) == {"rolled_forward": [ctx.run_id], "rolled_back": []}
    assert _lake_state(out) == SUPERSEDED_LAKE and check_lake(out)[1] == []
    manifest = files.read_json(layout.manifest_path(out, ctx.run_id), "")
    assert (manifest["articles"], manifest["duplicates"], manifest["superseded"]) == (1, 0, 1)


@pytest.mark.parametrize("phase", ["rewrite", "commit"])
def test_kill_9_during_a_superseding_commit_shows_one_survivor_then_recovers(tmp_path, phase):
    src, out, _ = _copies_lake(tmp_path)
    _land_original(src)
    sampler = crash.Sampler(Path(out))
    sampler.start()
    try:
        outcome, pgid = crash.kill_run(
            src, Path(out), workers=False, phase=phase, delay=0.0, group=True,
            extra=["--supersede"],
        )  # fmt: skip
        time.sleep(0.2)
    finally:
        sampler.stop()
        crash.reap_group(pgid)
    assert not sampler.errors, sampler.errors[:3]
    # (articles, duplicates, quarantined): the copy published, or the original with both
    # copies as duplicates; never both survivors, never neither.
    assert sampler.seen <= {(1, 1, 0), (1, 2, 0)}, sampler.seen
    assert outcome == "killed"
    _run(src, out, "--supersede")  # recovers (back or forward) and completes
    assert _lake_state(out) == SUPERSEDED_LAKE and check_lake(out)[1] == []


def test_files_of_runs_before_a_superseded_survivors_run_are_ruled_out_by_age():
    from pipelines.lake.supersede import _older, _oldest

    since = _oldest(["20261202T082300Z-6e3de7", "20261202T072300Z-b91073"])
    assert since == "20261202T072300Z"
    assert _older("20261202T072259Z-aaaaaa", since) is True
    assert _older("20261202T072300Z-000000", since) is False  # the same second: opened
    assert _older("20261202T072300Z-repair-abc123", since) is False
    # Ids of another form are never ruled out, nor is anything when a survivor's run has one.
    assert _older("test-run", since) is False
    assert _oldest(["test-run", "20261202T072300Z-b91073"]) is None
    assert _older("20200101T000000Z-aaaaaa", None) is False


def test_a_repair_after_a_superseding_commit_keeps_its_survivor(tmp_path):
    from pipelines.lake.repair import repair

    src, out, _ = _copies_lake(tmp_path)
    _land_original(src)
    retired = [Path(out) / p for p in _run(src, out, "--supersede")["retired_tables"]]
    repair(out)  # rebuilds the index from the published bodies: no originality there
    assert _index(out) == [("original.txt", None)]
    assert _lake_state(out) == SUPERSEDED_LAKE and check_lake(out)[1] == []
    assert all(p.exists() for p in retired)
    assert _run(src, out, "--supersede")["already_ingested"] == 3
    assert not any(p.exists() for p in retired)  # the run after the repair deletes them
    assert _lake_state(out) == SUPERSEDED_LAKE and check_lake(out)[1] == []
