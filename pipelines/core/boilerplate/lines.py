"""Lines of a body and their stable 63-bit hashes (what cross-document repetition counts)."""

from __future__ import annotations

import hashlib

import numpy as np


def body_lines(body: str) -> list[str]:
    """The non-blank lines of a body, stripped: the blocks boilerplate is decided on (a
    scraper writes one block of the page per line)."""
    return [line for line in (raw.strip() for raw in body.split("\n")) if line]


def line_hash(line: str) -> int:
    """63-bit hash of a line, case- and space-insensitive, equal in every process."""
    key = " ".join(line.lower().split()).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little") >> 1


def line_hashes(lines: list[str]) -> np.ndarray:
    """int64 hash of each line, in order."""
    return np.fromiter((line_hash(line) for line in lines), dtype=np.int64, count=len(lines))
