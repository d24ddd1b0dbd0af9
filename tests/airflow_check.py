"""Run by tests/test_deploy.py with the Airflow virtualenv's Python (Airflow cannot share the
project's virtualenv: its pins conflict with Beam's). Prints one JSON object on stdout.

    AIRFLOW_PYTHON tests/airflow_check.py DAG_FOLDER SPINDRIFT_PYTHON SEEDS_GLOB WORK_DIR

1. loads DAG_FOLDER (and deploy/schedule/) into a real DagBag and reports import errors,
   warnings and the DAG's shape;
2. executes the `ingest` task (templates rendered as a run of 2025-06-01 would) with the Beam
   provider's own operator code over SEEDS_GLOB into WORK_DIR/lake: a real run of the job;
3. executes it again while this process holds the lake's lock: the task must be skipped.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import sys
import types


def main(dag_folder: str, spindrift_python: str, seeds: str, work: str) -> dict:
    os.environ["SPINDRIFT_PYTHON"] = spindrift_python  # read when the DAG file is parsed
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3.1+
    except ImportError:
        from airflow.models.dagbag import DagBag
    from airflow.providers.common.compat.sdk import AirflowSkipException

    try:
        bag = DagBag(dag_folder=dag_folder, include_examples=False)
    except TypeError:  # Airflow 3.3 dropped the example DAGs from DagBag
        bag = DagBag(dag_folder=dag_folder)
    report: dict = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}
    warned = getattr(bag, "captured_warnings", {})
    report["warnings"] = {k: list(v) for k, v in warned.items()}
    report["dag_ids"] = sorted(bag.dags)
    # deploy/schedule/'s BashOperator DAG must load too.
    schedule = os.path.join(os.path.dirname(os.path.abspath(dag_folder)), "schedule")
    try:
        other = DagBag(dag_folder=schedule, include_examples=False)
    except TypeError:
        other = DagBag(dag_folder=schedule)
    report["schedule"] = {
        "import_errors": {k: str(v) for k, v in other.import_errors.items()},
        "warnings": {k: list(v) for k, v in getattr(other, "captured_warnings", {}).items()},
        "dag_ids": sorted(other.dags),
    }
    if report["import_errors"] or "spindrift_ingest_beam" not in bag.dags:
        return report
    dag = bag.dags["spindrift_ingest_beam"]
    report["tasks"] = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    report["max_active_runs"] = dag.max_active_runs
    report["catchup"] = dag.catchup
    report["operator"] = [c.__name__ for c in type(dag.get_task("ingest")).__mro__[:2]]
    report["deferrable"] = dag.get_task("ingest").deferrable

    lake = os.path.join(work, "lake")
    context = {
        "ds": "2025-06-01",
        "params": {"input": seeds},
        "var": types.SimpleNamespace(value={"spindrift_output": lake}),
    }

    def run_ingest() -> str:
        task = copy.deepcopy(dag.get_task("ingest"))
        task.render_template_fields(context)
        report.setdefault("rendered", {"runner": task.runner, **task.pipeline_options})
        try:
            task.execute(context)
        except AirflowSkipException as exc:
            return f"skipped: {exc}"
        return "success"

    check = copy.deepcopy(dag.get_task("check_arrivals"))
    check.render_template_fields(context)
    report["arrivals"] = check.python_callable(**check.op_kwargs)
    report["arrivals_none"] = check.python_callable(os.path.join(work, "nothing", "*.txt"))
    report["first_run"] = run_ingest()
    with open(os.path.join(lake, "_lock"), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        report["locked_run"] = run_ingest()
    return report


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
