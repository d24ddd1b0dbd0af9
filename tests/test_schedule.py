"""The scheduling recipes in deploy/schedule/ parse, and the commands they run are ones the real
CLI accepts: the cron line is run for real once over seeds/, the systemd ExecStart and the
Airflow DAG's commands are expanded the way systemd and bash would and their flags checked
against the job's own option parser. Airflow is not needed: the DAG file is read with `ast`.
"""

from __future__ import annotations

import ast
import configparser
import fcntl
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import IngestOptions
from pipelines.query import connect

REPO = Path(__file__).resolve().parents[1]
SCHEDULE = REPO / "deploy" / "schedule"
SEEDS_GLOB = str(REPO / "seeds" / "*.txt")
SPINDRIFT = Path(sys.executable).with_name("spindrift")
# Documented as SPINDRIFT_ARGS / beam_args examples; they must be real Beam flags.
EXAMPLE_BEAM_ARGS = "--direct_num_workers=4 --direct_running_mode=multi_processing"


def ingest_options(argv: list[str]) -> IngestOptions:
    """Parse `spindrift ingest ...` argv like the job does; fail on anything it would ignore.

    Beam drops unknown flags with only a warning, so a typo would run with defaults: compare
    the options Beam knows with the ones it merely retains, and reject stray positionals.
    """
    assert argv[0] == "ingest", argv
    args = argv[1:]
    options = PipelineOptions(args)
    known = set(options.get_all_options())
    unknown = set(options.get_all_options(retain_unknown_options=True)) - known
    assert not unknown, f"flags the job does not know: {sorted(unknown)}"
    for i, arg in enumerate(args):
        if not arg.startswith("--"):
            before = args[i - 1] if i else ""
            assert before.startswith("--") and "=" not in before, f"stray argument {arg!r}"
    return options.view_as(IngestOptions)


# --- cron -------------------------------------------------------------------------------------


def read_crontab() -> tuple[dict[str, str], list[str]]:
    """(environment assignments, job lines) of deploy/schedule/crontab."""
    env, jobs = {}, []
    for line in (SCHEDULE / "crontab").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assignment = re.fullmatch(r"([A-Za-z_]\w*)\s*=\s*(.*)", line)
        if assignment:
            env[assignment[1]] = assignment[2].strip().strip("'\"")
        else:
            jobs.append(line)
    return env, jobs


def cron_job() -> tuple[list[str], str]:
    """(5 schedule fields, the command as cron hands it to the shell)."""
    _, jobs = read_crontab()
    assert len(jobs) == 1, jobs
    *fields, command = jobs[0].split(None, 5)
    # cron turns an unescaped % into a newline (and feeds the rest to stdin); \% is a literal %.
    assert not re.search(r"(?<!\\)%", command), "unescaped % in the cron command"
    return fields, command.replace("\\%", "%")


def cron_env(tmp: Path) -> dict[str, str]:
    """cron's minimal environment plus the crontab's variables pointed at `tmp`."""
    env, _ = read_crontab()
    home = tmp / "home"
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / ".venv" / "bin" / "spindrift").symlink_to(SPINDRIFT)
    paths = {
        "SPINDRIFT_HOME": str(home),
        "SPINDRIFT_INPUT": SEEDS_GLOB,
        "SPINDRIFT_OUTPUT": str(tmp / "lake"),
        "SPINDRIFT_LOCK": str(tmp / "ingest.cron.lock"),
        "SPINDRIFT_LOG": str(tmp / "ingest.log"),
    }
    # Every path the crontab defines is replaced, so the run touches nothing outside tmp.
    assert {k for k in env if k.startswith("SPINDRIFT_")} == set(paths)
    # PATH as cron sets it: the line must not depend on the venv being on PATH.
    return {**env, **paths, "PATH": "/usr/bin:/bin", "HOME": str(home)}


def run_cron_line(env: dict[str, str]) -> tuple[subprocess.CompletedProcess, str]:
    """Run the job line through the crontab's SHELL, as cron does; return it and the log."""
    _, command = cron_job()
    proc = subprocess.run(
        [env["SHELL"], "-c", command], env=env, capture_output=True, text=True, timeout=120
    )
    log = Path(env["SPINDRIFT_LOG"])
    return proc, log.read_text(encoding="utf-8") if log.exists() else ""


@pytest.fixture(scope="module")
def cron_run(tmp_path_factory):
    """The one end-to-end run: the crontab's job line, through /bin/sh, over seeds/."""
    if not shutil.which("flock"):
        pytest.skip("flock(1) is not installed")
    env = cron_env(tmp_path_factory.mktemp("cron"))
    return (*run_cron_line(env), env)


def test_crontab_has_one_flock_guarded_ingest_line():
    env, _ = read_crontab()
    fields, command = cron_job()
    assert len(fields) == 5 and all(re.fullmatch(r"[\d*/,-]+", f) for f in fields), fields
    assert command.startswith("flock -n ")
    assert "spindrift ingest" in command and "--input" in command and "--output" in command
    used = set(re.findall(r"\$\{?(\w+)", command))
    assert used <= set(env), f"undefined in the crontab: {sorted(used - set(env))}"
    # cron does not expand variables in assignments: they must be absolute already.
    assert all(env[k].startswith("/") for k in env if k.startswith("SPINDRIFT_")), env


def test_cron_command_flags_are_the_jobs():
    _, command = cron_job()
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w.endswith("/spindrift")) + 1
    # The job's argv ends at the first redirection or list operator.
    end = next(i for i in range(start, len(words)) if re.match(r"\d*[<>]|[|&;]", words[i]))
    options = ingest_options(words[start:end])
    assert options.input == ["$SPINDRIFT_INPUT"] and options.output == "$SPINDRIFT_OUTPUT"


def test_cron_line_runs_the_real_job(cron_run):
    proc, log, env = cron_run
    assert proc.returncode == 0, (proc.stdout, proc.stderr, log)
    assert "articles written" in log and not re.search(r"^exit \d+ at ", log, re.M), log
    lake = Path(env["SPINDRIFT_OUTPUT"])
    assert list((lake / "articles").rglob("*.parquet")), "no articles written"
    manifests = [json.loads(Path(p).read_text()) for p in glob.glob(f"{lake}/_runs/*.json")]
    # The glob reached the job unexpanded (quoted in the line), so every seed was read.
    assert [m["inputs"] for m in manifests] == [[SEEDS_GLOB]]


def test_cron_line_skips_while_the_previous_run_holds_the_lock(tmp_path):
    if not shutil.which("flock"):
        pytest.skip("flock(1) is not installed")
    env = cron_env(tmp_path)
    with open(env["SPINDRIFT_LOCK"], "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc, log = run_cron_line(env)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^exit 3 at \d{4}-\d\d-\d\dT", log, re.M), log
    assert not Path(env["SPINDRIFT_OUTPUT"]).exists(), "the job ran despite the lock"


# --- systemd ----------------------------------------------------------------------------------


def read_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((SCHEDULE / name).read_text(encoding="utf-8"))
    return parser


def unit_environment() -> dict[str, str]:
    """Environment= assignments of the service (a key configparser keeps only once)."""
    env = {}
    text = (SCHEDULE / "spindrift-ingest.service").read_text(encoding="utf-8")
    for value in re.findall(r"^Environment=(.*)$", text, re.M):
        for item in shlex.split(value):
            key, _, val = item.partition("=")
            env[key] = val
    return env


def exec_start_argv(env: dict[str, str]) -> list[str]:
    """ExecStart as systemd runs it: ${VAR} is one word, $VAR splits into zero or more."""
    argv = []
    for word in shlex.split(read_unit("spindrift-ingest.service")["Service"]["ExecStart"]):
        if m := re.fullmatch(r"\$(\w+)", word):
            argv.extend(env[m[1]].split())
        else:
            argv.append(re.sub(r"\$\{(\w+)\}", lambda m: env[m[1]], word))
    return argv


def test_service_unit():
    service = read_unit("spindrift-ingest.service")["Service"]
    assert service["Type"] == "oneshot"
    assert "spindrift ingest" in service["ExecStart"]
    assert "3" in service["SuccessExitStatus"].split()
    assert service["EnvironmentFile"] == "-/etc/default/spindrift"
    for key in ("User", "WorkingDirectory", "TimeoutStartSec", "Nice", "IOSchedulingClass"):
        assert service.get(key), key
    # ProtectSystem=strict makes / read-only: the default output must be a writable path.
    output = unit_environment()["SPINDRIFT_OUTPUT"]
    writable = [f"/var/lib/{d}" for d in service.get("StateDirectory", "").split()]
    writable += service.get("ReadWritePaths", "").split()
    assert service["ProtectSystem"] == "strict"
    assert any(output == w or output.startswith(w.rstrip("/") + "/") for w in writable), output


@pytest.mark.parametrize("extra", ["", EXAMPLE_BEAM_ARGS])
def test_service_exec_start_flags_are_the_jobs(extra):
    env = {**unit_environment(), "SPINDRIFT_ARGS": extra}
    argv = exec_start_argv(env)
    assert argv[0].startswith("/") and argv[0].endswith("/.venv/bin/spindrift"), argv
    options = ingest_options(argv[1:])
    # systemd does not glob: the pattern reaches Beam as written.
    assert options.input == [env["SPINDRIFT_INPUT"]] and "*" in env["SPINDRIFT_INPUT"]
    assert options.output == env["SPINDRIFT_OUTPUT"]


def test_timer_unit():
    units = read_unit("spindrift-ingest.timer")
    timer = units["Timer"]
    assert timer["OnCalendar"] in {"hourly", "daily"} or timer["OnCalendar"].startswith("*-*-*")
    assert timer["Persistent"] == "true"
    assert timer.get("RandomizedDelaySec")
    # No Unit=: the timer starts the service of the same name.
    assert timer.get("Unit", "spindrift-ingest.service") == "spindrift-ingest.service"
    assert units["Install"]["WantedBy"] == "timers.target"


def test_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart's binary exists: point it at this venv's script.
    service = (SCHEDULE / "spindrift-ingest.service").read_text(encoding="utf-8")
    service = re.sub(r"^(ExecStart=)\S+", rf"\g<1>{SPINDRIFT}", service, flags=re.M)
    (tmp_path / "spindrift-ingest.service").write_text(service, encoding="utf-8")
    shutil.copy(SCHEDULE / "spindrift-ingest.timer", tmp_path)
    proc = subprocess.run(
        [analyze, "verify", "--man=no", "spindrift-ingest.service", "spindrift-ingest.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # Unknown keys are only warnings (exit 0): any line about our units is a failure.
    about_ours = [line for line in proc.stderr.splitlines() if "spindrift-ingest" in line]
    assert not about_ours, about_ours
    if proc.returncode != 0:
        pytest.skip(f"systemd-analyze cannot run here: {proc.stderr.strip()[:200]}")


# --- Airflow ----------------------------------------------------------------------------------

DAG_FILE = SCHEDULE / "airflow_spindrift_dag.py"


def dag_module() -> ast.Module:
    return ast.parse(DAG_FILE.read_text(encoding="utf-8"), filename=str(DAG_FILE))


def dag_constants() -> dict[str, object]:
    """Module-level NAME = <literal> assignments of the DAG file."""
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in dag_module().body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and not isinstance(node.value, ast.Call)
    }


def calls(name: str) -> list[dict[str, ast.expr]]:
    """Keyword arguments of every call to `name` in the DAG file."""
    return [
        {kw.arg: kw.value for kw in node.keywords}
        for node in ast.walk(dag_module())
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name
    ]


def task(task_id: str) -> dict[str, object]:
    """A BashOperator's arguments, module constants resolved."""
    constants = dag_constants()
    (kwargs,) = [k for k in calls("BashOperator") if ast.literal_eval(k["task_id"]) == task_id]
    return {
        key: constants[v.id] if isinstance(v, ast.Name) else ast.literal_eval(v)
        for key, v in kwargs.items()
        if isinstance(v, ast.Name) or not isinstance(v, ast.Call)
    }


def test_dag_is_one_at_a_time_without_catchup():
    (dag,) = calls("DAG")
    assert ast.literal_eval(dag["max_active_runs"]) == 1
    assert ast.literal_eval(dag["catchup"]) is False
    assert ast.literal_eval(dag["schedule"]) == "@hourly"
    node = dag["default_args"]
    default_args = dict(zip(map(ast.literal_eval, node.keys), node.values, strict=True))
    assert ast.literal_eval(default_args["retries"]) > 0 and "retry_delay" in default_args


def test_dag_tasks():
    ingest, smoke = task("ingest"), task("smoke_check")
    command = ingest["bash_command"]
    assert "spindrift ingest" in command and "--input" in command and "--output" in command
    assert 3 in ingest["skip_on_exit_code"]
    assert "spindrift query" in smoke["bash_command"]
    env = dag_constants()["ENV"]
    assert re.search(r"\bds\b", env["SPINDRIFT_INPUT"]), "input is not the run's day folder"
    for t in (ingest, smoke):
        assert t["env"] == env and t["append_env"] is True
        used = set(re.findall(r"\$\{?(SPINDRIFT_\w+)", t["bash_command"]))
        assert used <= set(env), sorted(used - set(env))


def run_dag_command(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # BashOperator runs `bash -c <command>` with the templated env added to the worker's.
    return subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def fake_venv(tmp_path) -> Path:
    """A venv whose `spindrift` records its argv instead of running the job."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    script = venv / "bin" / "spindrift"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(tmp_path / 'argv.json')!r}, 'w'))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return venv


@pytest.mark.parametrize("beam_args", ["", EXAMPLE_BEAM_ARGS])
def test_dag_ingest_command_flags_are_the_jobs(tmp_path, fake_venv, beam_args):
    env = {
        "SPINDRIFT_VENV": str(fake_venv),
        "SPINDRIFT_INPUT": SEEDS_GLOB,
        "SPINDRIFT_OUTPUT": str(tmp_path / "lake"),
        "SPINDRIFT_BEAM_ARGS": beam_args,
    }
    proc = run_dag_command(task("ingest")["bash_command"], env)
    assert proc.returncode == 0, proc.stderr
    argv = json.loads((tmp_path / "argv.json").read_text())
    options = ingest_options(argv)
    assert options.input == [SEEDS_GLOB] and options.output == env["SPINDRIFT_OUTPUT"]


def test_dag_ingest_skips_an_hour_with_no_arrivals(tmp_path, fake_venv):
    env = {
        "SPINDRIFT_VENV": str(fake_venv),
        "SPINDRIFT_INPUT": str(tmp_path / "incoming" / "2025-01-01" / "*.txt"),
        "SPINDRIFT_OUTPUT": str(tmp_path / "lake"),
        "SPINDRIFT_BEAM_ARGS": "",
    }
    proc = run_dag_command(task("ingest")["bash_command"], env)
    assert proc.returncode == 99 and 99 in task("ingest")["skip_on_exit_code"], proc.stderr
    assert not (tmp_path / "argv.json").exists(), "the job ran with nothing to read"


def test_dag_smoke_check_queries_the_lake(cron_run):
    *_, cron_env_used = cron_run
    env = {
        "SPINDRIFT_VENV": str(SPINDRIFT.parents[1]),
        "SPINDRIFT_OUTPUT": cron_env_used["SPINDRIFT_OUTPUT"],
    }
    proc = run_dag_command(task("smoke_check")["bash_command"], env)
    assert proc.returncode == 0 and "articles" in proc.stdout, proc.stderr


def test_dag_smoke_check_fails_on_an_empty_lake(tmp_path):
    # In-process (the CLI prints this error and exits 1): saves a second process start.
    (sql,) = re.findall(r'"(select\b[^"]*)"', task("smoke_check")["bash_command"])
    with pytest.raises(duckdb.Error, match="no articles"):
        connect(str(tmp_path)).execute(sql)
