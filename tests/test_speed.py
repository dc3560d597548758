"""The speed-ups give exactly what the slower paths they replace gave."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import libcst as cst
import pytest
from conftest import top_statements
from libcst.metadata import MetadataWrapper, PositionProvider, WhitespaceInclusivePositionProvider

from fastapi_lint.linter.positions import node_positions

FIXTURES = Path(__file__).parent / "fixtures"
STDLIB = Path(sys.modules["os"].__file__).parent
# A spread of the standard library: decorators, comprehensions, async, odd layouts.
STDLIB_SAMPLE = ("argparse.py", "asyncio/tasks.py", "dataclasses.py", "enum.py", "typing.py", "json/decoder.py", "textwrap.py")
POSITION_SAMPLE = [*sorted(FIXTURES.glob("*.py")), *(STDLIB / name for name in STDLIB_SAMPLE[:3])]


@pytest.mark.parametrize("path", POSITION_SAMPLE, ids=lambda path: path.name)
def test_node_positions_match_libcst_providers(path: Path) -> None:
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    syntactic = wrapper.resolve(PositionProvider)
    inclusive = wrapper.resolve(WhitespaceInclusivePositionProvider)
    nodes = list(syntactic)
    chooser = random.Random(path.name)
    # Every node at once, and a few (the generation stops after the last one wanted).
    for wanted in (nodes, chooser.sample(nodes, 3), [nodes[-1]], [chooser.choice(nodes)]):
        positions, spans = node_positions(tree, wanted, wanted)
        for node in wanted:
            assert positions[id(node)] == syntactic[node], type(node).__name__
            assert spans[id(node)] == inclusive[node], type(node).__name__


@pytest.mark.parametrize("path", POSITION_SAMPLE, ids=lambda path: path.name)
def test_node_positions_with_statement_hints_match_libcst_providers(path: Path) -> None:
    """Only the hinted top-level statements are recorded; a node outside them (a wrong
    hint, the module, its header) makes the whole module recorded: same positions."""
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    syntactic = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    top = top_statements(tree)
    nodes = list(syntactic)
    chooser = random.Random(path.name)
    inside = [node for node in nodes if id(node) in top]
    for wanted in (inside, chooser.sample(inside, 3), [inside[0]], [inside[-1]], chooser.sample(nodes, 5), [tree]):
        right = [top[id(node)] for node in wanted if id(node) in top]
        for hints in (right, right[:1], [tree.body[-1]], []):
            positions, _ = node_positions(tree, wanted, (), hints)
            for node in wanted:
                assert positions[id(node)] == syntactic[node], type(node).__name__


# -- summaries from CPython's ast ------------------------------------------------------

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _summary_sources(tmp_path: Path) -> list[Path]:
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    generate.generate(tmp_path / "generated", 10)
    stdlib = sorted(path for path in STDLIB.rglob("*.py") if "site-packages" not in path.parts)
    return [
        *sorted((tmp_path / "generated").rglob("*.py")),
        *sorted(FIXTURES.glob("*.py")),
        *(STDLIB / name for name in STDLIB_SAMPLE),
        # Every 60th module of the standard library (the whole of it agrees too: 1,778
        # modules, checked when this summariser was written).
        *stdlib[::60],
    ]


def test_ast_summaries_equal_libcst_summaries(tmp_path: Path) -> None:
    from fastapi_lint.linter.ast_summary import summarise_source
    from fastapi_lint.linter.index import summarise

    compared = 0
    for path in _summary_sources(tmp_path):
        try:
            text = path.read_text(encoding="utf-8")
            tree = cst.parse_module(text)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        for module, is_package in (("pkg.mod", False), ("pkg", True)):
            expected = summarise(tree, text, module, is_package, "pkg/mod.py")
            found = summarise_source(text, module, is_package, "pkg/mod.py")
            if found is None:  # CPython cannot parse it: the index falls back to LibCST
                continue
            assert found == expected, path
            compared += 1
    assert compared > 200


AST_CORNERS = '''
import os as o, a.b.c
from . import sibling
from ..pkg import thing as other
from .mod import *
if TYPE_CHECKING: import hidden          # a block after its colon: not scanned
if X:
    import shown
elif Y:
    shown2 = None
else:
    if Z:
        shown3 = o.getenv
try:
    import fast
except ImportError:
    fast = None
else:
    extra = True
finally:
    done = 1
flag = True
maker = sessionmaker(bind=engine, expire_on_commit=False, **extra_args)
alias = o.environ
text = "a" "b"
raw = b"x"
number = 0x_ff
negative = -1
class Settings(BaseSettings, metaclass=Meta, frozen=True):
    model_config = SettingsConfigDict(env_prefix="APP_", case_sensitive=True, extra=o.sep)
    name: str = "x"
    class Config:
        env_file = ".env"
        prefix = "a" "b"
    def method(self): return other(self)
class Short: x: int
def function(a, /, b=call_default(), *args, c: annot() = kw_default(), **kwargs) -> ret():
    global flag
    flag = None
    client = o.Client()
    client.post(lambda y=lam_default(): inner(y))
    [w for w in o.listdir(w) if check(w)]
    {k: v() for k, v in pairs()}
    with o.open() as (handle, second):
        handle.read()
    try:
        risky()
    except Exception as error:
        error.log()
    match subject():
        case Point(x=0) if guard():
            body_call()
    if (n := o.getpid()):
        n.bit_length()
    x = y = None
    x.foo()
    f(k=first(), *second())
    result = await_me()
    return result
async def generator():
    yield from source()
    value = await fetch()
    yield value
@decorator.route("/", methods=["GET"])
@plain
def decorated(): return (yield)
'''


def test_ast_summary_of_corner_cases_equals_libcst_summary() -> None:
    from fastapi_lint.linter.ast_summary import summarise_source
    from fastapi_lint.linter.index import summarise

    expected = summarise(cst.parse_module(AST_CORNERS), AST_CORNERS, "pkg.mod", False, "pkg/mod.py")
    assert summarise_source(AST_CORNERS, "pkg.mod", False, "pkg/mod.py") == expected
    assert expected.functions["function"].calls  # the case exercises something
    assert "hidden" not in expected.imports and "shown" in expected.imports


def test_index_summarises_without_libcst_when_cpython_parses(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from fastapi_lint.linter.index import ProjectIndex;"
        f"root = Path({str(tmp_path)!r}); index = ProjectIndex(root, [root / 'app/mod.py', root / 'app/__init__.py']);"
        "summary = index.summary('app.mod'); assert summary.functions['f'].calls == ('os.getenv',), summary;"
        "print('libcst' in sys.modules)"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/mod.py").write_text("import os\ndef f():\n    return os.getenv('X')\n")
    import subprocess

    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


# -- trigger words outside comments and strings ---------------------------------------


def test_code_text_drops_comments_and_plain_strings_only() -> None:
    from fastapi_lint.linter.source import code_text

    source = (
        "import os  # getenv in a comment\n"
        'x = "getenv"; y = f"{os.environ[\'A\']}"; z = rb\'session\\\' db\'\n'
        '"""a docstring about the session\n# not a comment"""\n'
        'w = x in"#" or db.query()  # session\n'
    )
    code = code_text(source)
    assert "getenv" not in code and "session" not in code
    assert "os.environ" in code  # inside an f-string: code
    assert "db.query()" in code  # after a string holding a '#'


def _all_findings(root: Path, targets: list[Path], code_triggers: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    from fastapi_lint.linter import runner
    from fastapi_lint.linter.config import Settings
    from fastapi_lint.linter.engine import Engine, RunOptions

    monkeypatch.setattr(runner, "CODE_TRIGGERS", code_triggers)
    result = Engine(Settings(base_directory=root), RunOptions(jobs=1), cwd=root).run(targets)
    return sorted((d.path, d.line, d.column, d.code, d.message) for d in result.diagnostics)


def test_code_triggers_drop_no_finding_on_rule_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import write_project
    from fastapi_lint.rules import ALL_RULES

    number = 0
    for rule in ALL_RULES:
        for case in (*rule.VALID, *rule.INVALID):
            root = tmp_path / f"case{number}"
            number += 1
            root.mkdir()
            write_project(root, {**case.files, case.path: case.code} if case.code else dict(case.files))
            without = _all_findings(root, [root], False, monkeypatch)
            assert _all_findings(root, [root], True, monkeypatch) == without, (rule.code, case.code)


def test_code_triggers_drop_no_finding_on_fixtures_and_a_generated_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import generate
    finally:
        sys.path.remove(str(BENCH))
    generated = tmp_path / "generated"
    generate.generate(generated, 12)
    (generated / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for root in (FIXTURES, generated):
        without = _all_findings(root, [root], False, monkeypatch)
        assert without
        assert _all_findings(root, [root], True, monkeypatch) == without


# -- files linted in a child process keep their cache dependencies ---------------------


def test_a_risky_file_linted_in_a_child_is_relinted_when_its_dependency_changes(tmp_path: Path) -> None:
    from conftest import write_project
    from test_cache import CHEAP_SERVICE, HEAVY_SERVICE, ROUTER, codes, run

    from fastapi_lint.linter.source import is_risky

    # Brackets nested past the parser's safe depth, in a comment: the file parses, but
    # is linted in a child process.
    risky_router = ROUTER + "# " + "(" * 250 + "\n"
    assert is_risky(risky_router)
    files = {
        "app/__init__.py": "",
        "app/routers/__init__.py": "",
        "app/routers/users.py": risky_router,
        "app/services/__init__.py": "",
        "app/services/mail.py": HEAVY_SERVICE,
    }
    write_project(tmp_path, files)
    assert codes(run(tmp_path)) == [("FAPI401", "app/routers/users.py", 10)]
    (tmp_path / "app/services/mail.py").write_text(CHEAP_SERVICE)
    assert codes(run(tmp_path)) == []
    (tmp_path / "app/services/mail.py").write_text(HEAVY_SERVICE)
    assert codes(run(tmp_path)) == [("FAPI401", "app/routers/users.py", 10)]


def test_parsers_benchmark_reports_both_parsers() -> None:
    import subprocess

    output = subprocess.run(
        [sys.executable, str(BENCH / "parsers.py"), str(FIXTURES)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "ast.parse" in output and "libcst.parse_module" in output and "files/s" in output


# -- fixes without their edits ---------------------------------------------------------


def _without_edits(diagnostics: list) -> list:
    from dataclasses import replace

    return [replace(d, fix=replace(d.fix, edits=())) if d.fix is not None else d for d in diagnostics]


def _lint(root: Path, settings, target: Path, monkeypatch: pytest.MonkeyPatch, edits: bool):
    """A run that reports no fixes as data (the text formats); with ``edits``, the rules
    build their fixes' edits all the same (what every run did before they could skip them)."""
    from fastapi_lint.linter.engine import Engine, RunOptions

    engine = Engine(settings, RunOptions(fixes_as_data=False), cwd=root)
    with monkeypatch.context() as patch:
        if edits:
            original = Engine.index_for

            def index_for(self, path):  # type: ignore[no-untyped-def]
                index = original(self, path)
                index.fix_edits = True
                return index

            patch.setattr(Engine, "index_for", index_for)
        result = engine.run([target])
    assert not result.internal_errors, result.internal_errors
    return result.diagnostics


def _rule_cases():
    from fastapi_lint.linter.rule import Rule
    from fastapi_lint.rules import ALL_RULES

    for rule in ALL_RULES:
        if issubclass(rule, Rule):
            for number, case in enumerate(rule.INVALID):
                yield pytest.param(rule, case, id=f"{rule.code}-{number}")


@pytest.mark.parametrize("rule, case", list(_rule_cases()))
def test_fixes_without_edits_keep_their_existence_applicability_and_message(
    rule, case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that prints no edits skips building them (FAPI401's, FAPI201's, FAPI303's
    rewrites of whole modules); every check that can refuse a fix still runs."""
    from conftest import write_project
    from fastapi_lint.linter.config import Settings

    found = []
    for edits in (False, True):
        root = tmp_path / str(edits)
        root.mkdir()
        write_project(root, {**case.files, case.path: case.code})
        settings = Settings(select=[rule.code], rule_options={rule.code: dict(case.options)})
        found.append(_lint(root, settings, root / case.path, monkeypatch, edits))
    plain, full = found
    assert plain == _without_edits(full)
    assert all(d.fix is None or d.fix.edits == () for d in plain)


@pytest.mark.parametrize("name", ["layered_app", "sessions_app", "settings_app", "task_queue_app"])
def test_example_apps_fixes_without_edits_are_the_same(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from example_apps import copy_example
    from fastapi_lint.linter.config import Settings

    root = copy_example(name, tmp_path)
    plain = _lint(root, Settings(), root, monkeypatch, False)
    full = _lint(root, Settings(), root, monkeypatch, True)
    assert any(d.fix is not None and d.fix.edits for d in full)
    # Project rules (FAPI101) run once in the engine's process and keep their edits.
    assert _without_edits(plain) == _without_edits(full)
    assert all(d.fix is None or d.fix.edits == () for d in plain if not d.code.startswith("FAPI1"))


def test_task_queue_fix_finds_the_project_wide_parts_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAPI401's fix looks for the ARQ worker settings and pool dependencies in the whole
    project: without the cache (nothing records what each file consults), once per run."""
    from conftest import write_project
    from fastapi_lint.linter.config import Settings
    from fastapi_lint.linter.engine import Engine, RunOptions
    from fastapi_lint.rules import _task_queue_fix
    from fastapi_lint.rules.heavy_background_task import HeavyBackgroundTask

    case = HeavyBackgroundTask.INVALID[20]
    second = case.code.replace("create_user", "update_user").replace('"/users"', '"/users/update"')
    write_project(tmp_path, {**case.files, case.path: case.code, "app/routers/admins.py": second})
    calls: list[str] = []
    original = _task_queue_fix.TaskQueueFix._worker

    def counting(self, package):  # type: ignore[no-untyped-def]
        calls.append(package)
        return original(self, package)

    monkeypatch.setattr(_task_queue_fix.TaskQueueFix, "_worker", counting)
    results = []
    for once in (True, False):
        if not once:
            monkeypatch.setattr(_task_queue_fix.TaskQueueFix, "_project_wide", lambda self, key, find: find())
        calls.clear()
        settings = Settings(select=["FAPI401"])
        for options in (RunOptions(fixes_as_data=False, jobs=1), RunOptions(jobs=1)):
            result = Engine(settings, options, cwd=tmp_path).run([tmp_path])
            results.append((result.diagnostics, len(calls)))
    (plain_once, _), (full_once, searched_once), (plain, _), (full, searched) = results
    assert (plain_once, full_once) == (plain, full)
    assert len([d for d in full if d.fix is not None]) == 2
    assert searched == 4
    assert searched_once == 2


def test_global_session_planner_walks_each_module_once_per_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every FAPI301 finding's fix plan looks through the modules using the global: each
    module's tree is walked once per run, not once per finding (minutes on large projects)."""
    import libcst as cst

    from fastapi_lint.linter.index import ProjectIndex
    from fastapi_lint.rules import _global_session_fix as planner

    walked: list[int] = []
    original = planner._walk

    def counting(node: cst.CSTNode, *rest: object):  # type: ignore[no-untyped-def]
        walked.append(id(node))
        return original(node, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(planner, "_walk", counting)
    index = ProjectIndex(tmp_path, [])
    tree = cst.parse_module("from app.db import db\n\n\ndef f():\n    return db.query()\n")
    view = planner.View("app.users", tmp_path / "app/users.py", "app/users.py", tree.code, tree, None, False)  # type: ignore[arg-type]
    first = planner._named_nodes(view, index, "app.other")
    again = planner._named_nodes(view, index, "app.another")
    assert again is first and walked == [id(tree)]
    assert [type(node).__name__ for node, _ in first].count("ImportFrom") == 1
    # The module being linted is never served from the memo (its tree is not the index's).
    planner._named_nodes(view, index, "app.users")
    assert walked == [id(tree), id(tree)]
    # A new tree of the module (after a fix pass) is walked again.
    newer = cst.parse_module(tree.code)
    planner._named_nodes(planner.View("app.users", view.path, view.shown, view.text, newer, None, False), index, "app.other")  # type: ignore[arg-type]
    assert walked[-1] == id(newer)


def test_the_restructure_is_planned_only_where_fixes_are_fixed_previewed_or_reported(tmp_path: Path) -> None:
    """FAPI101's plan rewrites every import of the project with LibCST (seconds on a large
    project): a plain text report leaves it out, as it does FAPI301's."""
    import shutil

    from fastapi_lint.linter.config import Settings
    from fastapi_lint.linter.engine import Engine, RunOptions

    root = tmp_path / "layered_app"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "layered_app", root)

    def layout_finding(**options: bool):  # type: ignore[no-untyped-def]
        result = Engine(Settings(base_directory=root), RunOptions(jobs=1, **options), cwd=root).run([root])
        [finding] = [d for d in result.diagnostics if d.code == "FAPI101"]
        return finding

    plain = layout_finding(fixes_as_data=False)
    assert plain.fix is None and "No automatic fix" not in plain.message
    planned = layout_finding(fixes_as_data=True)
    assert planned.fix is not None and planned.fix.applicability == "unsafe"
    assert planned.message == plain.message


@pytest.mark.parametrize("path", POSITION_SAMPLE, ids=lambda path: path.name)
def test_a_parse_without_node_checks_gives_the_same_tree_and_restores_the_checks(path: Path) -> None:
    from fastapi_lint.linter.source import parse_module

    text = path.read_text(encoding="utf-8")
    unchecked = parse_module(text, probe=False, valid_python=True)
    checked = parse_module(text, probe=False)
    assert isinstance(unchecked, cst.Module) and unchecked.deep_equals(checked) and unchecked.code == text
    # Nodes built afterwards (by fixes) are checked again.
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_node_checks_are_restored_when_the_parse_fails() -> None:
    from fastapi_lint.linter.source import SyntaxProblem, parse_module

    assert isinstance(parse_module("def f(:\n", probe=False, valid_python=True), SyntaxProblem)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
