"""npdrop's own stream (``--rng npdrop``, contract section 3) in plain NumPy.

Keys, spawn keys, noise shapes, keep masks and results, plus the command line of
``python/npdrop_ref.py`` (which re-exports this module):

    python3 npdrop_ref.py mask  --seed 7 --key x.npy --rate 0.5 --noise-shape 4,3
    python3 npdrop_ref.py mask  --seed 7 --key d/a.npz --member x.npy --rate 0.5 --noise-shape 4,3
    python3 npdrop_ref.py apply IN.npy OUT.npy --seed 7 --rate 0.5 [--variant spatial2d] ...
"""
import argparse
import os
import sys

import numpy as np

ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
VARIANTS = ("dropout", "spatial1d", "spatial2d", "spatial3d", "alpha")
SPATIAL_AXES = {"spatial1d": 1, "spatial2d": 2, "spatial3d": 3}


# ---- keys and streams (3.2) -------------------------------------------------------------

def array_key(relpath, member=None):
    """The key of an .npy file (member None) or of an .npz member."""
    return relpath if member is None else relpath + "\0" + member


def spawn_key(key, copy=0):
    """(copy, len(b), *words): b = UTF-8 key bytes, words = b zero-padded, little-endian u32."""
    b = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    padded = b + b"\0" * (-len(b) % 4)
    words = np.frombuffer(padded, dtype="<u4")
    return (copy, len(b), *(int(w) for w in words))


def generator(seed, spawn):
    """NumPy's Generator(PCG64(SeedSequence(seed, spawn_key=spawn)))."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn)))


def keep_mask(seed, spawn, noise_shape, rate):
    """keep = rng.random(noise_shape) >= rate, float64 uniforms in C order."""
    return generator(seed, spawn).random(tuple(noise_shape)) >= rate


def from_record(rec):
    """The keep mask of one manifest record (fields seed, spawn_key, noise_shape, rate)."""
    return keep_mask(rec["seed"], tuple(rec["spawn_key"]), rec["noise_shape"], rec["rate"])


# ---- noise shapes (3.1) -------------------------------------------------------------------

def parse_noise_spec(text):
    """'None,1,None' or '(None, 1, None)' -> [None, 1, None]."""
    body = text.strip()
    if body[:1] + body[-1:] in ("()", "[]"):
        body = body[1:-1].strip()
    if not body:
        return []
    parts = [p.strip() for p in body.split(",")]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return [None if p in ("None", "none") else int(p) for p in parts]


def noise_dims(variant, shape, spec=None, data_format="channels_last"):
    """Concrete noise shape: the explicit spec if given, else the variant's preset."""
    shape = tuple(shape)
    if spec is not None:
        if len(spec) != len(shape):
            raise ValueError(f"noise shape {spec} does not have the rank of {shape}")
        for axis, (s, d) in enumerate(zip(spec, shape)):
            if s not in (None, 1, d):
                raise ValueError(f"noise shape {spec} does not fit {shape} at axis {axis}")
        return tuple(d if s is None else s for s, d in zip(spec, shape))
    if variant not in SPATIAL_AXES:
        return shape
    batched_rank = SPATIAL_AXES[variant] + 2
    if len(shape) not in (batched_rank, batched_rank - 1):
        raise ValueError(f"{variant} needs rank {batched_rank} or {batched_rank - 1}, got {shape}")
    batched = len(shape) == batched_rank
    channel = len(shape) - 1 if data_format == "channels_last" else (1 if batched else 0)
    return tuple(d if (batched and i == 0) or i == channel else 1 for i, d in enumerate(shape))


# ---- results (3.3) ------------------------------------------------------------------------

def apply_mask(x, keep, rate, variant="dropout", no_scale=False, fill=None):
    """y for array x and keep mask (noise shape), keeping dtype, byte order and memory order."""
    kb = np.broadcast_to(keep, x.shape)
    order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    kind = x.dtype.kind
    if variant == "alpha" and (kind != "f" or rate >= 1):
        raise ValueError("alpha dropout needs a float array and rate < 1")
    if rate == 0:
        return x.copy(order=order)                        # byte-identical, every variant
    native = x.astype(x.dtype.newbyteorder("="))          # compute in native byte order
    with np.errstate(over="ignore", invalid="ignore"):    # inf and NaN are results, not errors
        if variant == "alpha":
            T = native.dtype.type
            a = ((1 - rate) * (1 + rate * ALPHA_P ** 2)) ** -0.5  # float64, C pow()
            b = -a * ALPHA_P * rate                       # ((-a) * ALPHA_P) * rate
            kept = np.where(kb, native, T(ALPHA_P))
            y = (T(a) * kept) + T(b)                      # two ops, each rounded in T
        else:
            part = native.real.dtype.type                 # T, or the part type of a complex T
            scale = 1.0 if rate == 1 else 1.0 / (1.0 - rate)  # float64, rounded once to T below
            dropped = native.dtype.type(0 if fill is None else fill_value(fill, native.dtype))
            if no_scale or kind not in "fc":
                scaled = native                           # ints and bools are never scaled
            elif kind == "c":
                scaled = native.copy()
                scaled.real = native.real * part(scale)   # each part scaled on its own
                scaled.imag = native.imag * part(scale)
            else:
                scaled = native * part(scale)
            y = np.where(kb, scaled, dropped)
    assert y.dtype == native.dtype, (y.dtype, native.dtype)  # no float64 promotion
    return np.asarray(y, dtype=x.dtype, order=order)


def fill_value(v, dtype):
    """T(V): floats round V (read as float64) once to T; ints and bools need V to fit exactly."""
    if dtype.kind in "fc":
        return float(v)
    try:
        value = int(v)
    except ValueError:
        raise ValueError(f"--fill {v} is not an integer, needed for {dtype}") from None
    lo, hi = (0, 1) if dtype.kind == "b" else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    if not lo <= value <= hi:
        raise ValueError(f"--fill {v} does not fit {dtype}")
    return value


def dropout(x, seed, key, rate, variant="dropout", spec=None, data_format="channels_last",
            no_scale=False, fill=None, copy=0):
    """(y, keep, record) for one array: the whole of contract section 3."""
    dims = noise_dims(variant, x.shape, spec, data_format)
    spawn = spawn_key(key, copy)
    keep = keep_mask(seed, spawn, dims, rate)
    y = apply_mask(x, keep, rate, variant, no_scale, fill)
    record = {"seed": seed, "spawn_key": list(spawn), "noise_shape": list(dims), "rate": rate}
    return y, keep, record


# ---- command line ---------------------------------------------------------------------

def main(argv=None):
    p = argparse.ArgumentParser(description="NumPy reference for npdrop's masks and results")
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("mask", help="print (or --out save) a keep mask as 0/1 in C order")
    m.add_argument("--noise-shape", required=True, help="concrete dims, e.g. 4,1,3")
    m.add_argument("--out", help="save the mask here as a .npy (|b1) instead of printing")
    a = sub.add_parser("apply", help="apply dropout to one .npy file")
    a.add_argument("input")
    a.add_argument("output")
    a.add_argument("--key", help="relpath or --key string (default: the input's base name)")
    a.add_argument("--variant", choices=VARIANTS, default="dropout")
    a.add_argument("--noise-shape", help="e.g. None,1,None")
    a.add_argument("--data-format", choices=("channels_last", "channels_first"), default="channels_last")
    a.add_argument("--no-scale", action="store_true")
    a.add_argument("--fill")
    a.add_argument("--mask", help="also save the keep mask here")
    for q in (m, a):
        q.add_argument("--seed", type=int, required=True)
        q.add_argument("--rate", type=float, required=True)
        q.add_argument("--copy", type=int, default=0)
        q.add_argument("--member", help="npz entry name: the key becomes KEY + NUL + MEMBER")
    m.add_argument("--key", required=True, help="relpath or --key string")
    args = p.parse_args(argv)
    if not 0 <= args.rate <= 1:
        p.error("--rate must be in [0, 1]")

    if args.command == "mask":
        dims = parse_noise_spec(args.noise_shape)
        key = array_key(args.key, args.member)
        keep = keep_mask(args.seed, spawn_key(key, args.copy), dims, args.rate)
        if args.out:
            with open(args.out, "wb") as f:
                np.save(f, keep)
        else:
            print("".join("1" if k else "0" for k in keep.ravel()))
        return 0

    x = np.load(args.input, allow_pickle=False)
    spec = parse_noise_spec(args.noise_shape) if args.noise_shape else None
    key = array_key(args.key if args.key is not None else os.path.basename(args.input), args.member)
    y, keep, _ = dropout(x, args.seed, key, args.rate, args.variant, spec, args.data_format,
                         args.no_scale, args.fill, args.copy)
    with open(args.output, "wb") as f:                    # np.save(name) would add ".npy"
        np.save(f, y)
    if args.mask:
        with open(args.mask, "wb") as f:
            np.save(f, keep)
    return 0


