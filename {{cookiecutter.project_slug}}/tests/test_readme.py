"""The README is part of the contract: it names every variable and real tests
(and so do the documents in ``docs/``)."""

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text()
# The documents beside the README (docs/*.md), those this project has.
DOCUMENTS = {
    f"docs/{path.name}": path.read_text() for path in sorted((PROJECT / "docs").glob("*.md"))
}
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
    missing = sorted(name for name in variables if f"`{name}`" not in README)
    assert not missing, f"README lacks: {missing}"


def named_tests(text):
    """``(path, name)`` of each ``tests/...py::test_...`` code span in ``text``."""
    return re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text)


def test_every_test_the_readme_names_exists():
    assert len(named_tests(README)) > 20
    for document, text in {"README.md": README, **DOCUMENTS}.items():
        for path, name in named_tests(text):
            tree = ast.parse((PROJECT / path).read_text())
            functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            assert name in functions, f"{path}::{name} is named in {document} but does not exist"
