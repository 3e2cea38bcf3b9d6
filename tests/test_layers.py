"""The house rules of the code, read from its imports (docs/architecture.md).

The pipeline's stages are floors, lowest first. A module may import its own floor or a lower
one, never a higher one; no two modules import each other, directly or round a circle; the
project's own modules are imported at the top of a module, except for at most five imports kept
inside a function so a heavy dependency stays out of ``council --help``, each with a comment
saying why; SQL is written only in ``indexer/store/``; no file passes 450 lines.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FLOORS = ["common", "ingest", "parse", "structure", "chunk", "embed", "store", "retrieve", "answer",
          "evaluate", "api", "cli"]
MAX_LINES = 450
MAX_LOCAL_IMPORTS = 5
SQL = re.compile(r"\b(?:SELECT\s[\s\S]*\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(?:VIRTUAL\s+)?TABLE)\b")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported project module
    line: int
    local: bool  # inside a function
    commented: bool  # a comment on its line or the line above


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_files() -> list[Path]:
    return sorted(p for top in ("indexer", "api") for p in (REPO / top).rglob("*.py"))


MODULES = {module_name(p): p for p in project_files()}


def floor(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "api":
        return FLOORS.index("api")
    if parts[0] == "indexer" and len(parts) > 1 and parts[1] in FLOORS:
        return FLOORS.index(parts[1])
    return None


def resolve(name: str) -> str | None:
    """The project module an import names: ``indexer.store.index`` or, for ``from indexer.store
    import metadata``, the submodule when there is one."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path, source: str | None = None) -> list[Import]:
    source = source or module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text)
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))}
    type_only = set()
    for node in ast.walk(tree):  # `if TYPE_CHECKING:` imports never run
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only |= {id(n) for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names]
        for name in names:
            target = resolve(name)
            if target is None or target == source:
                continue
            above = lines[node.lineno - 2] if node.lineno > 1 else ""
            commented = "#" in lines[node.lineno - 1] or above.strip().startswith("#")
            out.append(Import(source, target, node.lineno, id(node) in inside, commented))
    return out


IMPORTS = [imp for p in project_files() for imp in imports_of(p)]


def test_every_module_sits_on_a_floor():
    assert [m for m in MODULES if floor(m) is None and m != "indexer"] == []


def test_no_import_reaches_a_higher_floor():
    upward = [f"{i.source} (line {i.line}) imports {i.target}: {FLOORS[floor(i.source)]} is below "
              f"{FLOORS[floor(i.target)]}" for i in IMPORTS
              if floor(i.source) is not None and floor(i.target) is not None and floor(i.target) > floor(i.source)]
    assert upward == []


def test_no_import_circles():
    graph: dict[str, set[str]] = {}
    for i in IMPORTS:
        graph.setdefault(i.source, set()).add(i.target)
    # a package's __init__ importing its own submodules (the CLI registering its commands) is
    # how a package is assembled, not a circle: a submodule importing its package's __init__ is.
    circles, state = [], {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                circles.append(" -> ".join(path[path.index(n):] + [n]))
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == []


def test_few_function_level_imports_each_with_its_reason():
    local = [i for i in IMPORTS if i.local]
    assert len({(i.source, i.line) for i in local}) <= MAX_LOCAL_IMPORTS, "\n".join(
        f"{i.source}:{i.line} {i.target}" for i in local)
    assert [f"{i.source}:{i.line}" for i in local if not i.commented] == []


def test_sql_only_in_the_store():
    found = []
    for p in project_files():
        if p.is_relative_to(REPO / "indexer" / "store"):
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{p.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_no_caches_keyed_by_object_identity():
    found = [f"{p.relative_to(REPO)}:{n}" for p in project_files()
             for n, line in enumerate(p.read_text().splitlines(), 1) if re.search(r"\bid\((?:index|idx|self)\)", line)]
    assert found == []


@pytest.mark.parametrize("path", project_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_files_stay_readable(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_every_package_says_what_it_does():
    bare = [str(p.relative_to(REPO)) for p in project_files()
            if p.name == "__init__.py" and not ast.get_docstring(ast.parse(p.read_text()))]
    assert bare == []


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The checks above can fail: a module breaking each rule is caught."""
    probe = tmp_path / "probe.py"
    probe.write_text("from indexer.retrieve.search import search\n"
                     "from .dates import long_date\n\n"
                     "def f():\n    from indexer.store import index\n\n"
                     "def g():\n    # FastAPI stays out of --help\n    from indexer.store import vectors\n")
    found = {i.target: i for i in imports_of(probe, "indexer.common.probe")}
    assert set(found) == {"indexer.retrieve.search", "indexer.common.dates", "indexer.store.index",
                          "indexer.store.vectors"}
    assert floor(found["indexer.retrieve.search"].target) > floor("indexer.common.probe")
    assert found["indexer.store.index"].local and not found["indexer.store.index"].commented
    assert found["indexer.store.vectors"].local and found["indexer.store.vectors"].commented
    assert not found["indexer.retrieve.search"].local
    assert SQL.search("SELECT id FROM meetings WHERE date >= ?") and SQL.search("DELETE FROM chunks")
    assert not SQL.search("Select a committee from the list, then update the set")
