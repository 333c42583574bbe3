"""Times one large npz member deflated: np.savez_compressed vs npdrop single-stream vs npdrop parallel.

    swift build -c release && python3 run.py [--mib 256] [--reps 3] [--dir /tmp/pdbench]
    python3 run.py --blocks [--mib 64]     # block-size sweep (2 threads)

Each run also records how many cores other processes used meanwhile; medians over the quiet
repetitions are printed too (with sched_autogroup, a busy session elsewhere caps this one at its
fair share: one core of two, whatever its thread count).

Data: float32 random normal ("normal"), and the same after dropout with rate 0.5 ("dropout": half
exact zeros, the rest scaled by 2). Runs alternate between the contenders in each repetition, and
medians are reported (the machine is shared and noisy). Level 1 for NumPy is zipfile at
compresslevel=1 written the way np.savez_compressed writes (np.savez_compressed has no level).
"""
import argparse, os, statistics, subprocess, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, ".build", "release", "ParallelDeflateBench")
# A repetition counts as quiet when other processes kept less than this many cores busy during each
# of its runs (this kernel shares CPU fairly between sessions, so any busy session halves our share).
QUIET = 0.25
ARGS_DIR = []  # the data folder, for removing this run's output at exit

PY_SAVE = r"""
import sys, time, zipfile, numpy as np
x = np.load(sys.argv[1])
level = int(sys.argv[3])
c0, t0 = time.process_time(), time.perf_counter()
if level == 6:
    np.savez_compressed(sys.argv[2], x=x)
else:
    with zipfile.ZipFile(sys.argv[2], "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level, allowZip64=True) as zf:
        with zf.open("x.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array(f, x, allow_pickle=False)
t, c = time.perf_counter() - t0, time.process_time() - c0
import zipfile as z
print(t, c, z.ZipFile(sys.argv[2]).getinfo("x.npy").compress_size)
"""


def make_data(directory, mib):
    rng = np.random.default_rng(2024)
    n = mib * (1 << 20) // 4
    paths = {}
    x = rng.standard_normal(n, dtype=np.float32)
    paths["normal"] = os.path.join(directory, f"normal-{mib}.npy")
    if not os.path.exists(paths["normal"]):
        np.save(paths["normal"], x)
    paths["dropout"] = os.path.join(directory, f"dropout-{mib}.npy")
    if not os.path.exists(paths["dropout"]):
        keep = rng.random(n) >= 0.5
        np.save(paths["dropout"], np.where(keep, x * np.float32(2), np.float32(0)).astype(np.float32))
    return paths


def busy_seconds():
    """CPU seconds all processes have spent busy, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def measured(run):
    """Runs `run`, and appends how many cores other processes kept busy meanwhile (on average)."""
    b0, t0 = busy_seconds(), time.perf_counter()
    result = run()
    others = max(0.0, busy_seconds() - b0 - result[1]) / (time.perf_counter() - t0)
    return result + (others,)


def run_swift(npy, out, mode, level, threads=2, block=None):
    cmd = [BENCH, npy, out, mode, str(level), str(threads)] + ([str(block)] if block else [])
    wall, cpu, size, packed, busiest, _ = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    return float(wall), float(cpu), int(size), int(packed), float(busiest)


def run_numpy(npy, out, level):
    wall, cpu, packed = subprocess.run([sys.executable, "-c", PY_SAVE, npy, out, str(level)],
                                       check=True, capture_output=True, text=True).stdout.split()
    return float(wall), float(cpu), os.path.getsize(npy), int(packed), float(cpu)


def check_loads(path, npy):
    with np.load(path) as z:
        assert np.array_equal(z["x"], np.load(npy)), path
    subprocess.run([sys.executable, "-m", "zipfile", "-t", path], check=True, capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=None)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/pdbench")
    ap.add_argument("--levels", default="6,1")
    ap.add_argument("--blocks", action="store_true")
    args = ap.parse_args()
    mib = args.mib or (64 if args.blocks else 256)
    os.makedirs(args.dir, exist_ok=True)
    data = make_data(args.dir, mib)
    levels = [int(v) for v in args.levels.split(",")]
    out = os.path.join(args.dir, f"out-{os.getpid()}.npz")
    ARGS_DIR.append(args.dir)

    if args.blocks:
        sizes = [128 << 10, 256 << 10, 512 << 10, 1 << 20, 4 << 20]
        for name, npy in data.items():
            for level in levels:
                single = [run_swift(npy, out, "single", level)]
                runs = {b: [] for b in sizes}
                for _ in range(args.reps):
                    for b in sizes:
                        runs[b].append(run_swift(npy, out, "parallel", level, 2, b))
                for b in sizes:
                    wall = statistics.median(r[0] for r in runs[b])
                    size, packed = runs[b][0][2], runs[b][0][3]
                    print(f"{name:8} level {level} block {b >> 10:5} KiB: {size / wall / 1e6:6.1f} MB/s "
                          f"(median of {args.reps}), size {packed} = single {single[0][3]} "
                          f"{packed - single[0][3]:+d} ({(packed / single[0][3] - 1) * 100:+.3f}%)", flush=True)
        return

    for name, npy in data.items():
        for level in levels:
            results = {"numpy": [], "single": [], "parallel2": []}
            loads = []
            for rep in range(args.reps):
                loads.append(os.getloadavg()[0])
                results["numpy"].append(measured(lambda: run_numpy(npy, out, level)))
                if rep == 0:
                    numpy_bytes = open(out, "rb").read()
                results["single"].append(measured(lambda: run_swift(npy, out, "single", level)))
                if rep == 0:
                    check_loads(out, npy)
                    same = open(out, "rb").read() == numpy_bytes
                results["parallel2"].append(measured(lambda: run_swift(npy, out, "parallel", level, 2)))
                if rep == 0:
                    check_loads(out, npy)
            print(f"{name} level {level} ({mib} MiB, {args.reps} alternating runs; single-stream archive "
                  f"{'byte-identical to' if same else 'differs from'} NumPy's):", flush=True)
            med = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
            ratios = [n[0] / p[0] for n, p in zip(results["numpy"], results["parallel2"])]
            print(f"  load average at start of each repetition: {' '.join(f'{v:.1f}' for v in loads)}; "
                  f"numpy/parallel2 per repetition: {' '.join(f'{r:.2f}' for r in ratios)} "
                  f"(median {statistics.median(ratios):.2f}x)", flush=True)
            for key, runs in results.items():
                wall = med[key]
                cpu = statistics.median(r[1] for r in runs)
                size, packed = runs[0][2], runs[0][3]
                walls = " ".join(f"{r[0]:.1f}" for r in runs)
                print(f"  {key:10} {size / wall / 1e6:6.1f} MB/s  wall {wall:6.2f} s [{walls}]  cpu {cpu:6.2f} s  "
                      f"ratio {packed / size:.4f}  compressed {packed}  "
                      f"vs numpy {med['numpy'] / wall:.2f}x", flush=True)
            others = [max(r[5] for r in runs) for runs in zip(*results.values())]
            quiet = [i for i, o in enumerate(others) if o < QUIET]
            print(f"  cores used by other processes during each repetition: {' '.join(f'{o:.2f}' for o in others)}",
                  flush=True)
            if quiet:
                q = {k: statistics.median(v[i][0] for i in quiet) for k, v in results.items()}
                print(f"  quiet repetitions only ({len(quiet)}, others < {QUIET} core): numpy {q['numpy']:.2f} s, "
                      f"single {q['single']:.2f} s, parallel2 {q['parallel2']:.2f} s -> parallel2 "
                      f"{q['numpy'] / q['parallel2']:.2f}x numpy, {q['single'] / q['parallel2']:.2f}x single", flush=True)
            # Without other load, a run takes about its busiest thread's CPU time (NumPy: its CPU time).
            busy = {k: statistics.median(r[4] for r in v) for k, v in results.items()}
            print(f"  busiest-thread CPU s (wall on free cores): numpy {busy['numpy']:.2f}, single {busy['single']:.2f}, "
                  f"parallel2 {busy['parallel2']:.2f} -> parallel2 {busy['numpy'] / busy['parallel2']:.2f}x numpy, "
                  f"{busy['single'] / busy['parallel2']:.2f}x single", flush=True)
            d = results["parallel2"][0][3] - results["single"][0][3]
            print(f"  parallel - single: {d:+d} bytes ({d / results['single'][0][3] * 100:+.4f}%)", flush=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        for name in os.listdir(ARGS_DIR[0]) if ARGS_DIR else []:
            if name == f"out-{os.getpid()}.npz":
                os.remove(os.path.join(ARGS_DIR[0], name))
