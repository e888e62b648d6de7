"""The documents' lists match the code they describe, read from the code itself.

In every bake checked (the default one, the minimal one with every capability
answered no, and the full one): every audit event in
``session_security/audit.py``'s ``EVENTS`` is in ``docs/audit-log.md``'s
*Events*, and with device binding every event of its ``protocol.py`` in
``docs/device-bound-sessions.md``'s *Audit events*; every module and
subpackage of ``session_security/`` and of its packages is in
``docs/session-layer.md``'s *The module map*; the README's *Documents* list
names exactly the documents in ``docs/``. And every question of
``cookiecutter.json`` is in the template README's table with its default and
the rule the pre-gen hook enforces. The lists are read from the code, so an
event, module, document or question added later fails here until it is
documented.
"""

import ast
import json
import re

import pytest
from conftest import TEMPLATE_DIR, VENV_ANSWERS

TEMPLATE_CONTEXT = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
QUESTIONS = [key for key in TEMPLATE_CONTEXT if not key.startswith("_")]
HOOK_SOURCE = (TEMPLATE_DIR / "hooks" / "pre_gen_project.py").read_text()
HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<title>.+?)\s*$")
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)")


def section(markdown, title):
    """The text under the heading ``title``, up to the next heading of any level."""
    lines, inside = [], False
    for line in markdown.splitlines():
        if match := HEADING.match(line):
            if inside:
                break
            inside = match["title"] == title
            continue
        if inside:
            lines.append(line)
    assert inside or lines, f"no section {title!r}"
    return "\n".join(lines)


def code_spans(text):
    """The contents of the Markdown code spans in ``text`` (one space of padding stripped)."""
    spans = []
    for match in CODE_SPAN.finditer(text):
        code = match["code"]
        if len(code) > 2 and code.startswith(" ") and code.endswith(" "):
            code = code[1:-1]
        spans.append(code)
    return spans


# The bakes whose documents are checked: name -> answers.
BAKES = {
    "default": {},
    "minimal": {
        "session_device_bound": "no",
        "sign_in_alerts": "no",
        "scale_out": "no",
        "benchmark": "no",
    },
    "full": VENV_ANSWERS,
}
# The packages whose modules the module map names, inside ``session_security/``.
MAPPED_PACKAGES = ("", "storage", "registry", "middleware", "device_binding", "sign_in_alerts")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")


@pytest.fixture(scope="module", params=list(BAKES))
def project(request, baked_projects):
    return baked_projects(request.param, BAKES[request.param])


def list_assigned(path, name):
    """The literal list or tuple assigned to ``name`` at the top of the module ``path``."""
    tree = ast.parse(path.read_text())
    (value,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]
    return list(value)


def documented(path, title):
    return set(code_spans(section(path.read_text(), title)))


def test_every_audit_event_is_in_the_audit_log_document(project):
    events = list_assigned(project / "session_security" / "audit.py", "EVENTS")
    listed = documented(project / "docs" / "audit-log.md", "Events")
    assert [event for event in events if event not in listed] == []


# A capability's audit events: the module that lists them, the document that must.
CAPABILITY_EVENTS = {
    "device binding": ("session_security/device_binding/protocol.py", "device-bound-sessions.md"),
    "sign-in alerts": ("session_security/sign_in_alerts/receivers.py", "sign-in-alerts.md"),
    "allauth": ("accounts/allauth_bridge/receivers.py", "allauth.md"),
}


@pytest.mark.parametrize("capability", list(CAPABILITY_EVENTS))
def test_a_capabilitys_audit_events_are_in_its_document(project, capability):
    module, document = CAPABILITY_EVENTS[capability]
    module, document = project / module, project / "docs" / document
    if not module.parent.exists():
        assert not document.exists()
        return
    events = list_assigned(module, "EVENTS")
    listed = documented(document, "Audit events")
    assert events and [event for event in events if event not in listed] == []


def session_security_modules(project):
    """Each module and subpackage of the mapped packages, as the map names it.

    Paths inside ``session_security/``: ``policy.py``, ``storage/``,
    ``storage/base.py``, ``device_binding/migrations/``.
    """
    root = project / "session_security"
    found = set()
    for name in MAPPED_PACKAGES:
        package = root / name
        if not (package / "__init__.py").is_file():
            continue
        prefix = f"{name}/" if name else ""
        found |= {prefix + path.name for path in package.glob("*.py") if path.stem != "__init__"}
        subpackages = [path for path in package.iterdir() if (path / "__init__.py").is_file()]
        found |= {f"{prefix}{path.name}/" for path in subpackages}
    return found


def test_every_session_security_module_is_in_the_module_map(project):
    modules = session_security_modules(project)
    assert {"policy.py", "storage/", "storage/base.py", "middleware/sessions.py"} <= modules
    listed = documented(project / "docs" / "session-layer.md", "The module map")
    assert sorted(modules - listed) == []


def test_the_readme_lists_exactly_the_documents_in_docs(project):
    documents = {f"docs/{path.name}" for path in (project / "docs").glob("*.md")}
    documents_section = section((project / "README.md").read_text(), "Documents")
    listed = {match["target"] for match in MARKDOWN_LINK.finditer(documents_section)}
    assert sorted(listed) == sorted(documents)


def questions_table():
    """The template README's table of questions: key -> (default cell, allowed cell)."""
    rows = {}
    for line in section((TEMPLATE_DIR / "README.md").read_text(), "The questions").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and (key := code_spans(cells[0])) and cells[0] != "Key":
            rows[key[0]] = (cells[2], cells[3])
    return rows


def hook_rules():
    """What the pre-gen hook enforces, read from its source: text keys and refused characters."""
    text_keys = re.search(
        r"for key in \((?P<keys>[^)]*)\):\n\s+value = answers\[key\]", HOOK_SOURCE
    )
    unsafe = re.search(r"UNSAFE_TEXT = set\((?P<chars>'[^']*')\)", HOOK_SOURCE)
    seconds_keys = re.findall(r'seconds\(answers, "(\w+)"', HOOK_SOURCE)
    assert text_keys and unsafe and seconds_keys, "the hook's checks moved: update this test"
    return (
        ast.literal_eval(f"({text_keys['keys']})"),
        ast.literal_eval(unsafe["chars"]),
        seconds_keys,
    )


def test_the_questions_table_names_every_question_and_nothing_else():
    assert list(questions_table()) == QUESTIONS


@pytest.mark.parametrize("key", QUESTIONS)
def test_each_question_has_its_default_and_its_rule(key, cookies_session):
    default_cell, allowed = questions_table()[key]
    value = TEMPLATE_CONTEXT[key]
    if isinstance(value, list):
        default = value[0]
    elif "{{" in value:  # derived from other answers: the default bake shows the result
        default = cookies_session.bake().project_path.name
    else:
        default = value
    assert default in code_spans(default_cell), (key, default_cell)

    text_keys, unsafe, seconds_keys = hook_rules()
    assert "any text" not in allowed, "every answer has a rule"
    if isinstance(value, list):
        assert code_spans(allowed) == value, (key, allowed)
    elif key in text_keys:
        assert set(unsafe) <= set(code_spans(allowed)), (key, allowed)
    elif key in seconds_keys:
        assert "whole number" in allowed, (key, allowed)
    elif key == "project_slug":
        assert "Python identifier" in allowed
    elif key == "domain_name":
        assert "host name" in allowed
    else:
        pytest.fail(f"{key}: this test does not know the hook's rule for it; add it")
