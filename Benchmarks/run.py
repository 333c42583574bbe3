#!/usr/bin/env python3
"""npdrop benchmarks: `npdrop run` against `cp -r` (the floor) and plain NumPy (the baseline).

    python3 Benchmarks/run.py [--small] [--rounds N] [--only NAME[,NAME...]]
                              [--no-build] [--baselines-only] [--jobs J]
                              [--scratch DIR] [--keep] [--results FILE]

Steps:
  1. `swift build -c release --static-swift-stdlib` in the repo root (skip with --no-build or --baselines-only).
     The binary is $NPDROP_BIN, default <repo>/.build/release/npdrop.
  2. Generate random float32 test data under --scratch (default /tmp/npdrop-bench/data):
     many .npy files, one big .npy, and the same data as deflated .npz (np.savez_compressed).
     Data from an earlier --keep run with the same sizes is reused.
  3. For each case, run its commands round-robin for --rounds rounds (order rotated each round),
     `sync` before every timed run, outputs deleted between runs. Each run goes through
     `/usr/bin/time` for peak RSS and user/sys CPU time; wall time is measured here.
  4. Check that npdrop and NumPy produced the same arrays (first and last file of each case).
  5. Print the tables and write them as Markdown to Benchmarks/results.md (or --results).
  6. Delete the generated data and outputs unless --keep.

See Benchmarks/README.md for what each number means and the targets.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BASELINE = BENCH_DIR / "numpy_baseline.py"
TIME = "/usr/bin/time"

RATE = 0.5
SEED = 20240611          # dropout seed, the same for npdrop and NumPy so outputs can be compared
DATA_SEED = 1234         # seed of the generated input data
COMPRESSION_LEVEL = 6    # what np.savez_compressed uses: zlib.Z_DEFAULT_COMPRESSION == level 6
MIB = 1 << 20


# ---------------------------------------------------------------------------------------------
# Test data

@dataclass(frozen=True)
class Sizes:
    """Shapes of the generated float32 data."""
    many_count: int
    many_shape: tuple[int, ...]
    big_shape: tuple[int, ...]

    @property
    def many_bytes(self) -> int:
        return self.many_count * 4 * int(np.prod(self.many_shape))

    @property
    def big_bytes(self) -> int:
        return 4 * int(np.prod(self.big_shape))


FULL = Sizes(many_count=48, many_shape=(8, 4096, 64), big_shape=(64, 65536, 64))  # 48 x 8 MiB, 1 GiB
SMALL = Sizes(many_count=6, many_shape=(8, 128, 64), big_shape=(16, 4096, 64))     # 6 x 256 KiB, 16 MiB
# The pairs case: np.savez_compressed files of two float32 members each (24 x 2 x 4 MiB in FULL).
PAIRS = {id(FULL): (24, (1024, 1024)), id(SMALL): (4, (128, 256))}


@dataclass(frozen=True)
class DataSet:
    """Where the generated inputs live."""
    many_npy: Path   # directory of f000.npy ...
    big_npy: Path    # one file
    many_npz: Path   # directory of f000.npz ... (member x.npy, deflated)
    big_npz: Path    # one file (member x.npy, deflated)
    pairs_npz: Path  # directory of p000.npz ... (members a.npy and b.npy, deflated)


def generate_data(root: Path, sizes: Sizes) -> DataSet:
    """Writes the inputs under `root`, or reuses them if a previous run left the same ones."""
    ds = DataSet(root / "many-npy", root / "big-npy" / "big.npy", root / "many-npz", root / "big-npz" / "big.npz",
                 root / "pairs-npz")
    stamp = root / "STAMP.json"
    wanted = json.dumps({"sizes": repr(sizes), "seed": DATA_SEED, "pairs": repr(PAIRS[id(sizes)])})
    if stamp.exists() and stamp.read_text() == wanted:
        log(f"reusing test data in {root}")
        return ds
    if root.exists():
        shutil.rmtree(root)
    for d in (ds.many_npy, ds.big_npy.parent, ds.many_npz, ds.big_npz.parent, ds.pairs_npz):
        d.mkdir(parents=True)
    rng = np.random.Generator(np.random.PCG64(DATA_SEED))

    log(f"writing {sizes.many_count} x {fmt_size(sizes.many_bytes // sizes.many_count)} .npy files")
    for i in range(sizes.many_count):
        np.save(ds.many_npy / f"f{i:03d}.npy", rng.standard_normal(sizes.many_shape, dtype=np.float32))

    log(f"writing the {fmt_size(sizes.big_bytes)} .npy file (in pieces)")
    big = np.lib.format.open_memmap(ds.big_npy, mode="w+", dtype=np.float32, shape=sizes.big_shape)
    for i in range(sizes.big_shape[0]):
        big[i] = rng.standard_normal(sizes.big_shape[1:], dtype=np.float32)
    big.flush()
    del big

    log("writing the same data as deflated .npz (np.savez_compressed; the big one takes a while)")
    for npy in sorted(ds.many_npy.iterdir()):
        np.savez_compressed(ds.many_npz / npy.with_suffix(".npz").name, x=np.load(npy))
    # savez_compressed streams a memmap in 16 MiB pieces, so memory stays low.
    np.savez_compressed(ds.big_npz, x=np.load(ds.big_npy, mmap_mode="r"))

    count, shape = PAIRS[id(sizes)]
    log(f"writing {count} .npz files of two {fmt_size(4 * int(np.prod(shape)))} float32 members")
    for i in range(count):
        np.savez_compressed(ds.pairs_npz / f"p{i:03d}.npz", a=rng.standard_normal(shape, dtype=np.float32),
                            b=rng.standard_normal(shape, dtype=np.float32))

    stamp.write_text(wanted)
    return ds


# ---------------------------------------------------------------------------------------------
# Cases and commands

@dataclass
class Command:
    """One thing to time. `{out}` in argv is replaced by a fresh output directory."""
    label: str
    argv: list[str]
    kind: str                  # "cp", "numpy" or "npdrop"
    compare: str | None = None  # commands with the same value must produce the same arrays
    samples: list = field(default_factory=list)
    check: str = "-"
    failed: bool = False


@dataclass
class Case:
    """A set of commands doing the same job on the same input, timed round-robin."""
    name: str
    title: str
    input: Path
    array_bytes: int           # uncompressed array bytes processed, for MiB/s
    commands: list[Command]

    def by_label(self, label: str) -> Command | None:
        return next((c for c in self.commands if c.label == label), None)


def npdrop_argv(npdrop: str, src: Path, variant: str, jobs: int, *extra: str, rate: str = str(RATE)) -> list[str]:
    return [npdrop, "run", str(src), "--output", "{out}", "--variant", variant, "--rate", rate,
            "--seed", str(SEED), "--jobs", str(jobs), "--quiet", *extra]


def numpy_argv(src: Path, procs: int, *extra: str) -> list[str]:
    return [sys.executable, str(BASELINE), str(src), "--output", "{out}", "--rate", str(RATE),
            "--seed", str(SEED), "--procs", str(procs), *extra]


def build_cases(ds: DataSet, sizes: Sizes, npdrop: str | None, jobs: int) -> list[Case]:
    """All cases; npdrop commands are left out when `npdrop` is None (--baselines-only)."""
    def cp(src: Path) -> Command:
        return Command("cp -r", ["cp", "-r", str(src), "{out}"], "cp")

    def nd(label, src, variant, *extra, compare=None, rate=str(RATE)) -> list[Command]:
        if npdrop is None:
            return []
        return [Command(label, npdrop_argv(npdrop, src, variant, jobs, *extra, rate=rate), "npdrop", compare)]

    deflate = ("--compress", "--compression-level", str(COMPRESSION_LEVEL))   # zlib blocks at level 6
    isal = ("--compress",)                                                     # the default: ISA-L blocks
    pairs_count, pairs_shape = PAIRS[id(sizes)]
    return [
        Case("many-npy", f"{sizes.many_count} x {fmt_size(sizes.many_bytes // sizes.many_count)} float32 .npy, "
                         f"shape {sizes.many_shape}", ds.many_npy, sizes.many_bytes, [
            cp(ds.many_npy),
            Command("numpy 1 proc", numpy_argv(ds.many_npy, 1), "numpy", "dropout"),
            Command(f"numpy {jobs} procs", numpy_argv(ds.many_npy, jobs), "numpy", "dropout"),
            *nd("npdrop dropout", ds.many_npy, "dropout", compare="dropout"),
            *nd("npdrop spatial1d", ds.many_npy, "spatial1d"),
        ]),
        Case("big-npy", f"one {fmt_size(sizes.big_bytes)} float32 .npy, shape {sizes.big_shape}",
             ds.big_npy, sizes.big_bytes, [
            cp(ds.big_npy),
            Command("numpy 1 proc", numpy_argv(ds.big_npy, 1), "numpy", "dropout"),
            *nd("npdrop dropout", ds.big_npy, "dropout", compare="dropout"),
        ]),
        Case("big-npz", f"the {fmt_size(sizes.big_bytes)} array as a deflated .npz (one member)",
             ds.big_npz, sizes.big_bytes, [
            cp(ds.big_npz),
            Command("numpy savez_compressed", numpy_argv(ds.big_npy, 1, "--task", "savez"), "numpy"),
            Command("numpy 1 proc", numpy_argv(ds.big_npz, 1, "--compress"), "numpy", "dropout"),
            *nd("npdrop dropout --compress", ds.big_npz, "dropout", *deflate, compare="dropout"),
            # The deflate alone, the job np.savez_compressed does (plus inflating the input):
            # rate 0 passes the array through unchanged, and no mask is written.
            *nd("npdrop rate 0 --compress (re-deflate)", ds.big_npz, "dropout", *deflate, "--no-masks",
                rate="0"),
            *nd("npdrop dropout --compress isal", ds.big_npz, "dropout", *isal, compare="dropout"),
            *nd("npdrop rate 0 --compress isal", ds.big_npz, "dropout", *isal, "--no-masks", rate="0"),
        ]),
        Case("many-npz", f"the {sizes.many_count} files as deflated .npz (member x)",
             ds.many_npz, sizes.many_bytes, [
            cp(ds.many_npz),
            Command(f"numpy {jobs} procs", numpy_argv(ds.many_npz, jobs, "--compress"), "numpy", "dropout"),
            *nd("npdrop dropout --compress", ds.many_npz, "dropout", *deflate, compare="dropout"),
            *nd("npdrop dropout --compress isal", ds.many_npz, "dropout", *isal, compare="dropout"),
        ]),
        Case("pairs-npz", f"{pairs_count} np.savez_compressed files of two {fmt_size(4 * int(np.prod(pairs_shape)))} "
                          f"float32 members", ds.pairs_npz, pairs_count * 8 * int(np.prod(pairs_shape)), [
            cp(ds.pairs_npz),
            Command(f"numpy {jobs} procs", numpy_argv(ds.pairs_npz, jobs, "--compress"), "numpy", "dropout"),
            *nd("npdrop dropout --compress", ds.pairs_npz, "dropout", *deflate, compare="dropout"),
            *nd("npdrop dropout --compress isal", ds.pairs_npz, "dropout", *isal, compare="dropout"),
            # The same job with packed masks (np.packbits of each mask: an eighth of the bytes to deflate).
            *nd("npdrop dropout --compress isal packbits", ds.pairs_npz, "dropout", *isal, "--mask-format", "packbits"),
        ]),
    ]


# ---------------------------------------------------------------------------------------------
# Timing

@dataclass
class Sample:
    wall: float       # seconds, measured here
    rss_mib: float    # peak resident set of the largest process in the command's tree
    cpu: float        # (user + sys) / wall; 2.0 = both cores busy the whole time
    out_bytes: int = 0  # bytes of the result and mask files written (manifest not counted)
    mask_bytes: int = 0  # of which under masks/

    @property
    def cpu_seconds(self) -> float:
        return self.cpu * self.wall


class CommandFailed(Exception):
    """A timed command exited with a non-zero status."""
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def timed_run(argv: list[str], time_file: Path) -> Sample:
    """Runs `argv` under /usr/bin/time after a `sync`; raises if it fails."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.run([TIME, "-f", "%M %U %S", "-o", str(time_file), *argv],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise CommandFailed(proc.returncode, f"exit {proc.returncode}: {' '.join(argv)}\n    " + "\n    ".join(tail))
    rss_kib, user, system = time_file.read_text().split()[-3:]
    return Sample(wall, int(rss_kib) / 1024, (float(user) + float(system)) / wall)


def prewarm(path: Path) -> None:
    """Reads every input file once so that all commands (also the first) read from the page cache."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(16 * MIB):
                pass


def output_bytes(path: Path) -> int:
    """Bytes of the .npy/.npz files under `path` (results and masks)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.suffix in (".npy", ".npz"))


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def run_case(case: Case, rounds: int, out_root: Path) -> None:
    log(f"== {case.name}: {case.title}")
    prewarm(case.input)
    digests: dict[str, tuple[str, dict]] = {}   # compare group -> (first label, digest)
    for r in range(rounds):
        order = case.commands[r % len(case.commands):] + case.commands[:r % len(case.commands)]
        for cmd in order:
            if cmd.failed:
                continue
            out = out_root / cmd.label.replace(" ", "_").replace("-", "")
            remove(out)
            argv = [a.replace("{out}", str(out)) for a in cmd.argv]
            try:
                sample = timed_run(argv, out_root / "time.txt")
            except CommandFailed as err:
                cmd.failed, cmd.check = True, f"FAILED (exit {err.status}; see the log)"
                log(f"   !! {cmd.label} failed, dropped from the later rounds: {err}")
                remove(out)
                continue
            sample.out_bytes = output_bytes(out)
            sample.mask_bytes = output_bytes(out / "masks") if (out / "masks").is_dir() else 0
            cmd.samples.append(sample)
            log(f"   round {r + 1}/{rounds}  {cmd.label:<28} {sample.wall:8.3f} s  "
                f"{sample.rss_mib:8.1f} MiB  cpu {sample.cpu:4.2f}")
            if r == 0:
                check_output(case, cmd, out, digests)
            remove(out)
    os.sync()


# ---------------------------------------------------------------------------------------------
# Output checks: fast numbers only count if the outputs are right

def input_relpaths(case: Case) -> list[str]:
    if case.input.is_file():
        return [case.input.name]
    return sorted(p.relative_to(case.input).as_posix() for p in case.input.rglob("*") if p.is_file())


def file_digest(path: Path) -> object:
    """.npy: sha256 of the file (npdrop must write what np.save writes). .npz: per member,
    (entry name, dtype, order, shape, sha256 of the array bytes) — zip bytes differ by writer."""
    if path.suffix == ".npy":
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(16 * MIB):
                h.update(chunk)
        return h.hexdigest()
    members = []
    with zipfile.ZipFile(path) as zf:
        for entry in sorted(zf.namelist()):
            with zf.open(entry) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    header = np.lib.format.read_array_header_1_0(f)
                else:
                    header = np.lib.format.read_array_header_2_0(f)
                shape, fortran, dtype = header
                h = hashlib.sha256()
                while chunk := f.read(16 * MIB):
                    h.update(chunk)
                members.append((entry, dtype.str, fortran, list(shape), h.hexdigest()))
    return members


def check_output(case: Case, cmd: Command, out: Path, digests: dict) -> None:
    """Sets cmd.check: every expected output exists, and (for dropout commands) the first and
    last files hold the same arrays as the other commands of the same compare group."""
    rels = input_relpaths(case)
    if cmd.kind == "cp":
        expected = [out / rel for rel in rels] if case.input.is_dir() else [out]
    elif "--task" in cmd.argv:
        expected = [(out / "data" / rel).with_suffix(".npz") for rel in rels]
    else:
        subs = ("data",) if "--no-masks" in cmd.argv else ("data", "masks")
        expected = [out / sub / rel for rel in rels for sub in subs]
    missing = [p for p in expected if not p.is_file()]
    if missing:
        cmd.check = f"MISSING {len(missing)} outputs, e.g. {missing[0].relative_to(out)}"
        log(f"   !! {cmd.label}: {cmd.check}")
        return
    cmd.check = "ok"
    if cmd.compare is None:
        return
    picked = sorted({rels[0], rels[-1]})
    digest = {f"{sub}/{rel}": file_digest(out / sub / rel) for rel in picked for sub in ("data", "masks")}
    if cmd.compare not in digests:
        digests[cmd.compare] = (cmd.label, digest)
        cmd.check = "ok (reference)"
        return
    ref_label, ref = digests[cmd.compare]
    differing = [name for name in digest if digest[name] != ref[name]]
    if differing:
        cmd.check = f"DIFFERS from {ref_label}: {', '.join(differing)}"
        log(f"   !! {cmd.label}: {cmd.check}")
    else:
        cmd.check = f"same as {ref_label}"


# ---------------------------------------------------------------------------------------------
# Report

@dataclass
class Target:
    case: str
    what: str
    value: float | None
    goal: str
    ok: bool | None


def median_wall(cmd: Command | None) -> float | None:
    return statistics.median(s.wall for s in cmd.samples) if cmd and cmd.samples else None


def median_cpu(cmd: Command | None) -> float | None:
    return statistics.median(s.cpu for s in cmd.samples) if cmd and cmd.samples else None


def peak_rss(cmd: Command | None) -> float | None:
    return max(s.rss_mib for s in cmd.samples) if cmd and cmd.samples else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b is not None and b > 0 else None


def targets(cases: dict[str, Case], jobs: int) -> list[Target]:
    """The goals from Benchmarks/README.md, evaluated on the medians."""
    out = []

    def t(case, what, value, goal, passes):
        out.append(Target(case, what, value, goal, None if value is None else passes(value)))

    if c := cases.get("many-npy"):
        nd, sp = median_wall(c.by_label("npdrop dropout")), median_wall(c.by_label("npdrop spatial1d"))
        t(c.name, "npdrop dropout / cp -r (time)", ratio(nd, median_wall(c.by_label("cp -r"))), "<= 1.5", lambda v: v <= 1.5)
        t(c.name, f"numpy {jobs} procs / npdrop dropout (time)", ratio(median_wall(c.by_label(f"numpy {jobs} procs")), nd),
          ">= 4", lambda v: v >= 4)
        t(c.name, "npdrop dropout / npdrop spatial1d (time)", ratio(nd, sp), ">= 1.0", lambda v: v >= 1.0)
    if c := cases.get("big-npy"):
        nd = c.by_label("npdrop dropout")
        t(c.name, "npdrop dropout / cp -r (time)", ratio(median_wall(nd), median_wall(c.by_label("cp -r"))),
          "<= 1.5", lambda v: v <= 1.5)
        t(c.name, "npdrop peak RSS (MiB)", peak_rss(nd), "<= 96", lambda v: v <= 96)
        t(c.name, "npdrop CPU (user+sys)/wall", median_cpu(nd), ">= 1.6", lambda v: v >= 1.6)
    if c := cases.get("big-npz"):
        nd = median_wall(c.by_label("npdrop dropout --compress"))
        t(c.name, "numpy savez_compressed / npdrop rate 0 --compress (time)",
          ratio(median_wall(c.by_label("numpy savez_compressed")), median_wall(c.by_label("npdrop rate 0 --compress (re-deflate)"))),
          ">= 1.8", lambda v: v >= 1.8)
        t(c.name, "npdrop rate 0 --compress CPU (user+sys)/wall",
          median_cpu(c.by_label("npdrop rate 0 --compress (re-deflate)")), "(info)", lambda v: None)
        t(c.name, "numpy 1 proc (same job) / npdrop dropout --compress (time)",
          ratio(median_wall(c.by_label("numpy 1 proc")), nd), "(info)", lambda v: None)
        t(c.name, "numpy savez_compressed / npdrop dropout --compress (time)",
          ratio(median_wall(c.by_label("numpy savez_compressed")), nd), "(info)", lambda v: None)
        t(c.name, "numpy savez_compressed / npdrop rate 0 --compress isal (time)",
          ratio(median_wall(c.by_label("numpy savez_compressed")), median_wall(c.by_label("npdrop rate 0 --compress isal"))),
          ">= 10", lambda v: v >= 10)
        t(c.name, "npdrop rate 0 isal size / numpy savez_compressed size",
          ratio(median_out(c.by_label("npdrop rate 0 --compress isal")), median_out(c.by_label("numpy savez_compressed"))),
          "<= 1.05", lambda v: v <= 1.05)
    if c := cases.get("many-npz"):
        t(c.name, f"numpy {jobs} procs / npdrop --compress (time)",
          ratio(median_wall(c.by_label(f"numpy {jobs} procs")), median_wall(c.by_label("npdrop dropout --compress"))),
          ">= 1.0", lambda v: v >= 1.0)
        t(c.name, f"numpy {jobs} procs / npdrop --compress isal (time)",
          ratio(median_wall(c.by_label(f"numpy {jobs} procs")), median_wall(c.by_label("npdrop dropout --compress isal"))),
          "(info)", lambda v: None)
    if c := cases.get("pairs-npz"):
        t(c.name, f"numpy {jobs} procs / npdrop --compress isal (time)",
          ratio(median_wall(c.by_label(f"numpy {jobs} procs")), median_wall(c.by_label("npdrop dropout --compress isal"))),
          ">= 10", lambda v: v >= 10)
        t(c.name, f"npdrop isal output size / numpy {jobs} procs output size",
          ratio(median_out(c.by_label("npdrop dropout --compress isal")), median_out(c.by_label(f"numpy {jobs} procs"))),
          "(info)", lambda v: None)
        t(c.name, f"npdrop isal results size / numpy {jobs} procs results size",
          ratio(median_results(c.by_label("npdrop dropout --compress isal")),
                median_results(c.by_label(f"numpy {jobs} procs"))), "<= 1.05", lambda v: v <= 1.05)
        t(c.name, "npdrop isal bool masks size / numpy (zlib 6) masks size",
          ratio(median_masks(c.by_label("npdrop dropout --compress isal")), median_masks(c.by_label(f"numpy {jobs} procs"))),
          "(info)", lambda v: None)
        t(c.name, "npdrop packbits masks size / bool masks size",
          ratio(median_masks(c.by_label("npdrop dropout --compress isal packbits")),
                median_masks(c.by_label("npdrop dropout --compress isal"))), "(info)", lambda v: None)
        t(c.name, "npdrop --compress isal packbits / bool masks (time)",
          ratio(median_wall(c.by_label("npdrop dropout --compress isal packbits")),
                median_wall(c.by_label("npdrop dropout --compress isal"))), "(info)", lambda v: None)
    return out


def median_out(cmd: Command | None) -> float | None:
    return statistics.median(s.out_bytes for s in cmd.samples) if cmd and cmd.samples else None


def median_masks(cmd: Command | None) -> float | None:
    return statistics.median(s.mask_bytes for s in cmd.samples) if cmd and cmd.samples else None


def median_results(cmd: Command | None) -> float | None:
    return statistics.median(s.out_bytes - s.mask_bytes for s in cmd.samples) if cmd and cmd.samples else None


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown pipe table, padded so it also reads well in a terminal."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def machine_info(args, npdrop: str | None, fs: str, load_start: tuple) -> list[str]:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor() or "unknown")
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "0")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    load_end = os.getloadavg()
    busy = max(load_start[0], load_end[0]) > 1.0
    return [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
        f"{int(mem) // 1024} MiB RAM, Linux {platform.release()}, scratch on {fs or '?'}",
        f"- load average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f}",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, zlib {zlib.ZLIB_RUNTIME_VERSION}",
        f"- npdrop: {npdrop or 'not run (--baselines-only)'} (repo commit {commit or '?'})",
        f"- mode: {'--small' if args.small else 'full size'}, rounds: {args.rounds}, --jobs {args.jobs}, "
        f"rate {RATE}, masks written, deflate level {COMPRESSION_LEVEL}",
        *(["", "**Busy machine:** other work was running (load average above 1), so wall times are "
               "inflated and noisy. For single-process commands the `CPU s` column is closer to the "
               "time on an idle machine."] if busy else []),
    ]


def report(cases: list[Case], info: list[str], jobs: int) -> str:
    rows = []
    for case in cases:
        for cmd in case.commands:
            if not cmd.samples:
                rows.append([case.name, cmd.label, "-", "-", "-", "-", "-", "-", "-", "-", cmd.check])
                continue
            med = median_wall(cmd)
            rows.append([case.name, cmd.label, f"{med:.3f}", f"{min(s.wall for s in cmd.samples):.3f}",
                         f"{case.array_bytes / MIB / med:.0f}", f"{peak_rss(cmd):.1f}",
                         f"{median_cpu(cmd):.2f}",
                         f"{statistics.median(s.cpu_seconds for s in cmd.samples):.2f}",
                         f"{median_out(cmd) / MIB:.1f}", f"{median_masks(cmd) / MIB:.1f}", cmd.check])
    timings = md_table(["case", "command", "median s", "min s", "MiB/s", "peak RSS MiB", "CPU", "CPU s", "written MiB",
                        "of which masks MiB", "output"], rows)

    goal_rows = [[t.case, t.what, "n/a" if t.value is None else f"{t.value:.2f}", t.goal,
                  "-" if t.ok is None else ("pass" if t.ok else "FAIL")]
                 for t in targets({c.name: c for c in cases}, jobs)]
    goals = md_table(["case", "measure", "value", "target", "result"], goal_rows)
    if not any(cmd.kind == "npdrop" for c in cases for cmd in c.commands):
        goals = "Not evaluated: npdrop was not run (`--baselines-only`)."

    wrong = [f"{c.name} / {cmd.label}" for c in cases for cmd in c.commands
             if cmd.check.startswith(("DIFFERS", "MISSING", "FAILED"))]
    warning = (["", f"**Warning:** wrong, missing or failed output from {'; '.join(wrong)} — "
                    "those timings do not count."] if wrong else [])
    inputs = "\n".join(f"- `{c.name}`: {c.title} ({fmt_size(c.array_bytes)} of array data)" for c in cases)
    return "\n".join([
        "# npdrop benchmark results", "",
        "Written by `python3 Benchmarks/run.py`; see Benchmarks/README.md for what the numbers mean.", "",
        *info, "", "Inputs:", "", inputs, "",
        "## Timings", "",
        "Median and fastest wall time over the rounds; MiB/s = uncompressed array bytes / median time; "
        "peak RSS = the largest single process (max over rounds); CPU = (user+sys)/wall (median), "
        "2.00 = both cores busy; CPU s = user+sys seconds (median). All inputs are read warm from the page cache; outputs go to the "
        "page cache (a `sync` runs before each timed run, not inside it).", "",
        timings, "",
        "## Targets", "",
        goals, *warning, "",
    ])


# ---------------------------------------------------------------------------------------------
# Main

def log(msg: str) -> None:
    print(msg, flush=True)


def fmt_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--small", action="store_true", help="tiny data (6 x 256 KiB, 16 MiB) to try the harness")
    p.add_argument("--rounds", type=int, default=3, help="timed runs of every command (default 3)")
    p.add_argument("--only", help="comma-separated cases: many-npy, big-npy, big-npz, many-npz, pairs-npz")
    p.add_argument("--no-build", action="store_true", help="do not run `swift build -c release --static-swift-stdlib` first")
    p.add_argument("--baselines-only", action="store_true", help="time only cp -r and NumPy (no build, no npdrop)")
    p.add_argument("--jobs", type=int, default=2, help="npdrop --jobs and NumPy pool size (default 2)")
    p.add_argument("--scratch", type=Path, default=Path("/tmp/npdrop-bench"),
                   help="where data/ and out/ are made (default /tmp/npdrop-bench)")
    p.add_argument("--keep", action="store_true", help="keep the generated data (reused by the next run)")
    p.add_argument("--results", type=Path, default=BENCH_DIR / "results.md", help="Markdown report to write")
    args = p.parse_args()

    all_cases = ["many-npy", "big-npy", "big-npz", "many-npz", "pairs-npz"]
    only = all_cases if not args.only else [n.strip() for n in args.only.split(",")]
    if unknown := [n for n in only if n not in all_cases]:
        p.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(all_cases)}")
    if args.rounds < 1:
        p.error("--rounds must be at least 1")

    if not os.access(TIME, os.X_OK):
        p.error(f"{TIME} (GNU time) is needed for peak RSS; install the `time` package")
    npdrop = None
    if not args.baselines_only:
        if not args.no_build:
            log("swift build -c release --static-swift-stdlib")
            subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib"], cwd=REPO, check=True)
        npdrop = os.environ.get("NPDROP_BIN", str(REPO / ".build" / "release" / "npdrop"))
        if not os.access(npdrop, os.X_OK):
            p.error(f"npdrop binary {npdrop} is missing or not executable (set NPDROP_BIN, or --baselines-only)")

    sizes = SMALL if args.small else FULL
    data_root, out_root = args.scratch / "data", args.scratch / "out"
    existing = next(d for d in [args.scratch, *args.scratch.parents] if d.exists())
    need = 4 * (sizes.many_bytes + sizes.big_bytes)   # inputs .npy + .npz, outputs, masks
    free = shutil.disk_usage(existing).free
    if free < need:
        p.error(f"{args.scratch} has {fmt_size(free)} free, the benchmark needs about {fmt_size(need)}")

    fs = subprocess.run(["findmnt", "-no", "FSTYPE", "-T", str(existing)], capture_output=True, text=True).stdout.strip()
    load_start = os.getloadavg()
    if load_start[0] > 0.5:
        log(f"note: load average is {load_start[0]:.2f}; other work on the machine will skew the timings")
    try:
        ds = generate_data(data_root, sizes)
        cases = [c for c in build_cases(ds, sizes, npdrop, args.jobs) if c.name in only]
        out_root.mkdir(parents=True, exist_ok=True)
        for case in cases:
            run_case(case, args.rounds, out_root)
    finally:
        remove(out_root)
        if not args.keep:
            remove(data_root)
            if args.scratch.exists() and not any(args.scratch.iterdir()):
                args.scratch.rmdir()

    text = report(cases, machine_info(args, npdrop, fs, load_start), args.jobs)
    print()
    print(text)
    args.results.write_text(text)
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
