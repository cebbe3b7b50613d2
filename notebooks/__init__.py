"""Parameterized notebooks rendered into reports; they only read marts."""

from pathlib import Path

NOTEBOOKS_DIR = Path(__file__).resolve().parent
