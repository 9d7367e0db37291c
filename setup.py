"""Build hook: every wheel (pip install ., pipx, uvx, a wheel built from the sdist) carries the catalog.

The metadata lives in pyproject.toml; this file only extends ``build_py`` so that the API catalog
is built from the repository's definition (``openapi/manage-openapi.json``, or ``$CWM_SPEC``) into
``cwm_gateway/data/catalog.db``. The builder is the project's own (stdlib only), run from ``src``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DEFINITION = ROOT / "openapi" / "manage-openapi.json"


def definition() -> Path:
    spec = Path(os.environ.get("CWM_SPEC") or DEFINITION)
    if not spec.is_file():
        raise SystemExit(
            f"cwm-gateway: no OpenAPI definition at {spec}: the repository and the sdist carry "
            "openapi/manage-openapi.json; set CWM_SPEC to build from another one"
        )
    return spec


def build_catalog(spec: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from cwm_gateway.catalog.builder import build_catalog as build
    finally:
        sys.path.remove(str(ROOT / "src"))
    report = build(spec, out)
    print(f"cwm-gateway: catalog of {report.operations} operations from {spec.name} -> {out}", file=sys.stderr)


class BuildPyWithCatalog(build_py):
    """``build_py``, then the catalog beside the modules it copied."""

    def run(self) -> None:
        super().run()
        # An editable install runs the sources in place, so the catalog goes there (gitignored).
        package = ROOT / "src" if self.editable_mode else Path(self.build_lib)
        build_catalog(definition(), package / "cwm_gateway" / "data" / "catalog.db")


setup(cmdclass={"build_py": BuildPyWithCatalog})
