"""The generated rule pages and configuration reference, and ``fastapi-lint rule`` for tools."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from fastapi_lint.linter.config import KNOWN_KEYS
from fastapi_lint.linter.docs import rule_url
from fastapi_lint.rules import DOCUMENTED_RULES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_rule_docs.py"
CONSOLE = Path(sys.executable).parent / "fastapi-lint"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_rule_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


def fastapi_lint(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(CONSOLE)] if CONSOLE.exists() else [sys.executable, "-m", "fastapi_lint"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=60)


def test_generated_docs_are_up_to_date(generator: ModuleType) -> None:
    stale = [path.as_posix() for path in generator.stale_files(ROOT)]
    assert not stale, f"stale generated docs {stale}: run `python scripts/generate_rule_docs.py`"


@pytest.mark.parametrize("rule", DOCUMENTED_RULES, ids=lambda rule: rule.code)
def test_rule_page_is_what_the_rule_command_prints_plus_its_options(rule: type, generator: ModuleType) -> None:
    page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
    printed = fastapi_lint("rule", rule.code)
    assert printed.returncode == 0, printed.stderr
    assert page.startswith(printed.stdout)
    rest = page[len(printed.stdout) :]
    for name, option in rule.options.items():
        row = f"| `{name}` | {generator.type_name(option)} | `{generator.toml_value(option.default)}` |"
        assert row in rest, row
    assert ("## Configuration" in rest) == bool(rule.options)


def test_every_documented_code_has_a_page_its_help_uri_points_to() -> None:
    pages = {path.stem for path in (ROOT / "docs" / "rules").glob("FAPI*.md")}
    codes = {rule.code for rule in DOCUMENTED_RULES}
    assert "FAPI000" in codes
    assert pages == codes
    for code in codes:
        assert rule_url(code).endswith(f"/docs/rules/{code}.md"), rule_url(code)


def test_readme_rule_table_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [rule.code for rule in DOCUMENTED_RULES if f"| [{rule.code}](docs/rules/{rule.code}.md) |" not in readme]
    assert not missing, f"README rule table: no linked row for {missing}"
    assert "(docs/configuration.md)" in readme


def test_configuration_reference_lists_every_key_and_rule_option() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key in KNOWN_KEYS:
        assert f"| `{key}` |" in page, key
    for rule in DOCUMENTED_RULES:
        for name in rule.options:
            assert f"| `{name}` |" in page, f"{rule.code}.{name}"
    assert "| `respect-gitignore` | bool | `true` |" in page


def test_a_config_key_without_documentation_stops_the_generator(generator: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "KNOWN_KEYS", (*KNOWN_KEYS, "new-key"))
    with pytest.raises(SystemExit, match="config key 'new-key' is not documented"):
        generator.render()


def test_a_new_rule_gets_a_page_and_a_configuration_entry(generator: ModuleType) -> None:
    """Data-driven: the pages come from the rules given, nothing is listed by hand."""
    from fastapi_lint.linter.rule import Option, Rule

    class Invented(Rule):
        """## What it does\nInvents things."""

        code = "FAPI999"
        name = "invented"
        summary = "Invented"
        options = {"depth": Option(int, 3, "How deep to look.")}

    pages = generator.render((*DOCUMENTED_RULES, Invented))
    page = pages[Path("docs/rules/FAPI999.md")]
    assert page.startswith("# invented (FAPI999)\n\nNo fix is available.\n\n## What it does\nInvents things.\n")
    assert "| `depth` | int | `3` | How deep to look. |" in page
    assert "### [FAPI999](rules/FAPI999.md) (invented)" in pages[Path("docs/configuration.md")]


def test_check_flags_stale_pages_and_writing_repairs_them(tmp_path: Path) -> None:
    def script(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(SCRIPT), "--root", str(tmp_path), *args], capture_output=True, text=True, timeout=60
        )

    written = script()
    assert written.returncode == 0, written.stderr
    assert script("--check").returncode == 0
    page = tmp_path / "docs/rules/FAPI201.md"
    page.write_text(page.read_text() + "hand edit\n")
    orphan = tmp_path / "docs/rules/FAPI998.md"
    orphan.write_text((tmp_path / "docs/rules/FAPI000.md").read_text())
    (tmp_path / "docs/rules/index.md").write_text("# Hand-written index\n")

    checked = script("--check")
    assert checked.returncode == 1
    assert "stale: docs/rules/FAPI201.md" in checked.stderr
    assert "stale: docs/rules/FAPI998.md" in checked.stderr
    assert "index.md" not in checked.stderr
    assert "hand edit" in page.read_text()  # --check writes nothing

    assert script().returncode == 0
    assert "hand edit" not in page.read_text()
    assert not orphan.exists()
    assert (tmp_path / "docs/rules/index.md").exists()
    assert script("--check").returncode == 0


def test_rule_json_output_for_tools() -> None:
    result = fastapi_lint("rule", "fapi302", "--output-format", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    rule = next(rule for rule in DOCUMENTED_RULES if rule.code == "FAPI302")
    assert record["code"] == "FAPI302"
    assert record["name"] == rule.name
    assert record["fix"] == "safe"
    assert record["explanation"] == rule.documentation()
    assert record["options"]["include-sync"] == {
        "type": "bool",
        "default": False,
        "description": rule.options["include-sync"].description,
    }


def test_rule_json_output_lists_every_rule() -> None:
    result = fastapi_lint("rule", "--all", "--output-format", "json")
    assert result.returncode == 0, result.stderr
    assert [record["code"] for record in json.loads(result.stdout)] == [rule.code for rule in DOCUMENTED_RULES]


def test_rule_with_an_unknown_code_is_a_clear_error() -> None:
    result = fastapi_lint("rule", "FAPI998", "--output-format", "json")
    assert result.returncode == 2
    assert "unknown rule code 'FAPI998'" in result.stderr
    assert result.stdout == ""
