"""npdrop's masks and results in plain NumPy, for pipelines that read its outputs.

* ``keep_mask(record)`` / ``dropout(x, record)``: the keep mask and the result of one record of
  ``OUT/manifest.jsonl``, for every ``--rng`` (npdrop, keras-numpy, keras-jax);
* ``iter_run(OUT)``: ``(record, result, mask)`` for each array of a run;
* ``keras_dropout(x, rate, noise_shape, seed, call, backend, layer=False)``: what Keras 3
  returns, without Keras;
* ``npdrop_keep_mask(seed, spawn_key, noise_shape, rate)`` and ``spawn_key(key, copy)``: npdrop's
  own stream from scratch.
"""
from ._stream import array_key, noise_dims, parse_noise_spec, spawn_key
from ._stream import keep_mask as npdrop_keep_mask
from .keras import keras_dropout, threefry2x32
from .records import dropout, iter_run, keep_mask, read_manifest

__version__ = "0.1.0"

__all__ = [
    "array_key", "dropout", "iter_run", "keep_mask", "keras_dropout", "noise_dims", "npdrop_keep_mask",
    "parse_noise_spec", "read_manifest", "spawn_key", "threefry2x32",
]
