"""Rule documentation as the ``rule`` command prints it."""

from __future__ import annotations

from typing import Any

# Where each rule's page is published; reports (SARIF helpUri) link here.
RULE_DOCS_URL = "https://github.com/fastapi-lint/fastapi-lint/blob/main/docs/rules/{code}.md"


def rule_url(code: str) -> str:
    """The URL of the documentation page of rule ``code``."""
    return RULE_DOCS_URL.format(code=code)


_AVAILABILITY = {
    "safe": "Fix is available (safe).",
    "unsafe": "Fix is available with --unsafe-fixes.",
    None: "No fix is available.",
}


def rule_markdown(rule: Any) -> str:
    header = f"# {rule.name} ({rule.code})"
    return f"{header}\n\n{_AVAILABILITY.get(rule.fix_availability, '')}\n\n{rule.documentation()}\n"


def rule_record(rule: Any) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "fix": rule.fix_availability,
        "explanation": rule.documentation(),
        "options": {
            name: {"type": _type_name(option.type), "default": option.default, "description": option.description}
            for name, option in rule.options.items()
        },
    }


def _type_name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " | ".join(item.__name__ for item in kinds)
