"""Fast Beam coders for the records that flow between pipeline stages.

Without these, Beam encodes our dataclasses with FastPrimitivesCoder's pickle fallback (about
20 us per Article round trip, many times per article). Each coder here flattens a record into a
tuple of primitives -- dates as ordinals, UTC datetimes as epoch microseconds, numpy arrays as
(dtype, shape, raw bytes) -- and pickles that tuple, which is several times faster and smaller.

Two registrations, both done on import (``pipelines.ingest`` imports this module):

* ``register_coder(Type, Coder)`` for each record type: used wherever a PCollection's element
  type is known to be exactly that type (a type hint or an annotated ``process``).
* ``register_fallback_coder(RecordsPrimitivesCoder)``: most of our PCollections carry no type
  hint (``Any``), so Beam picks its fallback, FastPrimitivesCoder, which never consults the
  registry -- not for whole elements, nor for values nested in tuples such as ``(key, Article)``.
  RecordsPrimitivesCoder is a FastPrimitivesCoder whose fallback dispatches on the value's exact
  type to the coders below (one tag byte), and pickles anything else exactly as before.

Coders are deterministic only where the bytes are a pure function of the value; the pickled
tuple form is not guaranteed to be (pickle memoizes by identity), so they say False, and Beam
keeps using its own deterministic encoding for grouping keys.
"""

from __future__ import annotations

import datetime as dt
import operator
import pickle
from collections.abc import Callable
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.coders import coder_impl

from pipelines.core.index import IndexEntry
from pipelines.core.near_dup import Signature, WordProfile
from pipelines.core.near_dup.openings import Openings
from pipelines.core.near_dup.own_text import OwnText
from pipelines.core.records import (
    Article,
    DecodedText,
    Duplicate,
    LedgerEntry,
    Quarantined,
    RawFile,
)
from pipelines.transforms.dedup import Dropped, Features
from pipelines.transforms.write import StagedFile

_PROTOCOL = 5
_Packer = tuple[Callable[[Any], Any], Callable[[Any], Any]]
_dumps = pickle.dumps
_loads = pickle.loads

_UTC = dt.timezone.utc
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MICRO = dt.timedelta(microseconds=1)
_DATE = dt.date
_DATETIME = dt.datetime
_NDARRAY = np.ndarray

# --------------------------------------------------------------------------------------------
# Field packers: each maps a field value to a pickle-friendly primitive and back, exactly.
# Anything of an unexpected type is kept as-is inside a 1-tuple so the round trip stays exact.


def _date_out(v: Any) -> Any:
    if v is None:
        return None
    if type(v) is _DATE:
        return v.toordinal()
    return (v,)


def _date_in(v: Any) -> Any:
    if v is None:
        return None
    if type(v) is int:
        return _DATE.fromordinal(v)
    return v[0]


def _datetime_out(v: Any) -> Any:
    if type(v) is _DATETIME and v.tzinfo is _UTC and not v.fold:
        return (v - _EPOCH) // _MICRO
    return (v,)


def _datetime_in(v: Any) -> Any:
    if type(v) is int:
        return _EPOCH + _MICRO * v
    return v[0]


def _array_out(a: Any) -> Any:
    if type(a) is _NDARRAY and not a.dtype.hasobject and a.dtype.fields is None:
        return (a.dtype.str, a.shape, a.tobytes())
    return (a,)


def _array_in(v: Any) -> Any:
    if len(v) == 1:
        return v[0]
    dtype, shape, raw = v
    # A writable copy, like the array that was encoded (frombuffer over bytes is read-only).
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _signature_out(s: Any) -> Any:
    if type(s) is not Signature:
        return (s,)
    return (
        s.exact,
        _array_out(s.shingles),
        _array_out(s.positions),
        s.mode,
        s.n_tokens,
        s.main_start,
        s.main_end,
        _array_out(s.numbers),
        _own_out(s.own),
        _openings_out(s.openings),
    )


def _openings_out(o: Any) -> Any:
    return None if o is None else o.packed


def _openings_in(v: Any) -> Any:
    return None if v is None else Openings(v)


def _own_out(own: Any) -> Any:
    if own is None:
        return None
    sig = None if own.signature is None else _signature_out(own.signature)
    return (own.partial, own.words, _array_out(own.lines), sig, _array_out(own.line_words))


def _own_in(v: Any) -> Any:
    if v is None:
        return None
    partial, words, lines, sig, line_words = v
    signature = None if sig is None else _signature_in(sig)
    return OwnText(partial, words, _array_in(lines), signature, _array_in(line_words))


def _signature_in(v: Any) -> Any:
    if len(v) == 1:
        return v[0]
    exact, shingles, positions, mode, n_tokens, main_start, main_end, numbers, own, openings = v
    return Signature(
        exact,
        _array_in(shingles),
        _array_in(positions),
        mode,
        n_tokens,
        main_start,
        main_end,
        _array_in(numbers),
        _own_in(own),
        _openings_in(openings),
    )


# --------------------------------------------------------------------------------------------
# Record coders


class _RecordCoder(beam.coders.Coder):
    """Encodes a dataclass record as a pickled tuple of its (packed) init fields, in order.

    Subclasses set ``record_type`` and optionally ``packers``: ((field name, (out, in)), ...).
    """

    record_type: type = object
    packers: tuple[tuple[str, _Packer], ...] = ()

    def __init__(self) -> None:
        self._encode, self._decode = _record_codec(self.record_type, self.packers)

    def encode(self, value: Any) -> bytes:
        return self._encode(value)

    def decode(self, encoded: bytes) -> Any:
        return self._decode(encoded)

    def _create_impl(self) -> coder_impl.CoderImpl:
        return coder_impl.CallbackCoderImpl(self._encode, self._decode)

    def is_deterministic(self) -> bool:
        return False

    def to_type_hint(self) -> type:
        return self.record_type

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return type(self), ()


def _record_codec(
    cls: type, packers: tuple[tuple[str, _Packer], ...]
) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    """(encode, decode) functions for dataclass ``cls`` (all fields must be init fields)."""
    import dataclasses

    fields = list(dataclasses.fields(cls))
    if any(not f.init or f.kw_only for f in fields):
        raise TypeError(f"{cls.__name__}: only positional init fields are supported")
    names = [f.name for f in fields]
    get = operator.attrgetter(*names)
    if not packers:

        def encode(value: Any) -> bytes:
            return _dumps(get(value), _PROTOCOL)

        def decode(encoded: bytes) -> Any:
            return cls(*_loads(encoded))

        return encode, decode

    by_name = dict(packers)
    outs = [(i, *by_name[n]) for i, n in enumerate(names) if n in by_name]

    def encode_packed(value: Any) -> bytes:
        row = list(get(value))
        for i, out, _ in outs:
            row[i] = out(row[i])
        return _dumps(tuple(row), _PROTOCOL)

    def decode_packed(encoded: bytes) -> Any:
        row = list(_loads(encoded))
        for i, _, into in outs:
            row[i] = into(row[i])
        return cls(*row)

    return encode_packed, decode_packed


_DATE_P = (_date_out, _date_in)
_DATETIME_P = (_datetime_out, _datetime_in)
_ARRAY_P = (_array_out, _array_in)
_SIGNATURE_P = (_signature_out, _signature_in)


class ArticleCoder(_RecordCoder):
    record_type = Article
    # Bodies travel uncompressed: zlib level 1 saved ~2 % of peak memory at 25k articles but
    # cost ~2 CPU seconds (a body is encoded and decoded twice between stages).
    packers = (("ingested_at", _DATETIME_P), ("published_date", _DATE_P))


class DuplicateCoder(_RecordCoder):
    record_type = Duplicate
    packers = (("ingested_at", _DATETIME_P), ("published_date", _DATE_P))


class QuarantinedCoder(_RecordCoder):
    record_type = Quarantined
    packers = (("quarantined_at", _DATETIME_P),)


class RawFileCoder(_RecordCoder):
    record_type = RawFile


class DecodedTextCoder(_RecordCoder):
    record_type = DecodedText


class LedgerEntryCoder(_RecordCoder):
    record_type = LedgerEntry
    packers = (("ingested_at", _DATETIME_P),)


class SignatureCoder(_RecordCoder):
    record_type = Signature
    packers = (
        ("shingles", _ARRAY_P),
        ("positions", _ARRAY_P),
        ("numbers", _ARRAY_P),
        ("own", (_own_out, _own_in)),
        ("openings", (_openings_out, _openings_in)),
    )


class WordProfileCoder(_RecordCoder):
    record_type = WordProfile
    packers = (("ids", _ARRAY_P),)


class FeaturesCoder(_RecordCoder):
    record_type = Features
    packers = (("published_date", _DATE_P), ("signature", _SIGNATURE_P))


class DroppedCoder(_RecordCoder):
    record_type = Dropped
    packers = (("kept_date", _DATE_P),)


class IndexEntryCoder(_RecordCoder):
    record_type = IndexEntry
    packers = (
        ("published_date", _DATE_P),
        ("effective_date", _DATE_P),
        ("signature", _SIGNATURE_P),
    )


class StagedFileCoder(_RecordCoder):
    record_type = StagedFile


# Order is part of the wire format of RecordsPrimitivesCoder (tag = index + 1); append only.
RECORD_CODERS: tuple[type[_RecordCoder], ...] = (
    ArticleCoder,
    DuplicateCoder,
    QuarantinedCoder,
    RawFileCoder,
    DecodedTextCoder,
    LedgerEntryCoder,
    SignatureCoder,
    WordProfileCoder,
    FeaturesCoder,
    DroppedCoder,
    IndexEntryCoder,
    StagedFileCoder,
)

# --------------------------------------------------------------------------------------------
# Fallback for untyped PCollections (and records nested in tuples/lists/dicts)


class _DispatchImpl(coder_impl.StreamCoderImpl):
    """Tag byte + a record coder's bytes for known record types; tag 0 + pickle otherwise."""

    def __init__(self) -> None:
        self._by_type: dict[type, tuple[int, Callable[[Any], bytes]]] = {}
        self._decoders: list[Callable[[bytes], Any] | None] = [None]
        for tag, coder_cls in enumerate(RECORD_CODERS, start=1):
            coder = coder_cls()
            self._by_type[coder.record_type] = (tag, coder.encode)
            self._decoders.append(coder.decode)

    def encode_to_stream(self, value: Any, stream: Any, nested: bool) -> None:
        hit = self._by_type.get(type(value))
        if hit is None:
            stream.write_byte(0)
            stream.write(_dumps(value, pickle.HIGHEST_PROTOCOL), nested)
        else:
            stream.write_byte(hit[0])
            stream.write(hit[1](value), nested)

    def decode_from_stream(self, stream: Any, nested: bool) -> Any:
        tag = stream.read_byte()
        data = stream.read_all(nested)
        if tag == 0:
            return _loads(data)
        return self._decoders[tag](data)


class _DispatchCoder(beam.coders.Coder):
    """The fallback of RecordsPrimitivesCoder (not deterministic, like PickleCoder)."""

    def _create_impl(self) -> coder_impl.CoderImpl:
        return _DispatchImpl()

    def is_deterministic(self) -> bool:
        return False

    def as_deterministic_coder(self, step_label: str, error_message: str | None = None) -> Any:
        return beam.coders.FastPrimitivesCoder().as_deterministic_coder(step_label, error_message)

    def to_type_hint(self) -> Any:
        return Any

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class RecordsPrimitivesCoder(beam.coders.FastPrimitivesCoder):
    """FastPrimitivesCoder whose fallback encodes our record types with the coders above."""

    def __init__(self, fallback_coder: beam.coders.Coder | None = None) -> None:
        super().__init__(fallback_coder or _DispatchCoder())

    def as_deterministic_coder(self, step_label: str, error_message: str | None = None) -> Any:
        # Grouping keys: exactly Beam's own deterministic encoding, as without this module.
        return beam.coders.FastPrimitivesCoder().as_deterministic_coder(step_label, error_message)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


def register() -> None:
    """Register the coders with Beam's global registry (idempotent)."""
    registry = beam.coders.registry
    for coder_cls in RECORD_CODERS:
        registry.register_coder(coder_cls.record_type, coder_cls)
    if not getattr(registry, "_spindrift_fallback", False):
        registry.register_fallback_coder(RecordsPrimitivesCoder)
        registry._spindrift_fallback = True


register()
