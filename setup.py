"""Build of the compiled scoring core; everything else is in pyproject.toml.

``pipeline/scoring/_core.pyx`` is compiled with Cython into the extension module
``pipeline.scoring._core``, with ``-O2 -ffp-contract=off`` (set in the .pyx itself): no
``-march=native``, whose fused multiply-adds would change VADER's floating-point results.
The extension is optional: without a C compiler (or Cython) the package installs without
it and the pure-Python scoring core runs (see pipeline/scoring/core.py).
"""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # no Cython in the build environment: pure Python only
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("pipeline.scoring._core", ["pipeline/scoring/_core.pyx"])], language_level=3
    )
    for extension in ext_modules:
        extension.optional = True  # a failed compile is a warning (cythonize drops the flag)

setup(ext_modules=ext_modules)
