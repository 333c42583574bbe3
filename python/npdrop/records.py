"""Masks and results from ``OUT/manifest.jsonl`` records, for every ``--rng``."""
import json
import os

import numpy as np

from . import _stream, keras

_KERAS = {"keras-numpy": "numpy", "keras-jax": "jax"}


def rng_of(record):
    """The record's stream: ``npdrop`` (also for manifests older than the ``rng`` field),
    ``keras-numpy`` or ``keras-jax``."""
    return record.get("rng") or "npdrop"


def keep_mask(record):
    """The bool keep mask (noise shape, True = kept) of one processed record."""
    rng = rng_of(record)
    dims = tuple(record["noise_shape"])
    rate = record["rate"]
    if rng == "npdrop":
        return _stream.keep_mask(record["seed"], tuple(record["spawn_key"]), dims, rate)
    if rng not in _KERAS:
        raise ValueError(f"unknown rng {rng!r}")
    if rate == 0 or rate == 1:
        return np.full(dims, rate == 0)
    return keras.keep_mask(record["seed"], record.get("keras_call") or 0, dims, rate, _KERAS[rng])


def dropout(x, record):
    """The result npdrop writes for the input array ``x`` of one processed record (dtype, byte
    order and memory order as in its output file)."""
    x = np.asarray(x)
    keep = keep_mask(record)
    rng = rng_of(record)
    if rng == "npdrop":
        return _stream.apply_mask(x, keep, record["rate"], record.get("variant") or "dropout",
                                  no_scale=record.get("scale") is False, fill=record.get("fill"))
    y = keras.apply_keep(x, keep, record["rate"], _KERAS[rng], bool(record.get("keras_layer")))
    dtype = np.dtype(record.get("output_dtype") or y.dtype)
    order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    return np.asarray(y, dtype=dtype, order=order)


def read_manifest(out):
    """The records of ``OUT/manifest.jsonl``, in file order."""
    with open(os.path.join(out, "manifest.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def iter_run(out):
    """Yields ``(record, result, mask)`` for every array of the run in OUT (manifest order):
    the result array from OUT/data (npz members by name), and its keep mask from OUT/masks
    (None with ``--no-masks`` and for copied members). Error records are skipped."""
    cache = {}

    def load(path, member):
        full = os.path.join(out, path)
        if member is None:
            return np.load(full, allow_pickle=False)
        if full not in cache:
            cache.clear()
            cache[full] = np.load(full, allow_pickle=False)
        return cache[full][member]

    for record in read_manifest(out):
        if record.get("status") == "error":
            continue
        result = load(record["output"], record.get("output_member"))
        mask = load(record["mask"], record.get("mask_member")) if record.get("mask") else None
        yield record, result, mask
