#!/usr/bin/env python3
"""Small-file benchmark: a dataset of one tiny .npy per sample, on tmpfs.

    python3 Benchmarks/small_files.py [--files N[,N...]] [--folders F] [--bytes B]
                                      [--rounds R] [--scratch DIR] [--no-build] [--keep]
                                      [--commands cp,run,no-masks,resume,verify,quick]
                                      [--done-flags "--no-masks"]

For each file count N (default 20000): writes N float32 .npy files of B bytes of data
(default 1024) spread over F folders (default 200) under --scratch (default /dev/shm/npdrop-small),
then times, round-robin for R rounds (default 3, median reported):

  cp -r                      the floor
  npdrop run                 --rate 0.5 --seed 1 (masks written)
  npdrop run --no-masks
  npdrop run --resume        on the finished OUT, nothing left to do
  npdrop verify --quick      checks recorded checksums (skipped when the binary lacks it)
  npdrop verify              re-derives every output

The finished OUT that --resume and verify read is made first by one more run, also timed
(row "npdrop run (the OUT resumed/verified)"). --commands picks the rows (default all); for a
million files (minutes, and about 4 KiB of tmpfs per file and output) use e.g.
`--files 1000000 --rounds 1 --commands resume,quick --done-flags=--no-masks`.

Each run goes through /usr/bin/time for peak RSS. Prints a Markdown table: wall median,
× cp -r (when cp ran), peak RSS. The data is generated, never committed; it is deleted unless --keep.
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
TIME = "/usr/bin/time"


def make_data(root: Path, count: int, folders: int, nbytes: int) -> None:
    marker = root / ".complete"
    if marker.exists():
        return
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = np.random.default_rng(1234)
    n = max(1, nbytes // 4)
    # One header for every file: np.save's bytes, written without NumPy per file (fast).
    proto = root / "proto.npy"
    np.save(proto, rng.standard_normal(n).astype(np.float32))
    header = proto.read_bytes()[: -4 * n]
    proto.unlink()
    per_folder = (count + folders - 1) // folders
    data = rng.standard_normal(n * min(count, 4096)).astype(np.float32).tobytes()
    made = 0
    for f in range(folders):
        d = root / f"d{f:04d}"
        d.mkdir()
        for i in range(per_folder):
            if made == count:
                break
            off = (made % 4096) * 4 * n
            with open(d / f"s{made:07d}.npy", "wb") as fh:
                fh.write(header)
                fh.write(data[off: off + 4 * n])
            made += 1
    marker.touch()


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """Runs cmd under /usr/bin/time; returns (wall s, peak RSS MiB, exit code)."""
    fmt = "%M"
    t0 = time.perf_counter()
    p = subprocess.run([TIME, "-f", fmt, "-o", "/dev/stdout", *cmd], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    lines = [ln for ln in p.stdout.strip().splitlines() if ln.strip().isdigit()]
    rss = int(lines[-1]) / 1024 if lines else float("nan")
    return wall, rss, p.returncode


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", default="20000")
    ap.add_argument("--folders", type=int, default=200)
    ap.add_argument("--bytes", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scratch", default="/dev/shm/npdrop-small")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--commands", default="cp,run,no-masks,resume,verify,quick")
    ap.add_argument("--done-flags", default="", help="extra flags of the run that makes the OUT resumed and verified")
    args = ap.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release"], cwd=REPO, check=True)
    npdrop = os.environ.get("NPDROP_BIN", str(REPO / ".build/release/npdrop"))
    has_quick = "--quick" in subprocess.run([npdrop, "verify", "--help"], capture_output=True,
                                            text=True).stdout
    scratch = Path(args.scratch)
    rows = []
    for count in [int(c) for c in args.files.split(",")]:
        data = scratch / f"data-{count}"
        make_data(data, count, args.folders, args.bytes)
        out = scratch / "out"
        cp_out = scratch / "cp"
        done = scratch / "done"   # a finished run, for --resume and verify

        def clean():
            for p in (out, cp_out):
                if p.exists():
                    shutil.rmtree(p)

        clean()
        if done.exists():
            shutil.rmtree(done)
        wanted = set(args.commands.split(","))
        done_wall, done_rss, done_rc = timed([npdrop, "run", str(data), "--output", str(done), "--rate", "0.5",
                                              "--seed", "1", "--quiet", *args.done_flags.split()])
        if done_rc != 0:
            print(f"error: the run making {done} exited {done_rc}", file=sys.stderr)
            return 1
        rows.append((count, "npdrop run " + (args.done_flags + " " if args.done_flags else "")
                     + "(the OUT resumed/verified)", done_wall, None, done_rss))
        commands = {
            "cp -r": ["cp", "-r", str(data), str(cp_out)],
            "npdrop run": [npdrop, "run", str(data), "--output", str(out), "--rate", "0.5",
                           "--seed", "1", "--quiet"],
            "npdrop run --no-masks": [npdrop, "run", str(data), "--output", str(out), "--rate",
                                      "0.5", "--seed", "1", "--quiet", "--no-masks"],
            "npdrop run --resume (nothing to do)": [npdrop, "run", str(data), "--output",
                                                    str(done), "--rate", "0.5", "--seed", "1",
                                                    "--quiet", "--resume"],
            "npdrop verify": [npdrop, "verify", str(data), str(done), "--quiet"],
        }
        if has_quick:
            commands["npdrop verify --quick"] = [npdrop, "verify", str(data), str(done),
                                                 "--quick", "--quiet"]
        keys = {"cp -r": "cp", "npdrop run": "run", "npdrop run --no-masks": "no-masks",
                "npdrop run --resume (nothing to do)": "resume", "npdrop verify": "verify",
                "npdrop verify --quick": "quick"}
        commands = {k: v for k, v in commands.items() if keys[k] in wanted}
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
        names = list(commands)
        for r in range(args.rounds):
            order = names[r % len(names):] + names[: r % len(names)]
            for name in order:
                clean()
                wall, rss, rc = timed(commands[name])
                if rc != 0:
                    print(f"warning: {name} exited {rc}", file=sys.stderr)
                results[name].append((wall, rss))
        cp_med = statistics.median(w for w, _ in results["cp -r"]) if "cp -r" in results else None
        for name in names:
            walls = [w for w, _ in results[name]]
            med = statistics.median(walls)
            rows.append((count, name, med, med / cp_med if cp_med else None,
                         max(r for _, r in results[name])))
        clean()
        if done.exists():
            shutil.rmtree(done)
        if not args.keep:
            shutil.rmtree(data)

    print(f"| files | command | median wall s | × cp -r | peak RSS MiB |")
    print(f"|---|---|---|---|---|")
    for count, name, med, ratio, rss in rows:
        shown = f"{ratio:.2f}" if ratio is not None else "–"
        print(f"| {count} | {name} | {med:.3f} | {shown} | {rss:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
