"""What the tool writes when the analysed tree is hostile (issue 20, findings 3 to 5):
`init --write` on a target that is no regular file or a symbolic link, the bytes it
keeps of the file it adds to, and `fix`'s diff for file names git quotes.

The commands run as processes of their own, with a timeout: a hang fails the test.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIX_CONTRACT, FIX_REPLACE, SSOT_ARCH, make_repo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WRAPS_LOGGING = "import logging\n\ndef get_logger(name):\n    return logging.getLogger(name)\n"
# app.logs wraps logging, five modules take their loggers from it, one imports logging.
REPO = {
    "app/__init__.py": "",
    "app/logs.py": WRAPS_LOGGING,
    **{
        f"app/user{n}.py": "from app.logs import get_logger\n\nlog = get_logger(__name__)\n"
        for n in range(5)
    },
    "app/old.py": "import logging\n",
}
CONTRACT_TYPE = b"ssot: ssot_arch.contract.SSOTContract"


def run(repo: Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[bytes]:
    """The installed command in a process of its own, killed (and the test failed)
    after `timeout` seconds."""
    return subprocess.run(
        [SSOT_ARCH, *args],
        cwd=repo,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "SSOT_ARCH_CACHE_DIR": str(repo.parent / "user-cache")},
    )


def init_write(repo: Path, target: Path) -> subprocess.CompletedProcess[bytes]:
    return run(repo, "init", str(repo), "--write", str(target))


# -- Finding 3: init --write opens only a regular file, never through a link ----------


def test_init_write_refuses_a_fifo_without_waiting_for_it(tmp_path):
    # (A FIFO named pyproject.toml is refused sooner, as the configuration found:
    # test_hostile_config.py.)
    repo = make_repo(tmp_path / "repo", REPO)
    os.mkfifo(repo / "lint.ini")
    done = init_write(repo, repo / "lint.ini")
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "lint.ini: is not a regular file (FIFO)" in stderr
    assert "--write another file" in stderr
    assert "Traceback" not in stderr
    assert (repo / "lint.ini").is_fifo()  # left as it is


def test_init_write_refuses_a_device(tmp_path):
    # A device of the test's own (never /dev/null: as root, a regression would replace it).
    device = tmp_path / "null.cfg"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root")
    repo = make_repo(tmp_path / "repo", REPO)
    done = init_write(repo, device)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert f"{device}: is not a regular file (character device)" in stderr
    assert device.is_char_device()


def test_init_write_never_writes_through_a_link_out_of_the_repository(tmp_path):
    outside = make_repo(tmp_path / "outside", {"lint.ini": "[private]\ntoken = s3cr3t\n"})
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "lint.ini").symlink_to(outside / "lint.ini")
    done = init_write(repo, repo / "lint.ini")
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "lint.ini: is a symbolic link" in stderr and "Traceback" not in stderr
    assert (outside / "lint.ini").read_text() == "[private]\ntoken = s3cr3t\n"
    assert (repo / "lint.ini").is_symlink()  # not replaced by a copy of the secret
    assert b"s3cr3t" not in done.stdout + done.stderr


def test_init_write_refuses_a_link_inside_the_repository_too(tmp_path):
    repo = make_repo(tmp_path / "repo", {**REPO, "conf/lint.ini": "# ours\n"})
    (repo / "lint.ini").symlink_to(Path("conf") / "lint.ini")
    done = init_write(repo, repo / "lint.ini")
    assert done.returncode == 2, done.stderr
    assert "--write the file it points to" in done.stderr.decode()
    assert (repo / "lint.ini").is_symlink()
    assert (repo / "conf" / "lint.ini").read_text() == "# ours\n"


def test_init_write_refuses_a_file_in_a_linked_folder_leading_out(tmp_path):
    outside = make_repo(tmp_path / "outside", {"lint.ini": "# theirs\n"})
    repo = make_repo(tmp_path / "repo", REPO)
    (repo / "conf").symlink_to(outside, target_is_directory=True)
    done = init_write(repo, repo / "conf" / "lint.ini")
    assert done.returncode == 2, done.stderr
    assert "leads out of the repository" in done.stderr.decode()
    assert (outside / "lint.ini").read_text() == "# theirs\n"


# -- Finding 4: the file's own bytes stay, and the added lines take its line ending ---


def line_endings(data: bytes) -> set[bytes]:
    """The line endings of `data`: b"\\r\\n" or b"\\n"."""
    return {
        b"\r\n" if data[i - 1 : i] == b"\r" else b"\n"
        for i in range(len(data))
        if data[i : i + 1] == b"\n"
    }


@pytest.mark.parametrize(
    "original",
    [
        b'[project]\r\nname = "x"\r\n',
        b'[project]\r\nname = "x"',  # no line ending at the end
        b'# a line separator \xe2\x80\xa8 stays\r\n[project]\r\nname = "x"\r\n',
    ],
)
def test_a_crlf_pyproject_keeps_its_bytes_and_gets_crlf_lines(tmp_path, original):
    repo = make_repo(tmp_path / "repo", {**REPO, "pyproject.toml": original})
    done = init_write(repo, repo / "pyproject.toml")
    assert done.returncode == 0, done.stderr
    written = (repo / "pyproject.toml").read_bytes()
    assert written.startswith(original)
    assert line_endings(written) == {b"\r\n"}
    data = tomllib.loads(written.decode())
    assert data["tool"]["importlinter"]["contracts"][0]["gateways"] == ["app.logs"]


@pytest.mark.parametrize("name", ["setup.cfg", ".importlinter"])
def test_a_crlf_ini_file_keeps_its_bytes_and_one_crlf_line_is_added(tmp_path, name):
    original = (
        b"# ours, a form feed \x0c and a line separator \xe2\x80\xa8 stay\r\n"
        b"[importlinter]\r\nroot_packages =\r\n    app\r\n"
        b"include_external_packages = True\r\ncontract_types =\r\n    other: x.Y\r\n"
        b"\r\n[metadata]\r\nname = x"
    )
    repo = make_repo(tmp_path / "repo", {**REPO, name: original})
    done = init_write(repo, repo / name)
    assert done.returncode == 0, done.stderr
    written = (repo / name).read_bytes()
    added = b"    " + CONTRACT_TYPE + b"\r\n"
    assert written.replace(added, b"", 1).startswith(original)
    assert line_endings(written) == {b"\r\n"}
    check = run(repo, "check", str(repo))
    assert check.returncode == 1, check.stderr  # app.old imports logging: read back


def test_a_file_without_a_line_ending_gets_lf_lines(tmp_path):
    original = b"# only a comment"
    repo = make_repo(tmp_path / "repo", {**REPO, "setup.cfg": original})
    done = init_write(repo, repo / "setup.cfg")
    assert done.returncode == 0, done.stderr
    written = (repo / "setup.cfg").read_bytes()
    assert written.startswith(original + b"\n")
    assert line_endings(written) == {b"\n"}


@pytest.mark.parametrize(
    ("original", "added_after"),
    [
        # configparser's own reading of the header and the key: no internal error.
        (b"[importlinter] ; ours\nroot_packages = app\n", b"[importlinter] ; ours\n"),
        (b"[importlinter]\nroot_packages = app\nContract_Types = x.y: Z\n", b"x.y: Z\n"),
    ],
)
def test_the_session_is_found_as_configparser_finds_it(tmp_path, original, added_after):
    repo = make_repo(tmp_path / "repo", {**REPO, "lint.ini": original})
    done = init_write(repo, repo / "lint.ini")
    assert done.returncode == 0, done.stderr
    written = (repo / "lint.ini").read_bytes()
    assert (
        written.replace(b"contract_types =\n", b"", 1)
        .replace(b"    " + CONTRACT_TYPE + b"\n", b"", 1)
        .startswith(original)
    )
    assert CONTRACT_TYPE in written.split(added_after, 1)[1].split(b"[", 1)[0]


@pytest.mark.parametrize("text", ["tool = 5\n", "[tool.importlinter]\ncontracts = [5]\n"])
def test_a_toml_file_of_the_wrong_shape_is_refused_not_a_crash(tmp_path, text):
    repo = make_repo(tmp_path / "repo", {**REPO, "lint.toml": text})
    done = init_write(repo, repo / "lint.toml")
    assert done.returncode == 2, done.stderr
    assert "lint.toml: has a tool or tool.importlinter value that is no table" in (
        done.stderr.decode()
    )
    assert (repo / "lint.toml").read_text() == text


def test_a_file_with_a_byte_order_mark_is_refused_and_left_alone(tmp_path):
    # TOML has no byte order mark, and neither tomllib nor import-linter read one.
    original = b'\xef\xbb\xbf[project]\r\nname = "x"\r\n'
    repo = make_repo(tmp_path / "repo", {**REPO, "pyproject.toml": original})
    done = init_write(repo, repo / "pyproject.toml")
    assert done.returncode == 2, done.stderr
    assert "pyproject.toml: malformed TOML" in done.stderr.decode()
    assert (repo / "pyproject.toml").read_bytes() == original


# -- Finding 5: fix's diff quotes file names as git does, so git apply takes it -------

AUTOMATIC = "import logging\n\nlogger = logging.getLogger(__name__)\n"
ODD_NAMES = [
    "app/new\nline.py",
    "app/tab\there.py",
    "app/café.py",
    "app/sp ace.py",
    'app/quo"te.py',
    "app/back\\slash.py",
    "app/esc\x1b[2J.py",
]

GIT = [
    "git",
    "-c",
    "core.quotePath=true",
    "-c",
    "core.autocrlf=false",
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.com",
]
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*GIT, *args],
        cwd=repo,
        capture_output=True,
        check=True,
        timeout=60,
        env={**os.environ, **GIT_ENV},
    )


def headers(diff: bytes) -> list[bytes]:
    return [line for line in diff.splitlines() if line.startswith((b"--- ", b"+++ "))]


def test_the_diff_quotes_odd_names_as_git_does_and_git_apply_takes_it(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/logs.py": WRAPS_LOGGING,
        **{name: AUTOMATIC for name in ODD_NAMES},
    }
    repo = make_repo(tmp_path / "repo", files)
    git(repo, "init", "-q", ".")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "odd names")
    dry = run(repo, "fix", str(repo), *FIX_CONTRACT, *FIX_REPLACE, timeout=120)
    assert dry.returncode == 1, dry.stderr
    assert len(headers(dry.stdout)) == 2 * len(ODD_NAMES)
    patch = tmp_path / "fix.patch"
    patch.write_bytes(dry.stdout)
    git(repo, "apply", "--check", str(patch))
    # The reference: git's own diff of the same change has the same file headers.
    written = run(repo, "fix", str(repo), *FIX_CONTRACT, *FIX_REPLACE, "--write", timeout=120)
    assert written.returncode == 0, written.stderr
    reference = git(repo, "diff").stdout
    assert headers(dry.stdout) == headers(reference)
    assert b'--- "a/app/new\\nline.py"\n' in dry.stdout
    assert b'+++ "b/app/caf\\303\\251.py"\n' in dry.stdout
    assert b"--- a/app/sp ace.py\t\n" in dry.stdout
    # Undone and applied from the diff: the same files as --write made.
    after = {name: (repo / name).read_bytes() for name in ODD_NAMES}
    git(repo, "checkout", "--", ".")
    git(repo, "apply", str(patch))
    assert {name: (repo / name).read_bytes() for name in ODD_NAMES} == after


def test_the_summary_on_stderr_still_escapes_names(tmp_path):
    manual = AUTOMATIC + "logger.setLevel(logging.INFO)\n"
    files = {"app/__init__.py": "", "app/logs.py": WRAPS_LOGGING, "app/new\nline.py": manual}
    repo = make_repo(tmp_path / "repo", files)
    dry = run(repo, "fix", str(repo), *FIX_CONTRACT, *FIX_REPLACE, timeout=120)
    assert dry.returncode == 0, dry.stderr  # nothing it can fix
    assert b"    app/new\\nline.py:4: logging.INFO\n" in dry.stderr


@pytest.mark.parametrize(
    ("name", "written"),
    [
        # git 2.39's `git diff` headers for these names (core.quotePath=true).
        ("a/app/x.py", "a/app/x.py"),
        ("a/app/bell\a.py", '"a/app/bell\\a.py"'),
        ("a/app/del\x7f.py", '"a/app/del\\177.py"'),
        ("a/app/cr\rx.py", '"a/app/cr\\rx.py"'),
        ("a/app/nul\x01.py", '"a/app/nul\\001.py"'),
        ("a/app/\udcff.py", '"a/app/\\377.py"'),  # an undecodable byte: itself again
        ("a/app/sp ace.py", "a/app/sp ace.py\t"),
        ("a/app/sp ace\n.py", '"a/app/sp ace\\n.py"\t'),
    ],
)
def test_names_are_quoted_byte_for_byte_as_git_does(name, written):
    from ssot_arch.formats.fix_diff import git_path

    assert git_path(name) == written
