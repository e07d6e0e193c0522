"""Who is at the keyboard: the real user of the process (the SSH login), mapped to an operator.

The login is the process's real uid looked up in the password database: never an environment
variable (``LOGNAME``, ``USER``, ``LNAME`` and ``USERNAME`` are whatever the caller set, which is
what ``getpass.getuser()`` trusts). Seeing the floor as someone else (``--view-as``) is read-only.
"""

from __future__ import annotations

import os
import pwd
import socket

from console.model.access import Actor, Operator, Role
from console.errors import CliError
from console.sanitize import clean_line


def login_of_uid(uid: int) -> str:
    """The login of ``uid`` in the password database (``uidN`` for a uid it does not list)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def os_login() -> str:
    """The real user of this process."""
    return login_of_uid(os.getuid())


def origin() -> str:
    """The SSH client address when the session came over SSH, else this host."""
    ssh = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION") or ""
    if ssh.split():
        return f"ssh:{ssh.split()[0]}"
    return f"local:{socket.gethostname()}"


def actor_of(operator: Operator | None, login: str, where: str) -> Actor:
    """The actor for ``login``: its operator record, or a viewer of no nation when it has none."""
    if operator is None:
        return Actor(login, login, Role.VIEWER, "UNK", where)
    return Actor(operator.login, operator.name, operator.role, operator.nation, where)


async def current_actor(store, view_as: str | None = None) -> tuple[Actor, str]:
    """The actor for this process and a notice for the operator ('' when none).

    An unknown login is a viewer. ``view_as`` (``--view-as LOGIN``) lets a watch officer or admin
    see the floor as LOGIN would (LOGIN's role and nation), read-only: the store refuses every
    write of such an actor. An unknown LOGIN, one with a wider role than the real user's, or a
    real user below watch officer is a CliError (one line, exit 2), never "carry on as yourself".
    """
    login, where = os_login(), origin()
    operator = await store.operators.get(login)
    actor = actor_of(operator, login, where)
    if view_as and view_as != login:
        return await _viewing_as(store, actor, view_as), f"viewing as {view_as}: read-only"
    if operator is None:
        if await store.operators.count() == 0:
            return actor, (f"this database has no operators yet: read-only until someone runs "
                           f"'cmcc operators add {login} --name NAME --nation CODE' (the first one becomes admin)")
        return actor, f"{login} is not a registered operator: read-only (viewer) access"
    return actor, ""


async def _viewing_as(store, real: Actor, view_as: str) -> Actor:
    shown = clean_line(view_as, max_chars=64)
    if real.role < Role.WATCH_OFFICER:
        raise CliError(f"--view-as {shown}: only a watch officer or admin may view the floor as someone else "
                       f"(you are {real.login}, {real.role.label})")
    other = await store.operators.get(view_as)
    if other is None:
        raise CliError(f"--view-as {shown}: no such operator")
    if other.role > real.role:
        raise CliError(f"--view-as {shown}: {other.role.label} is a wider role than yours ({real.role.label})")
    return Actor(other.login, other.name, other.role, other.nation, real.origin, viewer_login=real.login)


async def refreshed_actor(store, actor: Actor) -> Actor:
    """``actor`` as the database has it now (role, nation, name), for a running console.

    A real operator removed since becomes a viewer; someone viewing as an operator who has since
    been removed or widened past them keeps nothing but a viewer's view of no nation.
    """
    if actor.system:
        return actor
    if not actor.viewing_as:
        return actor_of(await store.operators.get(actor.login), actor.login, actor.origin)
    real = await store.operators.get(actor.viewer_login)
    other = await store.operators.get(actor.login)
    if real is None or other is None or real.role < Role.WATCH_OFFICER or other.role > real.role:
        return Actor(actor.login, actor.login, Role.VIEWER, "UNK", actor.origin, viewer_login=actor.viewer_login)
    return Actor(other.login, other.name, other.role, other.nation, actor.origin, viewer_login=actor.viewer_login)
