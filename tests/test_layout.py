"""The layout holds: no import cycles in app/ beyond the blueprint pattern, none between its
rooms (packages) either, and the sandbox and the app share no code (app/sandbox.py only
launches the sandbox)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINT = "bp"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str) -> dict[str, Path]:
    return {module_name(path): path for path in (ROOT / package).rglob("*.py")}


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that the file imports anywhere in it; importing only the
    blueprint `bp` from a package is the blueprint pattern and is left out."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            submodules = {f"{node.module}.{name}" for name in names} & known.keys()
            found.update(submodules)
            others = [name for name in names if f"{node.module}.{name}" not in submodules]
            if node.module in known and others and others != [BLUEPRINT]:
                found.add(node.module)
    return found


def cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path of imports from `start` back to itself, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for target in graph[node]:
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_module_in_app_imports_in_a_circle():
    known = modules("app")
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    cycles = [cycle for name in graph if (cycle := cycle_from(name, graph))]
    assert cycles == []


def room_of(name: str, path: Path) -> str | None:
    """The room a module belongs to: its package; a module directly in app/ is a room of its
    own; the app's factory (app/__init__.py) puts every room together and belongs to none."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if name == "app":
        return None
    return name if package == "app" else package


def test_no_room_depends_on_a_room_that_depends_on_it():
    known = modules("app")
    rooms: dict[str, set[str]] = {}
    for name, path in known.items():
        room = room_of(name, path)
        if room is None:
            continue
        targets = {room_of(target, known[target]) for target in imports(path, known)}
        rooms.setdefault(room, set()).update(targets - {room, None})
    for room in rooms:
        rooms[room] &= rooms.keys()
    cycles = [cycle for room in rooms if (cycle := cycle_from(room, rooms))]
    assert cycles == []


def test_the_sandbox_and_the_app_share_no_code():
    sandbox, app = modules("sandbox"), modules("app")
    for path in sandbox.values():
        assert not imports(path, app), f"{path} imports the app"
    launchers = [name for name, path in app.items() if imports(path, sandbox)]
    assert launchers == ["app.sandbox"]


def test_the_migrations_files_follow_their_chain():
    """Sorted by name, the migration files run in order: each revises the one before it, and
    its docstring's `Revises:` line says the same as its `down_revision`."""
    previous = None
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        text = path.read_text()
        down = ast.literal_eval(text.split("down_revision = ", 1)[1].splitlines()[0])
        said = text.split("Revises:", 1)[1].splitlines()[0].strip() or None
        assert (down, said) == (previous, previous), path.name
        previous = ast.literal_eval(text.split("\nrevision = ", 1)[1].splitlines()[0])
