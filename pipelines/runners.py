"""Runner selection.

`DirectRunner` in Beam 2.77 first tries the Prism runner, which downloads a binary. Batch runs
here must work offline, so DirectRunner (the default) is pinned to its own FnApiRunner engine,
which honours --direct_num_workers and --direct_running_mode. Every other --runner (Dataflow,
Flink, Spark, Portable) is passed to Beam unchanged.

Memory: the DirectRunner's processes are multi-threaded (gRPC, bundle threads), and glibc gives
each thread that allocates its own malloc arena, up to 8 per core; memory freed in one arena
is rarely returned. Capping arenas at 2 (`MALLOC_ARENA_MAX`), measured on the same code over 25k
articles with 2 workers: the runner process peaked at 0.6 instead of 1.1 GiB and each worker at
0.65 instead of 0.88 GiB, at the same wall time (37.3 vs 38.2 s). A value already set in the
environment is left alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.runners.runner import PipelineRunner

from pipelines.progress import ObservedFnApiRunner, RunProgress

_DIRECT = {None, "DirectRunner", "direct", "directrunner", "FnApiRunner"}
_MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number for the arena cap


def limit_malloc_arenas() -> None:
    """Cap glibc malloc arenas in this process (mallopt) and in workers it starts (env).

    No-op when MALLOC_ARENA_MAX is already set or the C library is not glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = str(_MALLOC_ARENAS)  # inherited by SDK worker processes
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(_M_ARENA_MAX, _MALLOC_ARENAS)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc (musl, macOS): nothing to tune


def resolve_runner(
    options: PipelineOptions,
    progress: RunProgress | None = None,
    poll: bool = False,
    gate: Callable[[], None] | None = None,
) -> PipelineRunner | str:
    """The runner to construct the pipeline with: an offline FnApiRunner for DirectRunner.

    `progress`: receives each finished bundle's stage and counters (DirectRunner only); with
    `poll`, running bundles' counters too (for a live progress line). `gate` (DirectRunner
    only, without progress): called once the pipeline is translated, right before it executes.
    """
    name = options.view_as(StandardOptions).runner
    if name not in _DIRECT:
        if progress is not None:
            progress.runner_without_progress(name)
        return name
    limit_malloc_arenas()
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.portable_runner import JobServiceHandle

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    provision = fn_runner.ExtendedProvisionInfo(
        beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    )
    if progress is not None:
        return ObservedFnApiRunner(progress, poll=poll, provision_info=provision)
    if gate is not None:
        return GatedFnApiRunner(gate, provision_info=provision)
    return fn_runner.FnApiRunner(provision_info=provision)


class GatedFnApiRunner(fn_runner.FnApiRunner):
    """The FnApiRunner, calling `gate()` between preparing the pipeline and executing it: a
    streaming commit prepares its graph while the previous one runs and waits at the gate for
    its files.

    Prepared before the gate: the pipeline's proto and fused stages (~45 % of a small
    commit's CPU), and with the in-process worker one bundle processor per stage (each
    inspects every DoFn's methods, builds its operations and calls `DoFn.setup`: 0.9 s of a
    50-file commit's 1.6 s of execution CPU, measured), which the worker keeps and reuses for
    the stage's bundles.
    """

    def __init__(self, gate: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gate = gate
        self._gated = False

    def run_stages(self, stage_context, stages):
        self._gated = False
        return super().run_stages(stage_context, stages)

    def _execute_bundle(self, runner_execution_context, bundle_context_manager, bundle_input):
        if not self._gated:  # the first bundle: nothing has read any input yet
            self._gated = True
            _prepare_bundle_processors(runner_execution_context)
            self._gate()
        return super()._execute_bundle(
            runner_execution_context, bundle_context_manager, bundle_input
        )


def _prepare_bundle_processors(context: Any) -> None:
    """Create each stage's bundle processor in the in-process workers' caches, where the
    stage's first bundle finds it (Beam's `BundleProcessorCache.get` / `release`, as after a
    bundle). Other worker kinds (processes, gRPC) create theirs when the bundle runs."""
    for stage in context.stages.values():
        manager = context.bundle_manager_for(stage)
        descriptor = manager.process_bundle_descriptor
        context.worker_handler_manager.register_process_bundle_descriptor(descriptor)
        for handler in manager.worker_handlers:
            cache = getattr(handler, "bundle_processor_cache", None)
            if cache is None:
                return
            instruction = f"prepare-{descriptor.id}-{id(handler)}"
            cache.get(instruction, descriptor.id)
            cache.release(instruction)
