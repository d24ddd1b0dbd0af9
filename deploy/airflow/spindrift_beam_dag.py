"""Airflow DAG: every hour, run the Spindrift ingest job with the Apache Beam provider's
`BeamRunPythonPipelineOperator`, then check that the lake answers a query.
See deploy/airflow/README.md.

Tested (tests/test_deploy.py) on Airflow 3.3.2 with apache-airflow-providers-apache-beam 6.3.1:
the file loads into a DagBag with no import errors, and the ingest task, executed by Airflow's
operator code, runs the real job over seeds/ and is skipped when another run holds the lake.

The operator runs `PYTHON -m pipelines.ingest --runner=RUNNER --input=... --output=...` in a
subprocess and waits for it: the driver commits the run after the pipeline, so it must live as
long as the job. Exit 3 (another run holds the output's lock) marks the task skipped; any other
non-zero exit fails it.

Settings, read when the DAG file is parsed (environment of the scheduler and workers):
    SPINDRIFT_PYTHON     interpreter of a virtualenv with spindrift installed
                         [/opt/spindrift/.venv/bin/python]
Airflow Variables, read when a task runs (templates), [default]:
    spindrift_incoming   root of the arrival folders <root>/YYYY-MM-DD/*.txt
                                                                   [/srv/spindrift/incoming]
    spindrift_output     the lake (--output)                        [/var/lib/spindrift/lake]
    spindrift_runner     Beam runner                                [DirectRunner]
Params ("Trigger DAG w/ config"):
    input                a Beam glob replacing the day's folder, e.g. <root>/*/*.txt
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from typing import Any

from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator
from airflow.providers.common.compat.sdk import AirflowException, AirflowSkipException

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import ShortCircuitOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.10+
    from airflow import DAG
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import ShortCircuitOperator

LOCKED_EXIT = 3  # `spindrift ingest`: another run holds the output's lock
# The Beam hook reports a failed pipeline process only as this message (provider 6.x).
_EXIT_CODE = re.compile(r"failed with return code (\d+)\b")

PYTHON = os.environ.get("SPINDRIFT_PYTHON", "/opt/spindrift/.venv/bin/python")
INPUT = (
    "{{ params.input or (var.value.get('spindrift_incoming', '/srv/spindrift/incoming')"
    " ~ '/' ~ ds ~ '/*.txt') }}"
)
OUTPUT = "{{ var.value.get('spindrift_output', '/var/lib/spindrift/lake') }}"
RUNNER = "{{ var.value.get('spindrift_runner', 'DirectRunner') }}"

# Extra Beam flags, one entry per flag (`--key=value`; True gives a bare `--key`). Examples
# (deploy/README.md has the cluster side of each):
#   Flink/Spark job server: {"job_endpoint": "flink-jobserver:8099",
#       "environment_type": "EXTERNAL", "environment_config": "localhost:50000"}
#   Dataflow: RUNNER 'apache_beam.runners.dataflow.dataflow_runner.DataflowRunner' (the full
#       name: the provider's own Dataflow path stops waiting once the job id is printed, before
#       the driver commits) and {"project": "P", "region": "R", "temp_location": "gs://B/tmp",
#       "sdk_container_image": "REGION-docker.pkg.dev/P/spindrift/sdk:0.1.0"}
PIPELINE_OPTIONS: dict[str, Any] = {}


class SpindriftIngestOperator(BeamRunPythonPipelineOperator):
    """`BeamRunPythonPipelineOperator` running `python -m pipelines.ingest`, where exit 3
    (another run holds the lake) skips the task instead of failing it."""

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)
        except AirflowException as exc:
            code = _EXIT_CODE.search(str(exc))
            if code and int(code[1]) == LOCKED_EXIT:
                raise AirflowSkipException(
                    "another run holds the lake's lock (exit 3): skipped"
                ) from exc
            raise


def arrivals(pattern: str) -> bool:
    """False (skip the run) when a local glob matches nothing yet: the job would call an empty
    glob a bad argument (exit 2) and fail. Object-store globs go straight to the job."""
    return "://" in pattern or bool(glob.glob(pattern))


# A smoke check that fails when the lake cannot be opened or holds no articles.
QUERY_COMMAND = """\
set -eu
"$(dirname "$SPINDRIFT_PYTHON")"/spindrift query "$SPINDRIFT_OUTPUT" \\
  "select case when count(*) = 0 then error('no articles in the lake') else count(*) end
   as articles, max(published_date) as newest from articles"
"""

with DAG(
    dag_id="spindrift_ingest_beam",
    description="Ingest raw news text into the Spindrift lake (Beam provider)",
    doc_md=__doc__,
    schedule="@hourly",
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    # Reruns are idempotent and each run reads its whole day folder: no backfill needed.
    catchup=False,
    # Object stores have no DIR/_lock: on gs:// or s3:// this is what keeps runs apart.
    max_active_runs=1,
    dagrun_timeout=dt.timedelta(hours=3),
    params={"input": ""},
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    tags=["spindrift"],
) as dag:
    check_arrivals = ShortCircuitOperator(
        task_id="check_arrivals",
        python_callable=arrivals,
        op_kwargs={"pattern": INPUT},
    )
    ingest = SpindriftIngestOperator(
        task_id="ingest",
        py_file="pipelines.ingest",
        py_options=["-m"],
        py_interpreter=PYTHON,
        runner=RUNNER,
        pipeline_options={"input": INPUT, "output": OUTPUT, **PIPELINE_OPTIONS},
        # Not deferrable (whatever [operators] default_deferrable says): deferred, the driver
        # would run in the triggerer and its exit code come back through execute_complete,
        # where the exit-3 skip above does not apply.
        deferrable=False,
        execution_timeout=dt.timedelta(hours=2),
    )
    smoke_check = BashOperator(
        task_id="smoke_check",
        bash_command=QUERY_COMMAND,
        env={"SPINDRIFT_PYTHON": PYTHON, "SPINDRIFT_OUTPUT": OUTPUT},
        append_env=True,
        execution_timeout=dt.timedelta(minutes=10),
    )
    # Default trigger rule: a skipped check or ingest skips what follows.
    check_arrivals >> ingest >> smoke_check
