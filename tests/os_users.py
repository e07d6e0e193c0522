"""Real OS users for the tests of identity: the login is the process's uid, so acting as another
operator means running as another user of the host.

As root, the tests create a few users (``cmcc_t_*``) and a group they share, once per machine,
and run ``cmcc`` as them with ``subprocess``'s ``user=``. Their databases live in a folder of that
group (setgid, so every file made there, ``-wal`` and ``-shm`` included, belongs to it). Without
root the tests that need another user are skipped, saying why.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

GROUP = "cmcc_t_floor"
ROOT = Path(__file__).resolve().parent.parent


def can_switch_users() -> bool:
    return os.geteuid() == 0 and shutil.which("useradd") is not None and shutil.which("groupadd") is not None


def require_switching() -> None:
    if not can_switch_users():
        pytest.skip("needs root (and useradd) to run cmcc as another user of this host")
    if not _interpreter_reachable():
        pytest.skip(f"{sys.executable} is in a folder other users may not enter (.ci/run opens it)")


def _interpreter_reachable() -> bool:
    """Whether another user can run this Python and read this checkout (pyenv under a private
    /root cannot be run by anyone else)."""
    targets = [Path(os.path.realpath(sys.executable)), Path(sys.prefix).resolve(), Path(__file__).resolve()]
    return all(os.stat(folder).st_mode & 0o001 for target in targets for folder in target.parents)


def os_user(login: str) -> str:
    """An OS user ``login`` in the shared group, created if missing; skips the test without root."""
    require_switching()
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=False, capture_output=True)
    try:
        pwd.getpwnam(login)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "--gid", GROUP, login],
                       check=True, capture_output=True)
    return login


def shared_folder() -> Path:
    """A folder every test user may use: the shared group, setgid, group-writable."""
    require_switching()
    os_user("cmcc_t_owner")  # makes the group too
    folder = Path(tempfile.mkdtemp(prefix="cmcc-shared-", dir="/tmp"))
    os.chown(folder, -1, grp.getgrnam(GROUP).gr_gid)
    os.chmod(folder, 0o2770)
    return folder


def _home_of(login: str) -> Path:
    """A fresh home of the user's own (the tests' homes are root's, closed to other users)."""
    home = Path(tempfile.mkdtemp(prefix=f"cmcc-home-{login}-", dir="/tmp"))
    entry = pwd.getpwnam(login)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    return home


def _as_user(login: str | None, env: dict | None) -> tuple[dict, dict]:
    """The environment and the subprocess arguments that run cmcc from this checkout as ``login``."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    kwargs: dict = {}
    if login is not None and login != pwd.getpwuid(os.getuid()).pw_name:
        kwargs = {"user": login, "group": GROUP, "extra_groups": []}
        home = _home_of(login)
        environment.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                           XDG_STATE_HOME=str(home / "state"))
    return environment, kwargs


def cmcc_as(login: str | None, *args: str, env: dict | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess:
    """``cmcc ARGS`` as the OS user ``login`` (None: as ourselves), from this checkout."""
    environment, kwargs = _as_user(login, env)
    return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=environment, cwd=ROOT, input=input, **kwargs)


def cmcc_process_as(login: str | None, *args: str, env: dict | None = None) -> subprocess.Popen:
    """``cmcc ARGS`` started as the OS user ``login``, its stdout and stderr piped (lines of text)."""
    environment, kwargs = _as_user(login, env)
    return subprocess.Popen([sys.executable, "-m", "console.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment, cwd=ROOT, **kwargs)
