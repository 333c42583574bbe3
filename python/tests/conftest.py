"""Tests import the installed package (`pip install ./python`); from a checkout without it,
they fall back to the source tree beside this folder."""
import importlib.util
import os
import sys

if importlib.util.find_spec("npdrop") is None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
