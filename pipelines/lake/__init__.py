"""The lake: its layout, run lock, snapshot, commit protocol, state checks and repair.

One package owns how a run's files become visible (see `commit.py` for the protocol and
`snapshot.py` for what readers honour); the Beam stages only stage files.
"""
