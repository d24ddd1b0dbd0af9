"""The `spindrift` command line, run as a user runs it: the installed console script.

One test per friction point of issue 13 (arguments, help, version, logging, recursion,
config file); query and report have their own files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))


def spindrift(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([SPINDRIFT, *args], capture_output=True, text=True, **kwargs)


def spindrift_in_process(capfd, *args: str) -> subprocess.CompletedProcess:
    """`spindrift ARGS` through the console script's own `main`, in this process: for the many
    argument errors, which fail before anything runs (each costs a Beam import as a process).
    One case of each kind also runs as the installed script (`*_as_the_installed_script`)."""
    from pipelines.cli import main

    capfd.readouterr()
    code = main(list(args))
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess([SPINDRIFT, *args], code, out, err)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ouput", "lake"], "spindrift: error: unknown option --ouput; did you mean --output?"),
        (
            ["--direct_num_worker", "2"],
            "spindrift: error: unknown option --direct_num_worker; "
            "did you mean --direct_num_workers?",
        ),
        (["--inptu=x"], "spindrift: error: unknown option --inptu; did you mean --input?"),
        (
            ["stray"],
            "spindrift: error: unexpected argument 'stray' (flags take the form --name value)",
        ),
        (
            ["--runner", "NoSuchRunner"],
            "spindrift: error: --runner: Unexpected pipeline runner: NoSuchRunner",
        ),
        (
            ["--max_article_mb", "inf"],
            "spindrift: error: argument --max_article_mb: 'inf' must be a finite number > 0",
        ),
        (
            ["--max_article_mb", "nan"],
            "spindrift: error: argument --max_article_mb: 'nan' must be a finite number > 0",
        ),
        (
            ["--rows_per_file", "ten"],
            "spindrift: error: argument --rows_per_file: 'ten' is not a whole number",
        ),
        (["--rows_per_file", "0"], "spindrift: error: rows per file / row group must be >= 1"),
    ],
)
def test_bad_flags_exit_2_with_one_line_and_nothing_written(args, message, tmp_path, capfd):
    out = tmp_path / "lake"
    proc = spindrift_in_process(capfd, "ingest", "--output", str(out), *args)
    assert proc.returncode == 2
    assert one_error_line(proc) == message
    assert not out.exists() and not (tmp_path / "out").exists()


def test_bad_flag_exits_2_with_one_line_as_the_installed_script(tmp_path):
    out = tmp_path / "lake"
    proc = spindrift("ingest", "--output", str(out), "--ouput", "lake", cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        one_error_line(proc) == "spindrift: error: unknown option --ouput; did you mean --output?"
    )
    assert proc.stdout == ""
    assert not out.exists() and not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def flags_and_config_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    """One quiet run with Beam flags, a config file and a job flag that overrides the file;
    its process and its manifest (each test below asserts its own part)."""
    top = tmp_path_factory.mktemp("flags")
    path = top / "spindrift.toml"
    path.write_text("[write]\nrows_per_file = 7\n[dedup]\nmin_containment = 0.25\n")
    out = top / "lake"
    proc = spindrift(
        "ingest", "--input", str(SEEDS / "000_*.txt"), "--output", str(out), "-q",
        "--direct_num_workers", "2", "--direct_running_mode=multi_threading",
        "--config", str(path), "--rows_per_file", "9",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (manifest,) = (out / "_runs").glob("*.json")
    return proc, json.loads(manifest.read_text())


def test_beam_flags_pass_through(flags_and_config_run):
    """Real Beam flags are accepted (validated against Beam's option classes) and reach the
    runner: the manifest records them."""
    proc, manifest = flags_and_config_run
    assert proc.stdout == "" and proc.stderr == ""  # -q: no summary, no warnings
    options = manifest["options"]
    assert options["direct_running_mode"] == "multi_threading"
    assert options["direct_num_workers"] == 2


def test_help_lists_job_flags_with_defaults_and_points_to_beam_docs():
    proc = spindrift("ingest", "--help")
    assert proc.returncode == 0 and proc.stderr == ""
    text = " ".join(proc.stdout.split())
    for expected in (
        "--output DIR lake folder (default: out)",
        "(default: 10)",
        "(default: 30)",
        "(default: 50000)",
        "--config FILE.toml",
        "--debug",
        "--log-level",
        "beam.apache.org/releases/pydoc/current/apache_beam.options.pipeline_options.html",
        "names starting with '.' (files or folders) are skipped",
    ):
        assert expected in text
    beam = spindrift("ingest", "--beam-help")
    assert beam.returncode == 0 and "--direct_num_workers" in beam.stdout


@pytest.mark.parametrize("args", [["query", "--help"], ["report", "--help"], ["--help"]])
def test_every_help_exits_0(args):
    proc = spindrift(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: spindrift")


@pytest.mark.parametrize("args", [["--version"], ["ingest", "--version"]])
def test_version_from_package_metadata(args):
    from importlib.metadata import version

    proc = spindrift(*args)
    assert (proc.returncode, proc.stdout) == (0, f"spindrift {version('spindrift')}\n")


def test_unknown_command_suggests():
    proc = spindrift("ingset")
    assert proc.returncode == 2
    assert (
        proc.stderr.splitlines()[0]
        == "spindrift: error: unknown command 'ingset'; did you mean 'ingest'?"
    )


def _corrupt_lake(tmp_path: Path) -> Path:
    """A lake whose index file is not Parquet: the run fails after starting."""
    out = tmp_path / "lake"
    (out / "_index").mkdir(parents=True)
    (out / "_index" / "broken.parquet").write_bytes(b"not parquet at all")
    return out


def test_failure_is_one_line_and_debug_shows_the_traceback(tmp_path):
    out = _corrupt_lake(tmp_path)
    args = ["ingest", "--input", str(SEEDS / "000_*.txt"), "--output", str(out)]
    plain = spindrift(*args)
    assert plain.returncode == 1
    line = one_error_line(plain)
    assert line.startswith("spindrift: run failed: ") and line.endswith(
        "(--debug shows the traceback)"
    )
    debug = spindrift(*args, "--debug")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("spindrift: run failed: ")


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """One run over a folder tree at `--log-level info`: (the folder, the lake, the process)."""
    tmp_path = tmp_path_factory.mktemp("folder")
    src = tmp_path / "in"
    for sub in ("world", "sport/football", ".git", "sport/.cache"):
        (src / sub).mkdir(parents=True)
    shutil.copy(next(SEEDS.glob("000_*.txt")), src / "world" / "a.txt")
    shutil.copy(next(SEEDS.glob("002_*.txt")), src / "sport" / "football" / "b.md")
    shutil.copy(next(SEEDS.glob("003_*.txt")), src / "c")
    for hidden in (src / ".DS_Store", src / ".git" / "x.txt", src / "sport" / ".cache" / "y.txt"):
        hidden.write_text("skipped")
    out = tmp_path / "lake"
    proc = spindrift("ingest", "--input", str(src), "--output", str(out), "--log-level", "info")
    assert proc.returncode == 0, proc.stderr
    return src, out, proc


def test_input_folder_is_read_recursively_skipping_hidden(folder_run):
    src, out, proc = folder_run
    assert "files read:         3" in proc.stdout
    (manifest,) = (out / "_runs").glob("*.json")
    assert json.loads(manifest.read_text())["inputs"] == [str(src)]


def test_empty_input_folder_is_a_usage_error(tmp_path):
    (tmp_path / "in" / ".hidden").mkdir(parents=True)
    (tmp_path / "in" / ".hidden" / "x.txt").write_text("x")
    proc = spindrift("ingest", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "has no files (hidden ones are skipped)" in one_error_line(proc)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[dedup]\nmin_contaiment = 0.2\n",
            "unknown key dedup.min_contaiment (did you mean 'min_containment'?)",
        ),
        ("[dedupe]\nx = 1\n", "unknown table [dedupe] (did you mean 'dedup'?)"),
        (
            "[dedup]\nmin_containment = 'high'\n",
            "dedup.min_containment must be float, not str ('high')",
        ),
        ("[dedup]\nmin_containment = 2.0\n", "[dedup] min_containment must be in [0, 1], got 2.0"),
        ("[write]\nrows_per_file = true\n", "write.rows_per_file must be int, not bool (True)"),
        ("[dedup\n", "not valid TOML"),
    ],
)
def test_config_file_errors_name_the_key(toml, message, tmp_path, capfd):
    path = tmp_path / "spindrift.toml"
    path.write_text(toml)
    out = tmp_path / "o"
    proc = spindrift_in_process(capfd, "ingest", "--config", str(path), "--output", str(out))
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert line.startswith(f"spindrift: error: config {str(path)!r}: ") and message in line
    assert not out.exists()


def test_config_file_error_names_the_key_as_the_installed_script(tmp_path):
    path = tmp_path / "spindrift.toml"
    path.write_text("[dedup]\nmin_contaiment = 0.2\n")
    proc = spindrift("ingest", "--config", str(path), "--output", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert one_error_line(proc) == (
        f"spindrift: error: config {str(path)!r}: "
        "unknown key dedup.min_contaiment (did you mean 'min_containment'?)"
    )
    assert proc.stdout == "" and not (tmp_path / "o").exists()


def test_config_file_reaches_the_stages_and_flags_win(flags_and_config_run):
    _, manifest = flags_and_config_run
    config = manifest["config"]
    assert config["write"]["rows_per_file"] == 9
    assert config["dedup"]["min_containment"] == 0.25
    assert manifest["config_file"].endswith("spindrift.toml")


def test_failure_line_names_the_first_item_of_a_list():
    from pipelines.ingest import failure_line

    error = ValueError(
        "Pipeline has validations errors:\n  Missing GCS path option: temp_location."
    )
    assert failure_line(error) == (
        "Pipeline has validations errors: Missing GCS path option: temp_location."
    )
    assert failure_line(RuntimeError("one\ntwo")) == "one"


def test_log_level_flags(folder_run, tmp_path, capfd):
    _, _, verbose = folder_run  # a run at --log-level info
    assert "INFO " in verbose.stderr
    args = ["ingest", "--input", str(SEEDS / "000_*.txt"), "--output", str(tmp_path / "lake")]
    bad = spindrift_in_process(capfd, *args, "--log-level", "LOUD")
    assert bad.returncode == 2
    assert one_error_line(bad).startswith("spindrift: error: argument --log-level: invalid choice")
