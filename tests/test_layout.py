"""The layout shows the architecture: the stages of scoring import downwards only (criteria
sets, the pure engine, the assessment, the appraisal, publication), nothing below the pages
imports a page, and the core (cchc) imports no app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["engine", "criteria", "assessment", "appraisal", "publication"]
TOP = {"views", "forms", "api", "admin", "management", "urls"}


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_no_stage_of_scoring_imports_a_later_stage_or_a_page():
    wrong = []
    for stage_number, stage in enumerate(STAGES):
        for path in (ROOT / "scoring" / stage).rglob("*.py"):
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] != "scoring" or len(parts) < 2:
                    continue
                later = parts[1] in STAGES and STAGES.index(parts[1]) > stage_number
                if later or parts[1] in TOP:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_the_core_imports_no_app():
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "cchc").rglob("*.py")
        if "migrations" not in path.parts
        for module in _imports(path)
        if module.split(".")[0] in {"scoring", "dossiers", "demo"}
    ]
    assert wrong == []
