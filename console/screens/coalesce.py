"""Reloads that coalesce: asked again while one runs, it runs once more after, never cancelled.

A screen reloads when the journal says something it shows changed. Under load (ten writers,
1,500 commits a second) that is four times a second; a reload cancelled and restarted each time
(Textual's ``@work(exclusive=True)``) never finished, and an open watch log stayed frozen for the
whole load and long after. Here the reload that runs finishes, and every request made meanwhile
is served by one more run, so the screen is at most one reload behind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

NodeT = TypeVar("NodeT", bound=Any)


class _Requests:
    __slots__ = ("again", "running")

    def __init__(self) -> None:
        self.again = False
        self.running = False


def coalesced(load: Callable[[NodeT], Awaitable[None]]) -> Callable[[NodeT], None]:
    """Decorate a node's ``async def reload(self)``: calling it starts the load in a worker of the
    node, or, while one runs, asks for one more run after it."""
    requests: WeakKeyDictionary[Any, _Requests] = WeakKeyDictionary()

    @wraps(load)
    def request(node: NodeT) -> None:
        state = requests.setdefault(node, _Requests())
        state.again = True
        if state.running:
            return
        state.running = True

        async def run() -> None:
            try:
                while state.again:
                    state.again = False
                    await load(node)
            finally:
                state.running = False

        node.run_worker(run(), group=load.__qualname__, exit_on_error=False)

    return request
