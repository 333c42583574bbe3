#!/usr/bin/env python3
"""Writes the .npz fixtures in Fixtures/npz/ with NumPy (np.savez / np.savez_compressed) and,
where NumPy has no switch for a zip feature, with CPython's zipfile the way np.savez drives it.

Deterministic: running it again reproduces every file byte for byte. np.savez writes no clock
time: it opens members with ZipFile.open(name, "w", force_zip64=True), which builds
ZipInfo(name) with zipfile's default date_time (1980, 1, 1, 0, 0, 0). The script checks this by
writing every archive twice and comparing. Data comes from np.arange / a seeded PCG64.

Also writes Fixtures/npz/MANIFEST.tsv: one line per member with what Python's zipfile reports
(method, flag bits, sizes, CRC-32) and the SHA-256 of the member bytes zipfile extracts.

Usage: python3 python/make_npz_fixtures.py [output-dir]   (default: Fixtures/npz next to this script)
"""
import hashlib
import io
import os
import sys
import zipfile

import numpy as np
from numpy.lib import format as npformat


def arrays():
    rng = np.random.Generator(np.random.PCG64(20240601))
    return {
        "floats": rng.random((16, 8)),
        "ints": np.arange(-50, 50, dtype=np.int32).reshape(10, 10),
        "fortran": np.asfortranarray(np.arange(24, dtype=">u2").reshape(2, 3, 4)),
        "flags": np.arange(13) % 3 == 0,
        "zeros": np.zeros(5000, dtype=np.float32),
        "scalar": np.array(3.5),
        "empty": np.zeros((0, 4), dtype=np.int64),
    }


class Unseekable(io.RawIOBase):
    """A write-only stream without seek/tell: zipfile then sets flag bit 3 and writes data descriptors."""

    def __init__(self):
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.data += bytes(b)
        return len(b)


def npy_bytes(array):
    out = io.BytesIO()
    npformat.write_array(out, np.asanyarray(array), allow_pickle=False)
    return out.getvalue()


def write_like_savez(zf, name, array, force_zip64=True):
    """What numpy.lib._npyio_impl._savez does for one member."""
    with zf.open(name, "w", force_zip64=force_zip64) as fid:
        npformat.write_array(fid, np.asanyarray(array), allow_pickle=False)


def make_savez_stored(path):
    np.savez(path, **arrays())


def make_savez_compressed(path):
    np.savez_compressed(path, **arrays())


def make_positional(path):
    a = arrays()
    np.savez(path, a["ints"], a["floats"], a["flags"])


def make_positional_compressed(path):
    a = arrays()
    np.savez_compressed(path, a["ints"], a["floats"], a["flags"])


def make_empty(path):
    np.savez(path)


def make_many_members(path):
    # 1,600 one-element arrays: a central directory of 1,600 entries in a small file.
    np.savez_compressed(path, **{"m%04d" % i: np.array([i], dtype=np.int16) for i in range(1600)})


def make_names(path):
    # A member inside a folder and a non-ASCII member (UTF-8 name, flag bit 11).
    np.savez(path, **{"group/sub/values": np.arange(6.0), "données": np.arange(3, dtype=np.uint8)})


def make_data_descriptor(path):
    # zipfile writing to an unseekable stream cannot go back to patch the local header, so it sets
    # flag bit 3 and writes a data descriptor after each member's data (PK\7\8 + CRC + 64-bit sizes
    # with zip64, 32-bit sizes without).
    a = arrays()
    out = Unseekable()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        write_like_savez(zf, "ints.npy", a["ints"])
        write_like_savez(zf, "narrow.npy", a["flags"], force_zip64=False)
    stored = bytes(out.data)
    out = Unseekable()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        write_like_savez(zf, "floats.npy", a["floats"])
        write_like_savez(zf, "zeros.npy", a["zeros"], force_zip64=False)
    with open(path, "wb") as f:
        f.write(stored)
    with open(path.replace(".npz", "_compressed.npz"), "wb") as f:
        f.write(bytes(out.data))


def make_comment(path):
    # np.savez has no comment option: the same calls plus an archive comment.
    a = arrays()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        write_like_savez(zf, "ints.npy", a["ints"])
        write_like_savez(zf, "floats.npy", a["floats"])
        zf.comment = b"npdrop fixture: an archive comment after the end record"


MAKERS = [
    ("savez_stored.npz", make_savez_stored),
    ("savez_compressed.npz", make_savez_compressed),
    ("positional.npz", make_positional),
    ("positional_compressed.npz", make_positional_compressed),
    ("empty.npz", make_empty),
    ("many_members.npz", make_many_members),
    ("names.npz", make_names),
    ("data_descriptor.npz", make_data_descriptor),
    ("comment.npz", make_comment),
]


def build(outdir):
    for name, maker in MAKERS:
        maker(os.path.join(outdir, name))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Fixtures", "npz")
    os.makedirs(outdir, exist_ok=True)
    build(outdir)
    # Determinism check: a second build in a scratch folder must give the same bytes.
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        build(scratch)
        for name in sorted(os.listdir(scratch)):
            with open(os.path.join(scratch, name), "rb") as a, open(os.path.join(outdir, name), "rb") as b:
                if a.read() != b.read():
                    sys.exit("not deterministic: " + name)

    rows = ["file\tmember\tmethod\tflags\tcompressed_size\tuncompressed_size\tcrc32\tsha256"]
    for name in sorted(os.listdir(outdir)):
        if not name.endswith(".npz"):
            continue
        with zipfile.ZipFile(os.path.join(outdir, name)) as zf:
            for info in zf.infolist():
                digest = hashlib.sha256(zf.read(info)).hexdigest()
                rows.append("\t".join([
                    name, info.filename, str(info.compress_type), str(info.flag_bits),
                    str(info.compress_size), str(info.file_size), "%08x" % info.CRC, digest]))
    with open(os.path.join(outdir, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    # Sanity: every archive loads with np.load.
    for name in sorted(os.listdir(outdir)):
        if name.endswith(".npz"):
            with np.load(os.path.join(outdir, name)) as npz:
                for key in npz.files:
                    npz[key]


if __name__ == "__main__":
    main()
