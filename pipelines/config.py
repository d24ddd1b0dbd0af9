"""Tuning knobs of the pipeline stages, as small frozen dataclasses validated on construction."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.core.boilerplate import BoilerplateConfig
from pipelines.core.decode import DecodeConfig
from pipelines.core.headers import HeaderConfig
from pipelines.core.index import IndexConfig
from pipelines.core.language import LanguageConfig
from pipelines.core.near_dup import NearDupConfig

MIB = 1024 * 1024


@dataclass(frozen=True)
class ReadConfig:
    """`max_article_bytes`: larger inputs are quarantined as too_large, keeping `raw_cap` bytes."""

    max_article_bytes: int = 10 * MIB
    raw_cap: int = 1 * MIB

    def __post_init__(self) -> None:
        if self.max_article_bytes < 1:
            raise ValueError("max_article_bytes must be >= 1")
        if not 0 <= self.raw_cap <= self.max_article_bytes:
            raise ValueError("raw_cap must be within [0, max_article_bytes]")


@dataclass(frozen=True)
class WriteConfig:
    """Target rows per output file and per Parquet row group; quarantine files hold fewer.
    `ledger_max_files`: when a run starts with this many `_ledger/` files, it merges them
    into one (`lake/compact.py`): every run checks and reads each ledger file, and each run
    or streaming commit adds one."""

    rows_per_file: int = 50_000
    row_group_rows: int = 10_000
    quarantine_rows_per_file: int = 1_000
    compression: str = "zstd"
    ledger_max_files: int = 64

    def __post_init__(self) -> None:
        if min(self.rows_per_file, self.row_group_rows, self.quarantine_rows_per_file) < 1:
            raise ValueError("rows per file / row group must be >= 1")
        if not isinstance(self.ledger_max_files, int) or self.ledger_max_files < 2:
            raise ValueError("ledger_max_files must be an int >= 2")
        if self.compression not in {"zstd", "snappy", "gzip", "none"}:
            raise ValueError(f"unsupported compression {self.compression!r}")


@dataclass(frozen=True)
class PipelineConfig:
    """All stage configs in one value, handed to the composite transforms."""

    read: ReadConfig = field(default_factory=ReadConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    header: HeaderConfig = field(default_factory=HeaderConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    dedup: NearDupConfig = field(default_factory=NearDupConfig)
    index: IndexConfig = field(default_factory=IndexConfig)
    write: WriteConfig = field(default_factory=WriteConfig)
