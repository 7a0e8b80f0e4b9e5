"""Build the compiled scoring core in place (``make build-core``), for development and tests.

The same extension as setup.py builds for ``pip install`` (flags in the .pyx), compiled
next to its source, without reading pyproject.toml: the venv's own setuptools may predate
the one the package build needs. Fails with one line when Cython or a C compiler is missing;
the package then runs the pure-Python scoring core.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "pipeline/scoring/_core.pyx"


def main() -> int:
    import os

    try:
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension
    except ImportError as exc:
        print(f"build_core: {exc}: install requirements-dev.txt", file=sys.stderr)
        return 1
    os.chdir(ROOT)
    extensions = cythonize(
        [Extension("pipeline.scoring._core", [SOURCE])], language_level=3, quiet=True
    )
    dist = Distribution({"name": "brandpulse-core", "ext_modules": extensions})
    command = dist.get_command_obj("build_ext")
    command.inplace = True  # type: ignore[attr-defined]
    command.build_temp = str(ROOT / "build" / "core")  # type: ignore[attr-defined]
    try:
        dist.run_command("build_ext")
    except Exception as exc:  # CompileError, LinkError, a missing compiler
        print(f"build_core: the compiled scoring core did not build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
