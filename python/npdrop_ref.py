#!/usr/bin/env python3
"""npdrop's NumPy reference for its own stream: the command line and the functions the tests
import (``array_key``, ``spawn_key``, ``keep_mask``, ``from_record``, ``dropout``, ...).

The implementation lives in the ``npdrop`` package (``pip install ./python``), module
``npdrop._stream``; this file keeps the old entry point working from a checkout.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from npdrop._stream import *  # noqa: E402,F401,F403
from npdrop._stream import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
