"""Keras 3's dropout, reproduced in plain NumPy (``--rng keras-numpy`` / ``--rng keras-jax``).

``keras_dropout(x, rate, noise_shape, seed, call, backend)`` returns what
``keras.random.dropout(x, rate, noise_shape, seed=[seed, call])`` returns for the NumPy array
``x`` under that Keras backend, and with ``layer=True`` what a seeded
``keras.layers.Dropout(rate, noise_shape, seed=seed)`` returns on its call ``call`` (0-based,
``training=True``) -- bit for bit, without Keras or JAX (checked against Keras 3.15.1 and
JAX 0.10.2 on x86-64 CPU).

Facts (read from ``keras/src/backend/{numpy,jax}/random.py``, ``keras/src/random/seed_generator.py``
and ``jax/_src/random/{core,prng,threefry2x32}.py``):

* a layer with ``seed=S`` owns a ``SeedGenerator`` whose uint32 state is ``[S, k]`` on call ``k``;
* NumPy backend: ``mask = default_rng([S, k]).uniform(size=noise_shape) < 1 - rate``,
  ``y = where(mask, (x / keep_prob).astype(x.dtype), 0)``;
* JAX backend: the state is a raw threefry2x32 key; with ``jax_threefry_partitionable`` (the
  default in JAX 0.10) element ``i`` of the noise (C order) hashes the counter
  ``(i >> 32, i & 0xFFFFFFFF)``, its bits are ``out0 ^ out1``, the float32 uniform is
  ``(bits >> 9) * 2**-23`` and ``mask = uniform < float32(keep_prob)``;
  ``y = select(mask, x / keep_prob, 0)`` where ``x / keep_prob`` is NumPy's division for the
  NumPy input (``f8`` results become float32 in JAX's default 32-bit mode);
* a layer first casts floating inputs to float32; under JAX, XLA on CPU turns the division by
  the constant into a multiplication by ``1 / float32(keep_prob)``.
"""
import math

import numpy as np

BACKENDS = ("numpy", "jax")

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def threefry2x32(key0, key1, x0, x1):
    """JAX's threefry2x32 (20 rounds) of counters ``(x0, x1)`` (uint32 arrays) under the key
    ``(key0, key1)``; returns the two uint32 output arrays."""
    k = [np.uint32(key0), np.uint32(key1)]
    k.append(k[0] ^ k[1] ^ np.uint32(0x1BD11BDA))
    x0 = np.array(x0, dtype=np.uint32, copy=True)
    x1 = np.array(x1, dtype=np.uint32, copy=True)
    with np.errstate(over="ignore"):
        x0 += k[0]
        x1 += k[1]
        for group in range(5):
            for r in _ROTATIONS[group % 2]:
                x0 += x1
                x1 = (x1 << np.uint32(r)) | (x1 >> np.uint32(32 - r))
                x1 ^= x0
            x0 += k[(group + 1) % 3]
            x1 += k[(group + 2) % 3]
            x1 += np.uint32(group + 1)
    return x0, x1


def jax_random_bits(seed, call, shape):
    """``jax.random.bits(key, shape)`` (32 bits) for the raw key ``[seed, call]``, partitionable
    threefry layout."""
    n = math.prod(shape)
    index = np.arange(n, dtype=np.uint64)
    hi = (index >> np.uint64(32)).astype(np.uint32)
    lo = (index & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    a, b = threefry2x32(seed, call, hi, lo)
    return (a ^ b).reshape(tuple(shape))


def keep_jax(seed, call, noise_shape, rate):
    """``jax.random.bernoulli(key, p=1 - rate, shape=noise_shape)`` for the key ``[seed, call]``."""
    bits = jax_random_bits(seed, call, noise_shape)
    uniform = ((bits >> np.uint32(9)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)
    return uniform < np.float32(1.0 - rate)


def keep_numpy(seed, call, noise_shape, rate):
    """``default_rng([seed, call]).uniform(size=noise_shape) < 1 - rate`` (Keras's NumPy backend)."""
    rng = np.random.default_rng(np.array([seed, call], dtype=np.uint32))
    return rng.uniform(size=tuple(noise_shape)) < 1.0 - rate


def keep_mask(seed, call, noise_shape, rate, backend):
    """The keep mask (True = kept) of a Keras backend for the seed state ``[seed, call]``."""
    _check(seed, call, backend)
    if backend == "numpy":
        return keep_numpy(seed, call, noise_shape, rate)
    return keep_jax(seed, call, noise_shape, rate)


def concrete_noise_shape(x_shape, noise_shape):
    """``noise_shape`` with ``None`` entries replaced by the input's sizes (Keras's rule)."""
    if noise_shape is None:
        return tuple(x_shape)
    return tuple(x_shape[i] if n is None else int(n) for i, n in enumerate(noise_shape))


def apply_keep(x, keep, rate, backend, layer=False):
    """``y`` for the NumPy array ``x`` and a keep mask (broadcast to ``x``) under ``backend``;
    ``layer`` first casts floating inputs to float32 as a Keras layer does. Raises TypeError where
    Keras fails (integer or bool inputs under JAX) and ValueError for complex inputs (npdrop
    refuses them)."""
    x = np.asarray(x)
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if x.dtype.kind == "c":
        raise ValueError("complex inputs are not supported")
    if backend == "jax" and x.dtype.kind not in "f":
        raise TypeError(f"Keras's JAX dropout fails on {x.dtype} inputs (lax.select needs one dtype)")
    if layer and x.dtype.kind == "f":
        x = x.astype(np.float32)
    if rate == 0:
        return x
    keep_prob = 1.0 - rate
    if rate == 1:
        dtype = np.float32 if backend == "jax" and x.dtype == np.float64 else x.dtype
        return np.zeros(x.shape, dtype=dtype)
    mask = np.broadcast_to(keep, x.shape)
    with np.errstate(all="ignore"):
        if backend == "numpy":
            return np.where(mask, (x / keep_prob).astype(x.dtype), np.zeros_like(x))
        if layer:
            scaled = x * (np.float32(1) / np.float32(keep_prob))
        else:
            scaled = x / keep_prob
            if scaled.dtype == np.float64:
                scaled = scaled.astype(np.float32)
    return np.where(mask, scaled, np.zeros((), dtype=scaled.dtype))


def keras_dropout(x, rate, noise_shape=None, seed=0, call=0, backend="numpy", layer=False):
    """What Keras 3 returns for the NumPy array ``x``: the op ``keras.random.dropout`` with the
    seed ``[seed, call]``, or (``layer=True``) a ``keras.layers.Dropout(rate, noise_shape,
    seed=seed)`` on its call ``call`` with ``training=True`` (SpatialDropout layers: pass their
    noise shape, e.g. ``(N, 1, C)``)."""
    x = np.asarray(x)
    _check(seed, call, backend)
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be in [0, 1], got {rate}")
    dims = concrete_noise_shape(x.shape, noise_shape)
    keep = keep_mask(seed, call, dims, rate, backend) if 0 < rate < 1 else np.full(dims, rate == 0)
    return apply_keep(x, keep, rate, backend, layer)


def _check(seed, call, backend):
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"Keras seeds are uint32: seed must be in [0, 2**32), got {seed}")
    if not 0 <= int(call) < 2**32:
        raise ValueError(f"the call index must be in [0, 2**32), got {call}")
