"""Airflow 2.x DAG: every hour, ingest the day's arrival folder into the Spindrift lake, then
check the lake still answers a query. See deploy/schedule/README.md.

Copy this file into the Airflow `dags/` folder. Needs Airflow 2.7+ (`schedule=`, and
`skip_on_exit_code` taking several codes); loads with no import error or warning in a real
Airflow 3.3 DagBag (tests/test_deploy.py). The workers need the Spindrift virtualenv and access
to the input and output paths. deploy/airflow/ has the same schedule with the Beam provider's
operator; deploy one of the two per lake.

Airflow Variables (deployment settings, [default]):
    spindrift_venv      virtualenv holding the `spindrift` script    [/opt/spindrift/.venv]
    spindrift_incoming  root of the arrival folders, <root>/YYYY-MM-DD/*.txt
                                                                   [/srv/spindrift/incoming]
    spindrift_output    the lake (--output)                        [/var/lib/spindrift/lake]
Params ("Trigger DAG w/ config"; empty means the default):
    input       a Beam glob replacing the day's folder, e.g. <root>/*/*.txt to catch up on all
    beam_args   extra Beam flags, e.g. --direct_num_workers=4 --direct_running_mode=multi_processing
"""

from __future__ import annotations

import datetime as dt

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.7+
    from airflow import DAG
    from airflow.operators.bash import BashOperator

# Both env and bash_command are templated. The paths travel as environment variables, so the
# shell never word-splits or glob-expands them: the glob reaches the job (and Beam) as written.
# `ds` is the start of the data interval: the run for 23:00-24:00 still reads that day's folder,
# so files arriving in a day's last hour are picked up.
ENV = {
    "SPINDRIFT_VENV": "{{ var.value.get('spindrift_venv', '/opt/spindrift/.venv') }}",
    "SPINDRIFT_INPUT": (
        "{{ params.input or (var.value.get('spindrift_incoming', '/srv/spindrift/incoming')"
        " ~ '/' ~ ds ~ '/*.txt') }}"
    ),
    "SPINDRIFT_OUTPUT": "{{ var.value.get('spindrift_output', '/var/lib/spindrift/lake') }}",
    "SPINDRIFT_BEAM_ARGS": "{{ params.beam_args }}",
}

# Exit codes: 0 done; 3 another run holds DIR/_lock (skipped); 99 nothing has arrived yet for
# this day (skipped: the job itself would call an empty glob a bad argument, exit 2, and fail).
# Only a local glob can be checked here; a gs:// or s3:// one goes straight to the job.
INGEST_COMMAND = """\
set -eu
case "$SPINDRIFT_INPUT" in
  *://*) ;;
  *) if ! compgen -G "$SPINDRIFT_INPUT" >/dev/null; then
       echo "nothing matches $SPINDRIFT_INPUT yet: skipping"
       exit 99
     fi ;;
esac
# $SPINDRIFT_BEAM_ARGS is unquoted on purpose: zero or more flags.
exec "$SPINDRIFT_VENV"/bin/spindrift ingest --input "$SPINDRIFT_INPUT" \\
  --output "$SPINDRIFT_OUTPUT" $SPINDRIFT_BEAM_ARGS
"""

# A smoke check that fails (exit 1) when the lake cannot be opened or holds no articles.
QUERY_COMMAND = """\
set -eu
"$SPINDRIFT_VENV"/bin/spindrift query "$SPINDRIFT_OUTPUT" \\
  "select case when count(*) = 0 then error('no articles in the lake') else count(*) end
   as articles, max(published_date) as newest from articles"
"""

with DAG(
    dag_id="spindrift_ingest",
    description="Ingest raw news text into the Spindrift lake",
    doc_md=__doc__,
    schedule="@hourly",
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    # Each run re-reads its whole day folder and reruns are idempotent, so a backlog of missed
    # hours needs no backfill: the next run covers it.
    catchup=False,
    # Never two ingests at once from Airflow; cron, systemd or hand-started runs on the same
    # output are refused by the job's DIR/_lock (exit 3, skipped above).
    max_active_runs=1,
    dagrun_timeout=dt.timedelta(hours=3),
    params={"input": "", "beam_args": ""},
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    tags=["spindrift"],
) as dag:
    ingest = BashOperator(
        task_id="ingest",
        bash_command=INGEST_COMMAND,
        env=ENV,
        # Keep the worker's environment (PATH, HOME, cloud credentials) and add ours.
        append_env=True,
        skip_on_exit_code=[3, 99],
        execution_timeout=dt.timedelta(hours=2),
    )
    smoke_check = BashOperator(
        task_id="smoke_check",
        bash_command=QUERY_COMMAND,
        env=ENV,
        append_env=True,
        execution_timeout=dt.timedelta(minutes=10),
    )
    # Default trigger rule: a skipped ingest skips the check too.
    ingest >> smoke_check
