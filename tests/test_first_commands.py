"""The first commands a person types: the README's bake, run twice; the steps it prints.

The command line is the thing tested, so every bake here runs the real
``cookiecutter`` command (``run_cookiecutter``), with the options the template
README's first command uses, read from the README itself.

cookiecutter 2.7.1 with ``-f`` (``overwrite_if_exists``) and a project folder
that exists: ``render_and_create_dir`` neither refuses nor creates it, the
pre-generation hook runs inside it, and after a failed hook the folder is
deleted only if this run created it (``delete_project_on_failure =
output_directory_created and not keep_project_on_failure`` in
``generate_files``). Without ``-f`` it refuses the folder itself
(``OutputDirExistsException``) before any hook runs.
"""

import json
import re
import shlex
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import TEMPLATE_DIR, clean_environment, find_uv, new_repository

# The folder the default answers bake.
SLUG = "my_service"


def readme_first_command():
    """The template README's first command, as a list of ``&&``-joined commands (each split)."""
    text = (TEMPLATE_DIR / "README.md").read_text()
    block = re.search(r"```bash\n(?P<body>.+?)\n```", text, re.DOTALL)["body"]
    return [shlex.split(part) for part in block.splitlines()[0].split("&&")]


def readme_bake():
    """``(options, output, template, project)`` of the README's cookiecutter command.

    ``options``: its options other than ``-o`` (``--no-input``, ``-f``);
    ``output`` and ``template`` as typed (relative to the template's folder);
    ``project``: the folder the next command ``cd``s into.
    """
    commands = readme_first_command()
    (index,) = [i for i, words in enumerate(commands) if "cookiecutter" in words[1:]]
    words = commands[index]
    arguments = words[len(words) - words[::-1].index("cookiecutter") :]
    output = arguments[arguments.index("-o") + 1]
    options = [word for word in arguments if word.startswith("-") and word != "-o"]
    positional = [
        word
        for word in arguments
        if not word.startswith("-") and word != output and "=" not in word
    ]
    (template,) = positional
    cd, project = commands[index + 1]
    assert cd == "cd", commands
    return options, output, template, project


def snapshot(folder):
    """Every path under ``folder`` (itself included): kind, mode, mtime and content."""
    state = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        state[str(path.relative_to(folder))] = (info.st_mode, info.st_mtime_ns, content)
    return state


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("ERROR: ")]


def test_the_readme_command_keeps_minus_f_and_cds_into_the_bake():
    options, output, _, project = readme_bake()
    assert "--no-input" in options
    assert "-f" in options, "without -f the second run never reaches the template's own check"
    assert Path(project) == Path(output) / SLUG


def test_a_second_run_of_the_readme_command_changes_nothing(run_cookiecutter, template_repo):
    """The README's bake, run twice from a copy of the template, an edit made in between.

    The second run stops with one line (where the project is, how to run it,
    how to bake a fresh one, how to take updates) and leaves every file and
    folder of the project as it was: the edit, the ``.env`` and its secret key,
    the database, down to their modification times.
    """
    repo, _ = template_repo
    options, output, template, project_path = readme_bake()

    def readme_bake_run():
        return run_cookiecutter(output, options=options, template=template, cwd=repo)

    first = readme_bake_run()
    assert first.returncode == 0, first.stdout + first.stderr
    project = (repo / project_path).resolve()
    assert (project / "manage.py").is_file()
    with (project / "README.md").open("a") as readme:
        readme.write("\n## Our notes\n")
    (project / "db.sqlite3").write_bytes(b"our data")
    before = snapshot(project)

    second = readme_bake_run()

    assert second.returncode != 0
    assert snapshot(project) == before, "the second run changed the project"
    (error,) = error_lines(second.stderr)
    assert error.startswith(f"ERROR: {project} already holds a project"), error
    assert "nothing was written" in error
    assert f"cd {shlex.quote(str(project))} && uv run python manage.py runserver" in error
    assert "move that folder away" in error and "project_slug=" in error
    assert "uv run cruft update" in error
    assert "is ready" not in second.stdout, "the post-generation hook ran"


def test_without_minus_f_cookiecutter_refuses_the_folder_itself(run_cookiecutter, tmp_path):
    assert run_cookiecutter(tmp_path).returncode == 0
    project = tmp_path / SLUG
    before = snapshot(project)
    again = run_cookiecutter(tmp_path)
    assert again.returncode != 0
    assert f'"{project}" directory already exists' in again.stdout + again.stderr
    assert snapshot(project) == before


def test_a_folder_of_other_files_is_not_baked_over(run_cookiecutter, tmp_path):
    project = tmp_path / SLUG
    project.mkdir()
    (project / "notes.txt").write_text("ours")
    before = snapshot(project)
    result = run_cookiecutter(tmp_path, options=["-f"])
    assert result.returncode != 0
    (error,) = error_lines(result.stderr)
    assert error.startswith(f"ERROR: {project} already exists and holds files"), error
    assert "project_slug=" in error
    assert snapshot(project) == before


def test_an_existing_empty_folder_is_baked_into(run_cookiecutter, tmp_path):
    (tmp_path / SLUG).mkdir()
    result = run_cookiecutter(tmp_path, options=["-f"])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / SLUG / "manage.py").is_file()


def next_steps(stdout):
    """The indented command lines of the "Next:" message."""
    _, _, steps = stdout.partition("Next:\n")
    assert steps, stdout
    return [line.strip() for line in steps.splitlines() if line.startswith("    ")]


def run_shell(line, cwd):
    """A printed step, run as a person pastes it (bash), with a git identity."""
    env = clean_environment(
        GIT_AUTHOR_NAME="Template Tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="Template Tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
    )
    result = subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{line}\n{result.stdout}{result.stderr}"
    return result.stdout


def test_next_steps_name_the_project_folder_and_commit_it(run_cookiecutter, tmp_path):
    """With a relative ``-o``, the printed ``cd`` takes the person into the bake, from anywhere;
    the printed commit leaves a clean tree (``cruft update`` needs one) without the ``.env``."""
    (tmp_path / "here").mkdir()
    result = run_cookiecutter("../baked", cwd=tmp_path / "here")
    assert result.returncode == 0, result.stderr
    project = tmp_path / "baked" / SLUG
    cd, commit, *rest = next_steps(result.stdout)
    assert cd == f"cd {shlex.quote(str(project))}", cd
    assert commit == 'git init -b main && git add -A && git commit -m "Baked from secure-django"'
    assert rest[0] == "uv run python manage.py migrate", rest
    assert f"ready in {project}." in result.stdout

    run_shell(f"{cd} && {commit}", cwd=tmp_path)
    assert run_shell("git status --porcelain --untracked-files=all", cwd=project) == ""
    tracked = run_shell("git ls-files", cwd=project).split()
    assert ".env" not in tracked
    assert {"uv.lock", ".cruft.json", "manage.py"} <= set(tracked)


def test_next_steps_inside_an_existing_repository_commit_there(run_cookiecutter, tmp_path):
    """Baked into a folder of a repository: no nested ``git init``, and only this folder added."""
    mono = tmp_path / "mono"
    mono.mkdir()
    (mono / "other.txt").write_text("another part of the repository")
    new_repository(mono, "Other work")
    (mono / "other.txt").write_text("changed, not to be committed with the bake")

    result = run_cookiecutter(mono)
    assert result.returncode == 0, result.stderr
    project = mono / SLUG
    assert f"inside the git repository {mono}" in result.stdout
    cd, commit, *_ = next_steps(result.stdout)
    assert commit == 'git add . && git commit -m "Baked from secure-django"', commit
    run_shell(f"{cd} && {commit}", cwd=tmp_path)
    assert run_shell("git status --porcelain --untracked-files=all", cwd=mono) == " M other.txt\n"
    assert not (project / ".git").exists()


@pytest.fixture(scope="module")
def uvx():
    """The ``uvx`` beside the ``uv`` running these tests (``pip install uv`` installs both)."""
    found = Path(find_uv()).with_name("uvx")
    if not found.is_file():
        pytest.fail(f"no uvx beside {find_uv()}: run `pip install uv`")
    return found


def test_a_bad_answer_under_uvx_prints_a_uvx_rerun_into_the_same_folder(
    uvx, template_repo, cookiecutter_config, tmp_path
):
    """Started as the README starts it (``uvx --from cookiecutter==X``, ``-o ..`` and ``.``).

    The rerun command printed with the bad answer goes through ``uvx`` again
    (a ``cookiecutter`` from uv's cache is on no PATH afterwards), with the
    output folder and the template as absolute paths: run as printed from
    another folder, once the answer is fixed in the replay file, it bakes
    where the first command meant to.
    """
    repo, _ = template_repo
    pinned = f"cookiecutter=={version('cookiecutter')}"
    env = clean_environment(
        COOKIECUTTER_CONFIG=str(cookiecutter_config),
        UV_PYTHON_DOWNLOADS="never",
        PATH=f"{uvx.parent}:{clean_environment()['PATH']}",
    )
    command = ["uvx", "--from", pinned, "cookiecutter", "--no-input", "-f", "-o", "..", "."]
    failed = subprocess.run(
        [*command, "session_idle_timeout=0"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert failed.returncode != 0
    (error,) = error_lines(failed.stderr)
    printed = shlex.split(re.search(r"then run: (?P<command>.+?)\)$", error)["command"])
    replay_file = Path(printed[printed.index("--replay-file") + 1])
    assert printed == [
        "uvx",
        "--from",
        pinned,
        "cookiecutter",
        "--replay-file",
        str(replay_file),
        "-o",
        str(tmp_path),
        str(repo),
    ]
    saved = json.loads(replay_file.read_text())
    assert saved["cookiecutter"]["session_idle_timeout"] == "0"
    saved["cookiecutter"]["session_idle_timeout"] = "1200"
    replay_file.write_text(json.dumps(saved))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rerun = subprocess.run(
        printed, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    settings = (tmp_path / SLUG / "config" / "settings.py").read_text()
    assert "BAKED_SESSION_IDLE_TIMEOUT = 1200" in settings
    assert list(elsewhere.iterdir()) == []
