"""The commit protocol: stage, report, journal, fence, rename, manifest, swap, clean up.

1. Workers write every file of a run under `DIR/_staging/<run>/` (names fixed by run,
   partition and shard, so a retried bundle overwrites its own file) with its size and
   sha256, and the last step of the pipeline writes the stage report `staged.json`.
2. The driver, holding the lock, reconciles the counts (matched = articles + duplicates +
   quarantined + already ingested) and journals the whole plan in `commit.json`: renames,
   the run manifest, the next snapshot and the index files it replaces.
3. It renames the staged files to their final names (invisible to readers: they read only
   files the snapshot lists), writes `_runs/<run>.json`, checks the lock is still its own
   (the fence), and swaps `_snapshot.json` with `os.replace`: the commit point.
4. It deletes the replaced index files and the staging folder (and the table files the
   previous commit replaced: a reader that opened the snapshot before that swap may still
   read them).

Table files are replaced too when a run supersedes published survivors (`supersede.py`):
the rewritten `articles/` and `duplicates/` files are staged like any other (`replaces`
names the published file each one takes the place of), and the swap exchanges them.

On S3 (`objstore.py`) the lock is a lease object, workers write each file once at its
final, run-unique name (step 3 renames nothing), and the swap is one PUT conditional on the
snapshot the run started from (`snapshot.py`).

A run killed before step 2 is rolled back by the next run (`recover`); one killed after it
is rolled forward from its journal, by the next lock holder. No worker publishes: an SDK
worker orphaned by a killed driver can at most write into a staging folder nobody will
commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from apache_beam.io.filesystems import FileSystems

from pipelines.lake import failpoints, files, layout, objstore
from pipelines.lake.errors import ReconciliationError, StateError
from pipelines.lake.snapshot import FileEntry, Snapshot, read_snapshot, write_snapshot

STAGED_FILE = "staged.json"
# Stage report key of a run that merged the ledger's files (`compact.py`): {"file", "replaced",
# "rows"}; here because the commit plans what it replaces.
LEDGER_COMPACTION = "ledger_compaction"
COMMIT_FILE = "commit.json"
STARTED_FILE = "started.json"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
# At most this many skipped matches are listed by path in a manifest (all are counted).
MAX_LISTED_SKIPS = 10_000


@dataclass(frozen=True)
class StagedFile:
    """One file written under the staging folder, where it will be published, and its checksum."""

    kind: str
    partition: str
    temp_path: str
    final_path: str
    rows: int
    size: int = -1
    sha256: str = ""
    replaces: str = ""  # lake-relative path of the published file this rewrite replaces


def staging_folder(output: str, run_id: str) -> str:
    return layout.join(output, f"{layout.STAGING_DIR}/{run_id}")


def write_stage_report(
    output: str,
    run_id: str,
    staged: list[StagedFile],
    matched: int,
    already_ingested: int,
    skipped: list[tuple[str, str]],
    superseded: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Step 1's last act: what the pipeline staged, in `staged.json` (no publication).
    `superseded`: published survivors a new article replaces (`core.supersede.Superseded`
    as JSON), whose rows the driver rewrites before it journals (`supersede.py`)."""
    report = {
        "run_id": run_id,
        "matched": matched,
        "already_ingested": already_ingested,
        "skipped": sorted([path, reason] for path, reason in skipped),
        "files": sorted((asdict(f) for f in staged), key=lambda f: f["final_path"]),
        "superseded": list(superseded or []),
    }
    # Runs on a worker (PublishRun's last step): workers reach object stores through Beam.
    files.write_json_from_worker(f"{staging_folder(output, run_id)}/{STAGED_FILE}", report)
    return report


def _stats(
    run_id: str, staged: list[StagedFile], report: dict[str, Any], removed: dict[str, int]
) -> dict[str, Any]:
    """Counts of the run's inputs, reconciled. `removed`: rows per kind of the published files
    the run rewrites; superseding moves exactly one `articles` row per superseded survivor to
    a new `duplicates` row (kept apart from the run's own inputs' rows)."""
    rows = dict.fromkeys(layout.KINDS, 0)
    rewritten = dict.fromkeys(layout.KINDS, 0)
    languages: dict[str, int] = {}
    dates: list[str] = []
    merged = report.get(LEDGER_COMPACTION, {}).get("file")
    for f in staged:
        if f.final_path == merged:
            continue  # earlier runs' entries, merged (`compact.py`): not this run's
        if f.replaces:
            rewritten[f.kind] += f.rows
            continue
        rows[f.kind] += f.rows
        if f.kind == layout.ARTICLES:
            date_part, lang_part = f.partition.split("/")
            lang = lang_part.split("=", 1)[1]
            languages[lang] = languages.get(lang, 0) + f.rows
            date = date_part.split("=", 1)[1]
            if date != HIVE_NULL:
                dates.append(date)
    superseded = len(report.get("superseded", []))
    moved = {k: removed.get(k, 0) - rewritten[k] for k in layout.KINDS}
    expected = {k: superseded if k == layout.ARTICLES else 0 for k in layout.KINDS}
    if moved != expected:
        raise ReconciliationError(
            f"run {run_id}: superseding {superseded} survivors rewrote published files that "
            f"lose {moved[layout.ARTICLES]} articles rows and {moved[layout.DUPLICATES]} "
            "duplicates rows (expected one articles row per survivor, no duplicates row)"
        )
    rows[layout.DUPLICATES] -= superseded  # the superseded survivors' new rows: not inputs
    matched, skipped = report["matched"], report["already_ingested"]
    total = rows[layout.ARTICLES] + rows[layout.DUPLICATES] + rows[layout.QUARANTINE] + skipped
    if total != matched:
        raise ReconciliationError(
            f"run {run_id}: {matched} inputs matched but {rows[layout.ARTICLES]} articles + "
            f"{rows[layout.DUPLICATES]} duplicates + {rows[layout.QUARANTINE]} quarantined + "
            f"{skipped} already ingested = {total}"
        )
    if rows[layout.QUARANTINE_INDEX] != rows[layout.QUARANTINE]:
        raise ReconciliationError(
            f"run {run_id}: {rows[layout.QUARANTINE]} quarantined rows in Avro but "
            f"{rows[layout.QUARANTINE_INDEX]} in their Parquet copy"
        )
    reasons: dict[str, int] = {}
    for _, reason in report["skipped"]:
        reasons[reason] = reasons.get(reason, 0) + 1
    return {
        "run_id": run_id,
        "matched": matched,
        "articles": rows[layout.ARTICLES],
        "duplicates": rows[layout.DUPLICATES],
        "quarantined": rows[layout.QUARANTINE],
        "already_ingested": skipped,
        "superseded": superseded,
        "index_entries": rows[layout.INDEX_DIR],
        "ledger_entries": rows[layout.LEDGER_DIR],
        "skipped": len(report["skipped"]),
        "skipped_reasons": dict(sorted(reasons.items())),
        "skipped_inputs": [
            {"path": p, "reason": r} for p, r in report["skipped"][:MAX_LISTED_SKIPS]
        ],
        "languages": dict(sorted(languages.items())),
        "date_min": min(dates) if dates else None,
        "date_max": max(dates) if dates else None,
    }


def plan_commit(
    output: str,
    report: dict[str, Any],
    base: Snapshot,
    extra: dict[str, Any] | None = None,
    retired_earlier: Sequence[str] = (),
) -> dict[str, Any]:
    """Reconcile the stage report and plan its publication on top of `base`.

    Every run rewrites the whole index (stored entries still in the window plus its own), so
    the base's `_index` files are replaced (and its `_ledger` files when the run merged them:
    `compact.py`); a run that supersedes published survivors also
    replaces the table files it rewrote (`replaces`) or emptied (`retired`). Table files are
    deleted one commit later (`retired_earlier`: those the previous commit replaced), so a
    reader holding the previous snapshot can still read them. Raises ReconciliationError
    before anything moves.
    """
    run_id = report["run_id"]
    staged = [StagedFile(**f) for f in report["files"]]
    tables = {f.path: f for f in base.files if f.kind in layout.PUBLISHED}
    retired = {f.replaces for f in staged if f.replaces} | set(report.get("retired", []))
    unknown = sorted(retired - set(tables))
    if unknown:
        raise ReconciliationError(
            f"run {run_id} rewrites {layout.join(output, unknown[0])}, which snapshot "
            f"{base.version} does not list"
        )
    removed: dict[str, int] = {}
    for path in retired:
        removed[tables[path].kind] = removed.get(tables[path].kind, 0) + tables[path].rows
    stats = _stats(run_id, staged, report, removed)
    added = [
        FileEntry(layout.relative(output, f.final_path), f.kind, f.rows, f.size, f.sha256, run_id)
        for f in staged
    ]
    state = {f.path for f in base.of_kind(layout.INDEX_DIR)}
    compaction = report.get(LEDGER_COMPACTION)
    if compaction:  # the ledger files it merged (`compact.py`)
        state |= set(compaction["replaced"])
        stats["ledger_compacted"] = {"files": len(compaction["replaced"]),
                                     "rows": compaction["rows"]}  # fmt: skip
    snapshot = base.after(run_id, added, state | retired)
    manifest = {
        **(extra or {}),
        **stats,
        "files": [f.to_json() for f in added],
        "replaced": sorted(state | retired),
        "retired_tables": sorted(retired),
        "snapshot_version": snapshot.version,
    }
    deletes = [layout.join(output, p) for p in state] + list(retired_earlier)
    return {
        "run_id": run_id,
        "base_version": base.version,
        "renames": [[f.temp_path, f.final_path] for f in staged],
        "deletes": sorted(set(deletes)),
        "manifest": manifest,
        "snapshot": snapshot.to_json(),
    }


def _ensure_parents(paths: list[str]) -> None:
    for parent in sorted({p.rsplit("/", 1)[0] for p in paths}):
        if not FileSystems.exists(parent):
            FileSystems.mkdirs(parent)


def begin(output: str, run_id: str) -> None:
    """Mark a run as started (call with the lock held, before the pipeline runs).

    Object stores have no folders: on S3 a `started.json` marker under `_staging/<run>/`
    lets `recover` find a run that died before staging anything else, and delete the files
    it wrote at their final names. Local lakes need none (the staging folder is the mark).
    """
    if not layout.is_local(output):
        files.write_json_atomic(
            f"{staging_folder(output, run_id)}/{STARTED_FILE}", {"run_id": run_id}
        )


def apply_commit(output: str, plan: dict[str, Any], fence: Callable[[], None]) -> None:
    """Carry out a journaled plan. Idempotent: a retry or a recovery skips what is done.

    `fence` raises unless the caller still holds the lake's lock; it runs right before the
    snapshot swap, the only step readers can observe. On object stores files are staged at
    their final names (nothing to rename, nothing copied).
    """
    renames = [(t, f) for t, f in plan["renames"] if t != f and FileSystems.exists(t)]
    if renames:
        _ensure_parents([f for _, f in renames])
        FileSystems.rename([t for t, _ in renames], [f for _, f in renames])
    failpoints.reached("renamed")
    for entry in plan["manifest"]["files"]:
        path = layout.join(output, entry["path"])
        if not files.exists(path):
            raise StateError(f"staged file {path} vanished before the commit of {plan['run_id']}")
    files.write_json_atomic(layout.manifest_path(output, plan["run_id"]), plan["manifest"])
    fence()
    write_snapshot(output, Snapshot.from_json(plan["snapshot"]))
    _clean_up(output, plan)


def _clean_up(output: str, plan: dict[str, Any]) -> None:
    files.delete(list(plan["deletes"]))
    files.delete_tree(staging_folder(output, plan["run_id"]))


def publish(
    output: str,
    run_id: str,
    base: Snapshot,
    fence: Callable[[], None],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Steps 2-4 for a run whose pipeline finished: returns the run's manifest."""
    staging = staging_folder(output, run_id)
    report = files.read_json(
        f"{staging}/{STAGED_FILE}", "the pipeline finished without its stage report"
    )
    plan = plan_commit(output, report, base, extra, _retired_by_last(output, base))
    fence()
    files.write_json_atomic(f"{staging}/{COMMIT_FILE}", plan)
    failpoints.reached("journaled")
    apply_commit(output, plan, fence)
    return plan["manifest"]


def _retired_by_last(output: str, base: Snapshot) -> list[str]:
    """Table files the last committed run replaced (now deletable: see `plan_commit`); a
    repair in between deletes none, so those of the run before it too."""
    retired: list[str] = []
    for run_id in reversed(base.runs):
        path = layout.manifest_path(output, run_id)
        manifest = files.read_json(path, f"restore {path} or run `spindrift repair {output}`")
        retired += [layout.join(output, p) for p in manifest.get("retired_tables", [])]
        if not manifest.get("repair"):
            break
    return retired


def recover(output: str, fence: Callable[[], None]) -> dict[str, list[str]]:
    """Finish or discard the work of runs that died; call with the lock held.

    A run that journaled a plan on top of the current snapshot is rolled forward (published
    as it would have been); a run that died earlier, or whose plan no longer applies, is
    rolled back (its staged and any renamed-but-unlisted files deleted).
    Returns {'rolled_forward': [...], 'rolled_back': [...]}.
    """
    done: dict[str, list[str]] = {"rolled_forward": [], "rolled_back": []}
    remote = not layout.is_local(output)
    if remote and not objstore.is_s3(output):
        return done  # gs:// and others: no lock here, so nothing is safe to roll back
    root = layout.staging_root(output)
    for name in files.list_dir(root):
        folder = f"{root}/{name}"
        if name.startswith("."):
            continue  # the output probe of options.check_output
        journal = f"{folder}/{COMMIT_FILE}"
        snapshot = read_snapshot(output)
        doomed: list[str] = []
        if files.exists(journal):
            plan = files.read_json(journal, f"delete {folder} to roll the run back")
            if snapshot.committed(name):
                _clean_up(output, plan)
                continue
            if plan["base_version"] == snapshot.version:
                apply_commit(output, plan, fence)
                done["rolled_forward"].append(name)
                continue
            doomed = [f for _, f in plan["renames"] if files.exists(f)]
            manifest = layout.manifest_path(output, name)
            if files.exists(manifest):
                doomed.append(manifest)
        if remote:
            # Staged at final names: every file of the run, journaled or not, goes.
            listed = {layout.join(output, f.path) for f in snapshot.files}
            doomed = sorted({*doomed, *(p for p in _run_files(output, name) if p not in listed)})
        fence()
        files.delete(doomed)
        files.delete_tree(folder)
        done["rolled_back"].append(name)
    return done


def _run_files(output: str, run_id: str) -> list[str]:
    """Files a run wrote at their final names on an object store (`part-<run>-…`)."""
    mark = f"/part-{run_id}-"
    return [
        path
        for folder in sorted({layout.folder_of(kind) for kind in layout.KINDS})
        for path in files.list_tree(layout.join(output, folder))
        if mark in path
    ]
