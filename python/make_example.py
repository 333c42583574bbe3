#!/usr/bin/env python3
"""Writes Fixtures/example/seed_example.npy, the array of the README's seed example.

    python3 python/make_example.py [OUTPUT_DIR]     # default: Fixtures/example next to this script

np.arange(35).reshape(1, 7, 5) as float32 (one sample, 7 steps, 5 channels), saved with np.save;
running it again reproduces the file byte for byte.
"""
import os
import sys

import numpy as np


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    out = argv[1] if len(argv) > 1 else os.path.join(here, "..", "Fixtures", "example")
    os.makedirs(out, exist_ok=True)
    x = np.arange(35).reshape(1, 7, 5).astype(np.float32)
    np.save(os.path.join(out, "seed_example.npy"), x)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
