"""Offline checks of the deploy/ files: what can be proved without Dataflow, Flink, Spark or a
Docker daemon.

- the Airflow DAG loads into a real DagBag (Airflow in its own virtualenv, `make airflow`) and
  its ingest task, executed by the Beam provider's operator code, runs the real job and is
  skipped when another run holds the lake (exit 3);
- the flex template's metadata.json is valid and every parameter is one of the job's flags;
- every `pipelines.ingest` / `spindrift ingest` command line in deploy/ parses with the job's
  own argument parser;
- the containers' pinned requirements resolve against PyPI with the pinned apache-beam, and
  their base images, job servers and cluster images carry the versions Beam 2.77 expects.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import apache_beam
import pytest
import yaml
from apache_beam.options.pipeline_options import FlinkRunnerOptions
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from pipelines import options as job_options
from pipelines.options import UsageError, parse_args

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
AIRFLOW_PYTHON = REPO / ".venv-airflow" / "bin" / "python"
AIRFLOW_READY = REPO / ".venv-airflow" / ".installed"  # written by `make airflow` when complete
BEAM_VERSION = apache_beam.__version__
# deploy/stream/ belongs to the streaming work and has its own checks.
OWN = [p for p in DEPLOY.rglob("*") if p.is_file() and "stream" not in p.relative_to(DEPLOY).parts]


# --- command lines ----------------------------------------------------------------------------

# Documented as the example of SPINDRIFT_ARGS / SPINDRIFT_BEAM_ARGS (deploy/schedule/README.md).
EXAMPLE_BEAM_ARGS = ["--direct_num_workers=4", "--direct_running_mode=multi_processing"]
_SHELL_END = re.compile(r"^(\d*[<>|&;]|&&|\|\||;)")
_JOB = re.compile(r"(?:^|/)(?:spindrift)$")


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined (YAML folded `>-` blocks are joined by the
    YAML loader and come through `_yaml_strings`)."""
    return text.replace("\\\n", " ").splitlines()


def _markdown_code(text: str) -> list[str]:
    """The lines of fenced code blocks, and each inline code span as one line."""
    fence = r"^[ \t]*```([^\n]*)\n(.*?)^[ \t]*```"
    lines = []
    for info, block in re.findall(fence, text, re.S | re.M):
        if info.strip() == "yaml":  # e.g. a CronJob whose container runs the job
            block = "\n".join(_yaml_strings(yaml.safe_load(block)))
        lines += _logical_lines(block)
    prose = re.sub(fence, "", text, flags=re.S | re.M)
    return lines + [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def _yaml_strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _yaml_strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _yaml_strings(v)]
    return []


def job_argv(line: str) -> list[str] | None:
    """The job's argv in one command line (`python -m pipelines.ingest ARGS`, `spindrift
    ingest ARGS`, or Cloud Run's comma-separated `--args=-m,pipelines.ingest,...`), cut at
    the first shell operator; None when the line runs no job."""
    csv = re.search(r"--args=(\S*pipelines\.ingest,\S+)", line)
    if csv:  # gcloud run jobs create ... --args=-m,pipelines.ingest,...
        words = csv[1].split(",")
        return words[words.index("pipelines.ingest") + 1 :]
    line = line.replace("`", " ")
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    for i, word in enumerate(words):
        if word == "pipelines.ingest" and i and words[i - 1] == "-m":
            start = i + 1
        elif _JOB.search(word) and i + 1 < len(words) and words[i + 1] == "ingest":
            start = i + 2
        else:
            continue
        end = next((j for j in range(start, len(words)) if _SHELL_END.match(words[j])), None)
        argv = []
        for word in words[start:end]:
            # An unquoted $..._ARGS expands to zero or more extra flags: use the documented example.
            argv += EXAMPLE_BEAM_ARGS if re.fullmatch(r"\$\{?\w*_ARGS\}?", word) else [word]
        return argv
    return None


def deploy_commands() -> list[tuple[str, list[str]]]:
    """(where, argv) of every job command line in deploy/ (READMEs, compose files, units)."""
    found = []
    for path in sorted(OWN):
        if path.suffix in {".yaml", ".yml"}:
            lines = [
                line
                for s in _yaml_strings(yaml.safe_load(path.read_text()))
                for line in _logical_lines(s)
            ]
            # The compose files' usage comments hold the driver's command.
            lines += _logical_lines(
                "\n".join(
                    line.lstrip("# ")
                    for line in path.read_text().splitlines()
                    if line.startswith("#")
                )
            )
        elif path.suffix == ".md":
            lines = _markdown_code(path.read_text())
        elif path.suffix in {".service", ""}:  # units, crontab, Dockerfiles
            lines = _logical_lines(path.read_text())
        else:
            continue
        for line in lines:
            argv = job_argv(line.lstrip("# "))
            where = f"{path.relative_to(REPO)}: {line.strip()[:80]}"
            if argv is not None and (where, argv) not in found:
                found.append((where, argv))
    return found


COMMANDS = deploy_commands()


def test_deploy_files_hold_job_commands():
    where = {w.split(":", 1)[0] for w, _ in COMMANDS}
    expected = {
        "deploy/README.md",
        "deploy/airflow/README.md",
        "deploy/dataflow/README.md",
        "deploy/flink/docker-compose.yaml",
        "deploy/spark/docker-compose.yaml",
        "deploy/schedule/README.md",
        "deploy/schedule/crontab",
        "deploy/schedule/spindrift-ingest.service",
    }
    assert expected <= where, sorted(expected - where)


@pytest.mark.parametrize("argv", [a for _, a in COMMANDS], ids=[w for w, _ in COMMANDS])
def test_every_deploy_command_line_parses_with_the_jobs_parser(argv):
    # Shell variables and placeholders stay as written: the parser checks flags, not paths.
    parse_args(argv)


def test_a_template_launch_is_refused_before_anything_runs():
    with pytest.raises(UsageError, match="template launch does not wait"):
        parse_args(["--output", "gs://b/lake", "--template_location", "gs://b/t/job.json"])


# --- flex template metadata -------------------------------------------------------------------


def _job_flags() -> set[str]:
    parsers = (job_options.job_parser(), job_options.beam_parser())
    return {s for p in parsers for a in p._actions for s in a.option_strings}


def test_flex_template_metadata_parameters_are_the_jobs_flags():
    meta = json.loads((DEPLOY / "dataflow" / "metadata.json").read_text())
    assert set(meta) >= {"name", "description", "parameters"}
    names = [p["name"] for p in meta["parameters"]]
    assert len(names) == len(set(names))
    flags = _job_flags()
    for param in meta["parameters"]:
        assert {"name", "label", "helpText"} <= set(param), param
        assert f"--{param['name']}" in flags, f"{param['name']} is not a flag of the job"
        for regex in param.get("regexes", []):
            re.compile(regex)
    required = sorted(p["name"] for p in meta["parameters"] if not p.get("isOptional"))
    assert required == ["input", "output"]


def test_flex_template_launch_parameters_match_the_metadata_and_parse():
    """The launch body in deploy/schedule/README.md and the `flex-template run` command in
    deploy/dataflow/README.md name only metadata parameters, match their regexes, and the
    flags the launcher makes of them parse."""
    meta = {
        p["name"]: p
        for p in json.loads((DEPLOY / "dataflow" / "metadata.json").read_text())["parameters"]
    }
    body = re.search(r"```json\n(.*?)```", (DEPLOY / "schedule" / "README.md").read_text(), re.S)
    launches = [json.loads(body[1])["launchParameter"]["parameters"]]
    run = re.search(r"--parameters[= ](\S+)", (DEPLOY / "dataflow" / "README.md").read_text())
    launches.append(dict(kv.split("=", 1) for kv in run[1].strip("'\"").split(",")))
    beam_flags = {s for a in job_options.beam_parser()._actions for s in a.option_strings}
    for params in launches:
        argv = []
        for name, value in params.items():
            if name in meta:
                for regex in meta[name].get("regexes", []):
                    assert re.fullmatch(regex, value), (name, value, regex)
            else:  # Dataflow's own launch options (sdk_container_image ...) are Beam flags
                assert f"--{name}" in beam_flags, f"{name}: neither a parameter nor a Beam flag"
            argv.append(f"--{name}={value}")
        parse_args(["--runner=DataflowRunner", *argv])


# --- images and versions ----------------------------------------------------------------------


def _dockerfile_args(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", path.read_text(), re.M))


@pytest.mark.parametrize("dockerfile", ["container/Dockerfile", "dataflow/Dockerfile"])
def test_images_are_built_on_the_beam_sdk_image_of_the_pinned_version(dockerfile):
    path = DEPLOY / dockerfile
    args = _dockerfile_args(path)
    assert args["BEAM_VERSION"] == BEAM_VERSION
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert SpecifierSet(project["requires-python"]).contains(args["PYTHON_VERSION"])
    assert "FROM apache/beam_python${PYTHON_VERSION}_sdk:${BEAM_VERSION}" in path.read_text()
    assert "deploy/container/requirements.txt" in path.read_text()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (DEPLOY / "container" / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", line
            pins[req.name.lower()] = spec.version
    return pins


def test_container_pins_lie_in_the_projects_ranges():
    pins = _pins()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        req = Requirement(line)
        if req.marker and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        assert req.name.lower() in pins, f"{req.name} is not pinned for the container"
        assert req.specifier.contains(pins[req.name.lower()]), (req, pins[req.name.lower()])
    assert pins["apache-beam"] == BEAM_VERSION


def test_container_requirements_resolve_against_pypi(tmp_path):
    """pip resolves the container's requirements (PyPI; the SDK image's Python is this one's
    minor version) to exactly the pins: nothing is replaced or added at a conflicting version."""
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--report", str(report), "-r", str(DEPLOY / "container" / "requirements.txt")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if proc.returncode and re.search(
        r"connection|network|resolve host|timed out", proc.stderr, re.I
    ):
        pytest.skip(f"PyPI is not reachable: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    resolved = {
        i["metadata"]["name"].lower(): i["metadata"]["version"]
        for i in json.loads(report.read_text())["install"]
    }
    for name, version in _pins().items():
        assert resolved[name] == version, (name, resolved[name], version)


def _compose(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name / "docker-compose.yaml").read_text())["services"]


def test_flink_cluster_matches_a_flink_version_beam_publishes_a_job_server_for():
    services = _compose("flink")
    server = re.fullmatch(
        r"apache/beam_flink(\d+\.\d+)_job_server:(\S+)", services["jobserver"]["image"]
    )
    assert server and server[2] == BEAM_VERSION
    assert server[1] in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    for name in ("jobmanager", "taskmanager"):
        assert services[name]["image"].startswith(f"flink:{server[1]}"), services[name]["image"]
    assert services["sdk-worker-pool"]["network_mode"] == "service:taskmanager"
    assert services["sdk-worker-pool"]["command"] == ["--worker_pool"]


def test_spark_cluster_matches_beams_spark_3_job_server():
    services = _compose("spark")
    assert services["jobserver"]["image"] == f"apache/beam_spark3_job_server:{BEAM_VERSION}"
    spark = job_options.beam_parser()
    choices = next(a.choices for a in spark._actions if "--spark_version" in a.option_strings)
    assert choices == ["3"]
    for name in ("spark-master", "spark-worker"):
        assert services[name]["image"].startswith("apache/spark:3."), services[name]["image"]
    assert services["sdk-worker-pool"]["network_mode"] == "service:spark-worker"


# --- Airflow ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def airflow_report(tmp_path_factory) -> dict:
    if not AIRFLOW_READY.exists():
        pytest.skip("no Airflow virtualenv: `make airflow` creates .venv-airflow (make test does)")
    work = tmp_path_factory.mktemp("airflow")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(work),
        "AIRFLOW_HOME": str(work / "airflow_home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "LANG": "C.UTF-8",
    }
    proc = subprocess.run(
        [str(AIRFLOW_PYTHON), str(REPO / "tests" / "airflow_check.py"), str(DEPLOY / "airflow"),
         sys.executable, str(REPO / "seeds" / "*.txt"), str(work)],
        capture_output=True, text=True, env=env, cwd=work, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "work": str(work)}


def test_airflow_dags_import_in_a_real_dagbag(airflow_report):
    assert airflow_report["import_errors"] == {}
    assert airflow_report["warnings"] == {}
    assert airflow_report["schedule"] == {
        "import_errors": {}, "warnings": {}, "dag_ids": ["spindrift_ingest"],
    }  # fmt: skip
    assert airflow_report["dag_ids"] == ["spindrift_ingest_beam"]
    assert airflow_report["tasks"] == {
        "check_arrivals": ["ingest"], "ingest": ["smoke_check"], "smoke_check": [],
    }  # fmt: skip
    assert airflow_report["operator"] == [
        "SpindriftIngestOperator", "BeamRunPythonPipelineOperator",
    ]  # fmt: skip
    assert (airflow_report["max_active_runs"], airflow_report["catchup"]) == (1, False)
    assert airflow_report["deferrable"] is False
    assert (airflow_report["arrivals"], airflow_report["arrivals_none"]) == (True, False)


def test_airflow_operator_runs_the_real_job_and_skips_on_exit_3(airflow_report):
    lake = Path(airflow_report["work"]) / "lake"
    assert airflow_report["rendered"] == {
        "runner": "DirectRunner",
        "input": str(REPO / "seeds" / "*.txt"),
        "output": str(lake),
    }
    assert airflow_report["first_run"] == "success"
    (manifest,) = [json.loads(p.read_text()) for p in (lake / "_runs").glob("*.json")]
    assert (manifest["matched"], manifest["articles"], manifest["duplicates"]) == (5, 4, 1)
    # The provider's labels option reached the job as a Beam flag it knows.
    assert manifest["options"]["labels"][0].startswith("airflow-version=v3-")
    assert airflow_report["locked_run"] == (
        "skipped: another run holds the lake's lock (exit 3): skipped"
    )


def test_the_command_line_check_catches_a_misspelt_flag():
    argv = job_argv("docker run --entrypoint python IMAGE -m pipelines.ingest --ouput gs://b/l; x")
    assert argv == ["--ouput", "gs://b/l"]
    with pytest.raises(UsageError, match="did you mean --output"):
        parse_args(argv)
