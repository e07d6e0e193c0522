"""Who is at the keyboard: the OS login (the SSH user), mapped to an operator."""

from __future__ import annotations

import getpass
import os
import socket

from console.domain import Actor, Role


def os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def origin() -> str:
    """The SSH client address when the session came over SSH, else this host."""
    ssh = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION") or ""
    if ssh.split():
        return f"ssh:{ssh.split()[0]}"
    return f"local:{socket.gethostname()}"


async def current_actor(store, narrow_to: str | None = None) -> tuple[Actor, str]:
    """The actor for this process and a notice for the operator ('' when none).

    An unknown login is a viewer. ``narrow_to`` (``--operator``) lets a watch
    officer or admin act as another operator of a role no higher than theirs,
    to test what that role sees; it never widens.
    """
    login = os_login()
    operator = await store.operators.get(login)
    if operator is None:
        if await store.operators.count() == 0:
            return (Actor(login, login, Role.VIEWER, "UNK", origin()),
                    f"this database has no operators yet: read-only until someone runs "
                    f"'cmcc operators add {login} --name NAME --nation CODE' (the first one becomes admin)")
        actor = Actor(login, login, Role.VIEWER, "UNK", origin())
        return actor, f"{login} is not a registered operator: read-only (viewer) access"
    actor = Actor(operator.login, operator.name, operator.role, operator.nation, origin())
    if narrow_to and narrow_to != login:
        other = await store.operators.get(narrow_to)
        if other is None:
            return actor, f"--operator {narrow_to}: no such operator; acting as yourself"
        if operator.role < Role.WATCH_OFFICER or other.role > operator.role:
            return actor, f"--operator {narrow_to}: only narrows a watch officer's own role; acting as yourself"
        return Actor(other.login, other.name, other.role, other.nation, origin()), f"acting as {other.login} ({other.role.label})"
    return actor, ""
