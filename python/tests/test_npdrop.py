"""Tests of the npdrop package (pure NumPy); the Keras comparisons run when keras imports."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import npdrop
from npdrop import _stream, keras as nk


def test_threefry_known_answers():
    # Random123's known-answer vectors for threefry2x32 with 20 rounds.
    cases = [
        ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
        ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
        ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
    ]
    for key, counter, expected in cases:
        a, b = npdrop.threefry2x32(*key, [counter[0]], [counter[1]])
        assert (int(a[0]), int(b[0])) == expected


def test_jax_bits_use_the_index_as_counter():
    bits = nk.jax_random_bits(7, 3, (2, 3))
    for i in range(6):
        a, b = npdrop.threefry2x32(7, 3, [0], [i])
        assert bits.ravel()[i] == (a[0] ^ b[0])


def test_keras_numpy_keep_is_default_rng_uniform():
    keep = nk.keep_numpy(5, 2, (4, 5), 0.3)
    expected = np.random.default_rng([5, 2]).uniform(size=(4, 5)) < 0.7
    assert np.array_equal(keep, expected)


def test_keras_dropout_numpy_divides_in_the_dtype():
    x = np.linspace(-3, 3, 60).reshape(6, 10).astype(np.float16)
    y = npdrop.keras_dropout(x, 0.3, None, 9, 1, "numpy")
    keep = np.random.default_rng([9, 1]).uniform(size=x.shape) < 0.7
    assert y.dtype == np.float16
    assert np.array_equal(y, np.where(keep, x / np.float16(0.7), 0))


def test_keras_dropout_dtypes_and_edge_rates():
    x8 = np.ones((3, 4))
    assert npdrop.keras_dropout(x8, 0.5, backend="jax").dtype == np.float32
    assert npdrop.keras_dropout(x8, 0.0, backend="jax").dtype == np.float64
    assert npdrop.keras_dropout(x8, 1.0, backend="jax").dtype == np.float32
    assert npdrop.keras_dropout(x8, 0.5, backend="numpy").dtype == np.float64
    assert npdrop.keras_dropout(x8, 0.5, backend="numpy", layer=True).dtype == np.float32
    assert not npdrop.keras_dropout(x8, 1.0, backend="numpy").any()
    ints = np.arange(12, dtype=np.int16).reshape(3, 4)
    y = npdrop.keras_dropout(ints, 0.5, None, 1, 0, "numpy")
    keep = nk.keep_numpy(1, 0, (3, 4), 0.5)
    assert y.dtype == np.int16 and np.array_equal(y, np.where(keep, (ints / 0.5).astype(np.int16), 0))
    with pytest.raises(TypeError):
        npdrop.keras_dropout(ints, 0.5, backend="jax")
    with pytest.raises(ValueError):
        npdrop.keras_dropout(x8, 0.5, seed=2**32)


def test_noise_shape_none_entries_broadcast():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    y = npdrop.keras_dropout(x, 0.5, (None, 1, None), 3, 0, "jax")
    keep = nk.keep_jax(3, 0, (2, 1, 4), 0.5)
    assert np.array_equal(y != 0, np.broadcast_to(keep, x.shape) & (x != 0))


def _write_run(tmp_path):
    """A small OUT directory laid out as npdrop run writes it, for each rng."""
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / "masks").mkdir()
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float64)
    records = []
    for i, (rng, layer) in enumerate([("npdrop", None), ("keras-numpy", True), ("keras-jax", False)]):
        name = f"a{i}.npy"
        base = {"input": name, "member": None, "copy": 0, "output": f"data/{name}", "mask": f"masks/{name}",
                "output_member": None, "mask_member": None, "variant": "dropout", "rate": 0.4,
                "noise_shape": [4, 1], "shape": [4, 6], "dtype": "<f8", "fortran_order": False, "seed": 11,
                "spawn_key": list(_stream.spawn_key(name)), "status": "ok", "error": None, "scale": True,
                "fill": None, "rng": rng, "keras_call": None if rng == "npdrop" else i,
                "keras_layer": layer}
        if rng == "npdrop":
            keep = _stream.keep_mask(11, tuple(base["spawn_key"]), (4, 1), 0.4)
            y = _stream.apply_mask(x, keep, 0.4)
        else:
            backend = rng.split("-")[1]
            keep = nk.keep_mask(11, i, (4, 1), 0.4, backend)
            y = nk.apply_keep(x, keep, 0.4, backend, bool(layer))
        base["output_dtype"] = y.dtype.str
        np.save(out / "data" / name, y)
        np.save(out / "masks" / name, keep)
        records.append(base)
    records.append({"input": "bad.npy", "status": "error", "error": "bad.npy: broken"})
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return out, x


def test_iter_run_keep_mask_and_dropout_agree_with_the_files(tmp_path):
    out, x = _write_run(tmp_path)
    seen = list(npdrop.iter_run(str(out)))
    assert [r["rng"] for r, _, _ in seen] == ["npdrop", "keras-numpy", "keras-jax"]
    for record, result, mask in seen:
        assert np.array_equal(npdrop.keep_mask(record), mask)
        y = npdrop.dropout(x, record)
        assert y.dtype == result.dtype and y.tobytes() == result.tobytes()
    assert seen[1][1].dtype == np.float32 and seen[2][1].dtype == np.float32


def test_old_reference_module_still_works():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location("npdrop_ref", os.path.join(here, "npdrop_ref.py"))
    if spec is None or not os.path.exists(spec.origin):
        pytest.skip("npdrop_ref.py is not beside the package (installed copy)")
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    assert np.array_equal(ref.from_record({"seed": 1, "spawn_key": [0, 1, 97], "noise_shape": [5], "rate": 0.5}),
                          npdrop.keep_mask({"seed": 1, "spawn_key": [0, 1, 97], "noise_shape": [5], "rate": 0.5}))


LIVE_SCRIPT = r"""
import sys, warnings
warnings.simplefilter("ignore")
import numpy as np, keras, npdrop
backend = keras.backend.backend()
rng = np.random.default_rng(int(sys.argv[1]))
bad = []
for case in range(12):
    rank = int(rng.integers(2, 6))
    shape = tuple(int(v) for v in rng.integers(1, 6, rank))
    dtype = ("float16", "float32", "float64")[case % 3]
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    rate = float(rng.choice([0.0, 0.25, 0.5, 1.0, rng.random()]))
    noise = tuple(None if rng.random() < 0.4 else (1 if rng.random() < 0.5 else d) for d in shape)
    seed, call = int(rng.integers(0, 2**32)), int(rng.integers(0, 4))
    layer = keras.layers.Dropout(rate, noise_shape=noise, seed=seed)
    for _ in range(call + 1):
        want = np.asarray(layer(x, training=True))
    got = npdrop.keras_dropout(x, rate, noise, seed, call, backend, layer=True)
    if want.dtype != got.dtype or want.tobytes() != got.tobytes():
        bad.append(("layer", shape, dtype, rate, noise, seed, call))
    generator = keras.random.SeedGenerator(seed)
    for _ in range(call):
        generator.next()
    want = np.asarray(keras.random.dropout(x, rate, noise_shape=noise, seed=generator))
    got = npdrop.keras_dropout(x, rate, noise, seed, call, backend)
    if want.dtype != got.dtype or want.tobytes() != got.tobytes():
        bad.append(("op", shape, dtype, rate, noise, seed, call))
print(bad)
sys.exit(1 if bad else 0)
"""


def _keras_python():
    """The interpreter with keras and jax: NPDROP_KERAS_PYTHON (e.g. the system python3 when
    this package is tested in a fresh virtual environment), else this one."""
    return os.environ.get("NPDROP_KERAS_PYTHON") or sys.executable


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_keras_dropout_matches_live_keras(backend, tmp_path):
    python = _keras_python()
    env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    # Only this package on the path of that interpreter, not the environment it is installed in.
    (tmp_path / "npdrop").symlink_to(os.path.dirname(os.path.abspath(npdrop.__file__)))
    env["PYTHONPATH"] = str(tmp_path)
    probe = subprocess.run([python, "-c", "import keras, jax"], env=env, capture_output=True)
    if probe.returncode != 0:
        if os.environ.get("NPDROP_LIVE_KERAS") == "1":
            pytest.fail(f"NPDROP_LIVE_KERAS=1 but {python} cannot import keras and jax")
        pytest.skip(f"{python} cannot import keras and jax")
    done = subprocess.run([python, "-c", LIVE_SCRIPT, "16"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
