"""The README and docs/ are part of the contract: they name every variable and real tests."""

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# The README, then the longer documents it points to.
DOCUMENTS = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]
TEXT = "\n".join(path.read_text() for path in DOCUMENTS)
SOURCES = [PROJECT / "manage.py", *sorted((PROJECT / "config").glob("*.py"))]
# Each variable is read through one of config.environment's readers (or
# os.environ.get in manage.py): the name is that call's first argument.
READERS = r"(?:flag|integer|choice|words|text|required|url_setting|database|mailer|environ\.get)"
VARIABLE = re.compile(READERS + r'\(\s*"([A-Z][A-Z0-9_]+)"')


def variables_read_by_the_code():
    found = set()
    for path in SOURCES:
        found.update(VARIABLE.findall(path.read_text()))
    return found


def test_every_environment_variable_is_documented():
    variables = variables_read_by_the_code()
    assert "DJANGO_SECRET_KEY" in variables and "DATABASE_URL" in variables
    missing = sorted(name for name in variables if f"`{name}`" not in TEXT)
    assert not missing, f"README.md and docs/*.md lack: {missing}"


def named_tests(text):
    """``(path, name)`` of each ``tests/...py::test_...`` code span in ``text``."""
    return re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text)


def test_every_test_the_readme_names_exists():
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", TEXT)
    assert len(named) > 20
    for path, name in named:
        tree = ast.parse((PROJECT / path).read_text())
        functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in functions, f"{path}::{name} is named in the documents but does not exist"
