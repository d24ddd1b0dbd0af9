"""Runner selection.

`DirectRunner` in Beam 2.77 first tries the Prism runner, which downloads a binary. Batch runs
here must work offline, so DirectRunner (the default) is pinned to its own FnApiRunner engine,
which honours --direct_num_workers and --direct_running_mode. Every other --runner (Dataflow,
Flink, Spark, Portable) is passed to Beam unchanged.
"""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.runner import PipelineRunner

_DIRECT = {None, "DirectRunner", "direct", "directrunner", "FnApiRunner"}


def resolve_runner(options: PipelineOptions) -> PipelineRunner | str:
    """The runner to construct the pipeline with: an offline FnApiRunner for DirectRunner."""
    name = options.view_as(StandardOptions).runner
    if name not in _DIRECT:
        return name
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    provision = fn_runner.ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    )
    return fn_runner.FnApiRunner(provision_info=provision)
