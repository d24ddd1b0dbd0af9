"""Streaming: ingest files continuously as they land.

- `watch.py`: `spindrift ingest --watch`, continuous micro-batches on any runner the batch job
  uses (the local DirectRunner included): each commit is one run of `pipelines.ingest.build`
  over the files that landed since the last one, published by the lake's commit protocol.
- `scan.py`: which files are new or changed (pure, no Beam).
- `microbatch.py`: one bounded commit (pipeline + publish), in a forked child process that is
  prepared (graph built and translated) while the previous commit runs.
- `unbounded.py`: the same transforms in an unbounded Beam pipeline for runners that stream
  (PeriodicImpulse + MatchAll source, duplicate state in Beam state with timers).
"""
