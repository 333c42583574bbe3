#!/usr/bin/env python3
"""Element-wise dropout against spatial dropout and `cp -r`, per random kernel, on tmpfs.

    python3 Benchmarks/rng_kernels.py [--rounds R] [--kernels K[,K...]] [--scratch DIR]
                                      [--files N] [--big-mib M] [--no-build] [--keep]

Writes (once) N float32 .npy files of 8 MiB, shape (8, 4096, 64), and one M MiB float32 array
of shape (M, 4096, 64) under --scratch (default /dev/shm/npdrop-rng), then times
whole processes, round-robin for R rounds (default 5), the order rotated every round:

  many:  cp -r  |  npdrop run --rate 0.5 (dropout)  |  npdrop run --rate 0.5 --variant spatial1d
  big:   npdrop apply --rate 0.5 (dropout)  |  npdrop apply --rate 0.5 --variant spatial1d

each npdrop command once per kernel in --kernels (default: the one npdrop picks by itself;
`scalar,avx2,avx512ifma` forces each through NPDROP_RNG_KERNEL). Prints median seconds and
the median of the per-round ratios (dropout / cp -r, spatial1d / cp -r, dropout / spatial1d).
Masks are written; outputs are deleted between runs. The data is generated, never committed.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def make_data(root: Path, files: int, big_mib: int) -> None:
    marker = root / f".complete-{files}-{big_mib}"
    if marker.exists():
        return
    if root.exists():
        shutil.rmtree(root)
    (root / "many").mkdir(parents=True)
    rng = np.random.default_rng(15)
    block = rng.standard_normal((8, 4096, 64), dtype=np.float32)
    for i in range(files):
        np.save(root / "many" / f"f{i:03d}.npy", block + np.float32(i))
    rows = big_mib * (1 << 20) // (4 * 64 * 4096)
    big = np.lib.format.open_memmap(root / "big.npy", mode="w+", dtype=np.float32, shape=(rows, 4096, 64))
    for r in range(0, rows, 8):
        big[r:r + 8] = block[: min(8, rows - r)]
    big.flush()
    del big
    marker.touch()


def timed(command, env=None) -> float:
    subprocess.run(["sync"], check=True)
    start = time.monotonic()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kernels", default="")
    parser.add_argument("--scratch", default="/dev/shm/npdrop-rng")
    parser.add_argument("--files", type=int, default=48)
    parser.add_argument("--big-mib", type=int, default=512)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "npdrop"], cwd=REPO, check=True)
    binary = os.environ.get("NPDROP_BIN", str(REPO / ".build/release/npdrop"))
    root = Path(args.scratch)
    make_data(root, args.files, args.big_mib)
    out = root / "out"
    kernels = [k for k in args.kernels.split(",") if k] or [""]

    def env_for(kernel):
        env = dict(os.environ)
        env.pop("NPDROP_RNG_KERNEL", None)
        if kernel:
            env["NPDROP_RNG_KERNEL"] = kernel
        return env

    common = ["--rate", "0.5", "--seed", "1", "--jobs", "2", "--quiet"]
    many, big = {}, {}
    many["cp -r"] = (["cp", "-r", str(root / "many"), str(out)], None)
    for k in kernels:
        tag = f" [{k}]" if k else ""
        many[f"run dropout{tag}"] = ([binary, "run", str(root / "many"), "--output", str(out)] + common, env_for(k))
        many[f"run spatial1d{tag}"] = (
            [binary, "run", str(root / "many"), "--output", str(out), "--variant", "spatial1d"] + common, env_for(k))
        big[f"apply dropout{tag}"] = (
            [binary, "apply", str(root / "big.npy"), str(out), "--rate", "0.5", "--seed", "1"], env_for(k))
        big[f"apply spatial1d{tag}"] = (
            [binary, "apply", str(root / "big.npy"), str(out), "--rate", "0.5", "--seed", "1", "--variant", "spatial1d"],
            env_for(k))

    def clean():
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()

    results = {}
    for case in (many, big):
        names = list(case)
        times = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % len(names):] + names[: r % len(names)]
            for n in order:
                clean()
                command, env = case[n]
                times[n].append(timed(command, env))
        clean()
        results.update(times)

    def ratio(a, b):
        return statistics.median(x / y for x, y in zip(results[a], results[b]))

    print(f"{args.rounds} rounds, round-robin; medians (load average {os.getloadavg()[0]:.2f})")
    print("| command | median s | ratio (median of per-round ratios) |")
    print("|---|---|---|")
    print(f"| {args.files} × 8 MiB: cp -r | {statistics.median(results['cp -r']):.3f} | 1.00 |")
    for k in kernels:
        tag = f" [{k}]" if k else ""
        for v in ("dropout", "spatial1d"):
            n = f"run {v}{tag}"
            print(f"| npdrop {n} | {statistics.median(results[n]):.3f} | {ratio(n, 'cp -r'):.2f} × cp -r |")
    for k in kernels:
        tag = f" [{k}]" if k else ""
        d, s = f"apply dropout{tag}", f"apply spatial1d{tag}"
        print(f"| {args.big_mib} MiB: npdrop {s} | {statistics.median(results[s]):.3f} | 1.00 |")
        print(f"| {args.big_mib} MiB: npdrop {d} | {statistics.median(results[d]):.3f} | {ratio(d, s):.2f} × spatial1d |")
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
