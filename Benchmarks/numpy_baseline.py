#!/usr/bin/env python3
"""The plain-NumPy way to do what `npdrop run` does — the baseline npdrop is measured against.

    python3 Benchmarks/numpy_baseline.py INPUT --output OUT [--variant dropout|spatial1d|spatial2d|spatial3d]
            [--rate R] [--seed N] [--procs P] [--compress] [--no-masks]
    python3 Benchmarks/numpy_baseline.py INPUT --output OUT --task savez [--procs P]

INPUT is one .npy/.npz file or a directory (every .npy/.npz below it, sorted). For every array it
does what a NumPy user would write (contract §3): draw the keep mask from
`Generator(PCG64(SeedSequence(seed, spawn_key=...)))`, compute
`np.where(keep, x * T(1/(1-rate)), T(0))` with `keep` broadcast, and `np.save` the result to
OUT/data/<relpath> and the mask (bool, noise shape) to OUT/masks/<relpath>. An .npz input gives
.npz outputs (np.savez_compressed with --compress, else np.savez), one member per input member.
With the same seed and rate its outputs hold the same arrays as npdrop's, so they can be compared.

`--task savez` only re-writes each input's arrays with np.savez_compressed to
OUT/data/<relpath>.npz (no dropout): the reference for how fast NumPy deflates.

`--procs P` > 1 spreads the files over a multiprocessing.Pool of P processes (one file per task).
"""

import argparse
import multiprocessing
import os
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np


def find_inputs(root: Path) -> list[str]:
    """Relative paths ('/'-separated, sorted) of every .npy/.npz below `root`, or its base name."""
    if root.is_file():
        return [root.name]
    found = []
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            if name.endswith((".npy", ".npz")):
                found.append(Path(dirpath, name).relative_to(root).as_posix())
    return sorted(found)


def spawn_key(key: str, copy: int = 0) -> tuple[int, ...]:
    """Contract §3.2: (copy, len(b), *b read as little-endian u32 words, zero-padded)."""
    b = key.encode("utf-8")
    padded = b + b"\0" * (-len(b) % 4)
    words = struct.unpack(f"<{len(padded) // 4}I", padded)
    return (copy, len(b), *words)


def noise_shape(variant: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Contract §3.1 presets, channels_last: keep the samples and channels axes, 1 elsewhere."""
    if variant == "dropout":
        return shape
    spatial_ranks = {"spatial1d": 1, "spatial2d": 2, "spatial3d": 3}[variant]
    if len(shape) == spatial_ranks + 2:   # batched: (N, 1, ..., 1, C)
        return (shape[0],) + (1,) * spatial_ranks + (shape[-1],)
    if len(shape) == spatial_ranks + 1:   # one sample: (1, ..., 1, C)
        return (1,) * spatial_ranks + (shape[-1],)
    raise SystemExit(f"{variant} needs rank {spatial_ranks + 2} or {spatial_ranks + 1}, got shape {shape}")


def drop(x: np.ndarray, key: str, args) -> tuple[np.ndarray, np.ndarray]:
    """Returns (result, keep mask) for one array, exactly as contract §3.2/§3.3 describe."""
    ss = np.random.SeedSequence(args.seed, spawn_key=spawn_key(key))
    rng = np.random.Generator(np.random.PCG64(ss))
    keep = rng.random(noise_shape(args.variant, x.shape)) >= args.rate
    zero = x.dtype.type(0)
    if np.issubdtype(x.dtype, np.inexact) and args.rate < 1:
        y = np.where(keep, x * x.dtype.type(1 / (1 - args.rate)), zero)
    else:
        y = np.where(keep, x, zero)
    return y, keep


def npz_members(path: Path) -> list[tuple[str, np.ndarray]]:
    """(entry name, array) for every .npy member of an .npz, in archive order."""
    members = []
    with zipfile.ZipFile(path) as zf:
        for entry in zf.namelist():
            if entry.endswith(".npy"):
                with zf.open(entry) as f:
                    members.append((entry, np.lib.format.read_array(f)))
    return members


def process_file(task) -> str:
    """Does the whole job for one input file; returns its relpath."""
    rel, args = task
    src = Path(args.input) if Path(args.input).is_file() else Path(args.input, rel)
    data_out = Path(args.output, "data", rel)
    mask_out = Path(args.output, "masks", rel)
    data_out.parent.mkdir(parents=True, exist_ok=True)

    if rel.endswith(".npy"):
        members = [(None, np.load(src))]
    else:
        members = npz_members(src)

    if args.task == "savez":
        named = {(entry or "x.npy").removesuffix(".npy"): x for entry, x in members}
        np.savez_compressed(data_out.with_suffix(".npz"), **named)
        return rel

    results, masks = {}, {}
    for entry, x in members:
        key = rel if entry is None else rel + "\0" + entry
        y, keep = drop(x, key, args)
        name = (entry or "x.npy").removesuffix(".npy")
        results[name], masks[name] = y, keep

    if rel.endswith(".npy"):
        np.save(data_out, results["x"])
        if args.masks:
            mask_out.parent.mkdir(parents=True, exist_ok=True)
            np.save(mask_out, masks["x"])
    else:
        savez = np.savez_compressed if args.compress else np.savez
        savez(data_out, **results)
        if args.masks:
            mask_out.parent.mkdir(parents=True, exist_ok=True)
            savez(mask_out, **masks)
    return rel


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="an .npy/.npz file or a directory of them")
    p.add_argument("--output", required=True, help="output directory (data/, masks/)")
    p.add_argument("--task", choices=["dropout", "savez"], default="dropout")
    p.add_argument("--variant", choices=["dropout", "spatial1d", "spatial2d", "spatial3d"], default="dropout")
    p.add_argument("--rate", type=float, default=0.5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--procs", type=int, default=1, help="worker processes (1 = no pool)")
    p.add_argument("--compress", action="store_true", help="npz outputs with np.savez_compressed")
    p.add_argument("--no-masks", dest="masks", action="store_false")
    args = p.parse_args()

    inputs = find_inputs(Path(args.input))
    if not inputs:
        print(f"numpy_baseline: no .npy/.npz under {args.input}", file=sys.stderr)
        return 1
    tasks = [(rel, args) for rel in inputs]
    if args.procs > 1:
        pool = multiprocessing.Pool(args.procs)
        for _ in pool.imap_unordered(process_file, tasks, chunksize=1):
            pass
        pool.close()
        pool.join()   # reaped workers count in the peak RSS that `time` reports
    else:
        for task in tasks:
            process_file(task)
    return 0


if __name__ == "__main__":
    sys.exit(main())
