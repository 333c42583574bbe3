#!/usr/bin/env python3
"""Writes the .npy test fixtures in Fixtures/npy with NumPy, deterministically.

Running it again reproduces every file byte for byte (the data is computed, not random).

    python3 python/make_fixtures.py [OUTPUT_DIR]     # default: Fixtures/npy next to this script

Files:
  <order>_<kind>_<C|F>_r<rank>.npy   every supported dtype (order le/be, or na for 1-byte types),
                                     C order for ranks 0-4, Fortran order for ranks 2-4
                                     (NumPy writes fortran_order False for ranks 0-1 anyway)
  empty_*.npy                        arrays with a zero dimension
  v2_*.npy, v3_*.npy                 format versions 2.0 and 3.0 (np.lib.format.write_array)
  MANIFEST.tsv                       per file: descr, shape, fortran_order, header_version,
                                     data_offset, sha256_c_le (SHA-256 of the values in C order,
                                     little-endian), npsave_sha256 (SHA-256 of the bytes np.save
                                     writes for the loaded array; equals the file's own hash
                                     for every file np.save wrote)
"""
import hashlib
import io
import os
import sys

import numpy as np
from numpy.lib import _format_impl as npy_format

KINDS = ["b1", "i1", "u1", "i2", "i4", "i8", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]
SHAPES = {0: (), 1: (5,), 2: (2, 3), 3: (2, 3, 2), 4: (2, 1, 3, 2)}


def values(kind, count):
    """Deterministic values of `kind` (native order): varied signs, wraps and float specials."""
    base = np.arange(count, dtype=np.int64) * 37 - 100
    if kind == "b1":
        return np.arange(count) % 3 == 0
    if kind[0] in "iu":
        return base.astype(np.dtype(kind))  # wraps modulo 2**bits
    real = base.astype(np.float64) * 0.37
    if count >= 4:
        real[1], real[2], real[3] = np.nan, -np.inf, -0.0
    if kind[0] == "f":
        return real.astype(np.dtype(kind))
    pairs = np.empty(count, dtype=np.complex128)
    pairs.real = real
    pairs.imag = -0.5 * real
    return pairs.astype(np.dtype(kind))


def array(descr, shape, fortran):
    count = int(np.prod(shape)) if shape else 1
    flat = values(descr.lstrip("<>|"), count).astype(np.dtype(descr))
    a = flat.reshape(shape)
    return a.copy(order="F" if fortran else "C")  # (np.ascontiguousarray would make 0-d arrays 1-d)


def save(path, a, version=None):
    with open(path, "wb") as f:
        if version is None:
            np.save(f, a)
        else:
            np.lib.format.write_array(f, a, version=version)


def c_le_sha256(a):
    le = a.astype(a.dtype.newbyteorder("<")) if a.dtype.itemsize > 1 else a
    return hashlib.sha256(le.tobytes(order="C")).hexdigest()


def npsave_sha256(a):
    buffer = io.BytesIO()
    np.save(buffer, a)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Fixtures", "npy")
    os.makedirs(out, exist_ok=True)
    written = []

    for kind in KINDS:
        orders = [("na", "|")] if kind in ("b1", "i1", "u1") else [("le", "<"), ("be", ">")]
        for order_name, order_char in orders:
            for fortran in (False, True):
                for rank, shape in SHAPES.items():
                    if fortran and rank < 2:
                        continue
                    name = f"{order_name}_{kind}_{'F' if fortran else 'C'}_r{rank}.npy"
                    save(os.path.join(out, name), array(order_char + kind, shape, fortran))
                    written.append(name)

    empties = [("empty_f8_C_0.npy", "<f8", (0,), False), ("empty_i4_C_2x0.npy", "<i4", (2, 0), False),
               ("empty_f4_F_0x3.npy", ">f4", (0, 3), True), ("empty_c8_C_2x0x3.npy", "<c8", (2, 0, 3), False),
               ("empty_b1_C_0.npy", "|b1", (0,), False)]
    for name, descr, shape, fortran in empties:
        save(os.path.join(out, name), np.zeros(shape, dtype=descr, order="F" if fortran else "C"))
        written.append(name)

    versioned = [("v2_f8_C.npy", "<f8", (3, 4), False, (2, 0)), ("v2_u2_F.npy", ">u2", (2, 3), True, (2, 0)),
                 ("v3_i2_F.npy", "<i2", (2, 3), True, (3, 0)), ("v3_b1_C.npy", "|b1", (4,), False, (3, 0))]
    for name, descr, shape, fortran, version in versioned:
        save(os.path.join(out, name), array(descr, shape, fortran), version=version)
        written.append(name)

    rows = ["file\tdescr\tshape\tfortran_order\theader_version\tdata_offset\tsha256_c_le\tnpsave_sha256"]
    for name in sorted(written):
        path = os.path.join(out, name)
        with open(path, "rb") as f:
            major, minor = f.read(8)[6:8]
            f.seek(0)
            version = (major, minor)
            npy_format.read_magic(f)
            shape, fortran, dtype = npy_format._read_array_header(f, version)
            offset = f.tell()
        a = np.load(path)
        rows.append("\t".join([name, dtype.str, "[" + ",".join(map(str, shape)) + "]",
                               "true" if fortran else "false", f"{major}.{minor}", str(offset),
                               c_le_sha256(a), npsave_sha256(a)]))
    with open(os.path.join(out, "MANIFEST.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
