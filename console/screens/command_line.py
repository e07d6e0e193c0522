"""`:` the command line, as in k9s: `:incident 420`, `:movement 555`, `:officer NAME`, `:point 7`,
`:feed NAME`. It completes as typed (the command, then the officer or feed names); the watch floor
carries the command out (``WatchFloor.run_command``)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from console.sanitize import clean_line

#: Command -> what its argument is (shown as the line's hint and in help).
COMMANDS = {
    "incident": "NUMBER",
    "movement": "NUMBER",
    "officer": "NAME",
    "point": "NUMBER",
    "feed": "NAME",
}
USAGE = "  ".join(f":{verb} {what}" for verb, what in COMMANDS.items())


@dataclass(frozen=True)
class Command:
    verb: str
    argument: str

    @property
    def number(self) -> int | None:
        return int(self.argument) if self.argument.isdigit() else None


def parse_command(line: str) -> Command | str:
    """The command on ``line``, or what is wrong with it (one line, for a notice)."""
    verb, _, argument = clean_line(line).strip().lstrip(":").partition(" ")
    verb, argument = verb.lower(), argument.strip()
    matches = [v for v in COMMANDS if v.startswith(verb)] if verb else []
    if len(matches) != 1:
        return f"no command {verb!r}: {USAGE}" if verb else USAGE
    verb = matches[0]
    if not argument:
        return f":{verb} needs a {COMMANDS[verb].lower()}"
    if COMMANDS[verb] == "NUMBER" and not argument.isdigit():
        return f":{verb} takes a number, not {argument!r}"
    return Command(verb, argument)


class CommandLineScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    CommandLineScreen { align: left bottom; }
    CommandLineScreen > Vertical { height: auto; width: 100%; background: $panel; }
    CommandLineScreen Input, CommandLineScreen Input:focus { border: none; height: 1; padding: 0 1;
                                                            background: $panel; }
    CommandLineScreen .command-usage { color: $text-muted; height: 1; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="command.cancel")]

    def __init__(self, names: dict[str, list[str]]) -> None:
        """``names``: per command with a NAME, the names it completes (officers, feeds)."""
        super().__init__()
        completions = [f"{verb} " for verb in COMMANDS]
        completions += [f"{verb} {name}" for verb, listed in names.items() for name in listed]
        self.suggester = SuggestFromList(completions, case_sensitive=False)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{USAGE}   (right arrow / tab completes, enter runs, esc cancels)"),
                         classes="command-usage")
            yield Input(placeholder=":", suggester=self.suggester, id="command-input", select_on_focus=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def key_tab(self) -> None:
        # Tab takes the completion shown (as right arrow does), rather than moving the focus away.
        field = self.query_one(Input)
        field.action_cursor_right()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)
