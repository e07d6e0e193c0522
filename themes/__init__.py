"""Themes and the app's layout stylesheet (package data: app.tcss).

The built-in themes are Textual ``Theme`` objects. Widgets colour severity and
status, but every severity and status also carries a mark or a letter, so no
theme (monochrome and ``NO_COLOR`` included) ever tells them by colour alone.

- ``cmcc-dark`` (default), ``cmcc-light``;
- ``cmcc-high-contrast``: black and white with bright yellow keys and cursor;
- ``cmcc-night``: red on black for a darkened floor (the app also pulls every
  other colour in a widget to red, see ``console.theming.NightFilter``);
- ``cmcc-16``: ANSI colours only, so the terminal's own palette is used and a
  low guessed colour depth (OpenSSH does not forward ``COLORTERM``) changes
  nothing; the default in low-bandwidth mode, and the cheapest in bytes;
- ``cmcc-mono``: the terminal's default colours with bold and reverse only;
  the default under ``NO_COLOR`` and on a terminal without colours (``TERM=vt100``,
  ``dumb``), where a filter also keeps any other theme to the default colours.
"""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "cmcc-dark"
#: Chosen when the colour depth is low or in low-bandwidth mode, unless the operator chose a theme.
SIXTEEN_COLOUR_THEME = "cmcc-16"
#: Chosen under NO_COLOR unless the operator chose a theme.
MONOCHROME_THEME = "cmcc-mono"

_ANSI_COMMON = {
    "ansi-background": "ansi_black",
    "ansi-foreground": "ansi_white",
    "text-muted": "ansi_default",
    "foreground-muted": "ansi_default",
    "border-blurred": "ansi_bright_black",
    "input-cursor-background": "ansi_default",
    "input-cursor-foreground": "ansi_default",
    "input-cursor-text-style": "reverse",
    "input-selection-background": "ansi_blue",
    "input-selection-foreground": "ansi_bright_white",
    "screen-selection-background": "ansi_blue",
    "screen-selection-foreground": "ansi_bright_white",
    "footer-background": "ansi_default",
    "footer-key-background": "ansi_default",
    "footer-description-background": "ansi_default",
    "footer-item-background": "ansi_default",
}

BUILTIN_THEMES: dict[str, Theme] = {
    theme.name: theme
    for theme in (
        Theme(
            name="cmcc-dark",
            primary="#3A7CA5",
            secondary="#5FA8D3",
            accent="#F2A541",
            warning="#F2C14E",
            error="#E5484D",
            success="#46A758",
            foreground="#D8DEE4",
            background="#0E1116",
            surface="#161B22",
            panel="#1F2A38",
            dark=True,
        ),
        Theme(
            name="cmcc-light",
            primary="#1F5F8B",
            secondary="#3A7CA5",
            accent="#B35C00",
            warning="#9A6700",
            error="#C62828",
            success="#2E7D32",
            foreground="#1B1F24",
            background="#F6F7F9",
            surface="#FFFFFF",
            panel="#D9E1EA",
            dark=False,
        ),
        Theme(
            name="cmcc-high-contrast",
            primary="#00BFFF",
            secondary="#FFFFFF",
            accent="#FFFF00",
            warning="#FFFF00",
            error="#FF5555",
            success="#00FF00",
            foreground="#FFFFFF",
            background="#000000",
            surface="#000000",
            panel="#262626",
            dark=True,
            luminosity_spread=0.0,
            text_alpha=1.0,
            variables={
                "text-muted": "#FFFFFF",
                "foreground-muted": "#FFFFFF",
                "block-cursor-background": "#FFFF00",
                "block-cursor-foreground": "#000000",
                "block-cursor-text-style": "bold",
                "block-cursor-blurred-background": "#FFFFFF",
                "block-cursor-blurred-foreground": "#000000",
                "footer-key-foreground": "#FFFF00",
                "footer-description-foreground": "#FFFFFF",
                "border": "#FFFFFF",
                "scrollbar": "#FFFFFF",
                "scrollbar-background": "#262626",
            },
        ),
        Theme(
            name="cmcc-night",
            primary="#8B0000",
            secondary="#A01010",
            accent="#FF3030",
            warning="#E04040",
            error="#FF2020",
            success="#B02020",
            foreground="#D03030",
            background="#000000",
            surface="#0A0000",
            panel="#220000",
            boost="#100000",
            dark=True,
            luminosity_spread=0.05,
            variables={
                "text-muted": "#902020",
                "foreground-muted": "#902020",
                "block-cursor-background": "#5A0000",
                "block-cursor-foreground": "#FF4040",
                "block-cursor-blurred-background": "#2A0000",
                "block-cursor-blurred-foreground": "#D03030",
                "footer-key-foreground": "#FF4040",
                "footer-description-foreground": "#B02020",
                "border": "#701010",
                "scrollbar": "#501010",
                "scrollbar-background": "#100000",
                "input-selection-background": "#5A0000",
                "screen-selection-background": "#5A0000",
                "screen-selection-foreground": "#FF4040",
            },
        ),
        Theme(
            name="cmcc-16",
            ansi=True,
            primary="ansi_blue",
            secondary="ansi_cyan",
            accent="ansi_yellow",
            warning="ansi_yellow",
            error="ansi_red",
            success="ansi_green",
            foreground="ansi_default",
            background="ansi_default",
            surface="ansi_default",
            panel="ansi_default",
            boost="ansi_default",
            dark=True,
            variables={
                **_ANSI_COMMON,
                "block-cursor-background": "ansi_blue",
                "block-cursor-foreground": "ansi_bright_white",
                "block-cursor-text-style": "bold",
                "block-cursor-blurred-background": "ansi_default",
                "block-cursor-blurred-foreground": "ansi_default",
                "block-cursor-blurred-text-style": "underline",
                "footer-key-foreground": "ansi_yellow",
                "footer-description-foreground": "ansi_default",
            },
        ),
        Theme(
            name="cmcc-mono",
            ansi=True,
            primary="ansi_default",
            secondary="ansi_default",
            accent="ansi_default",
            warning="ansi_default",
            error="ansi_default",
            success="ansi_default",
            foreground="ansi_default",
            background="ansi_default",
            surface="ansi_default",
            panel="ansi_default",
            boost="ansi_default",
            dark=True,
            variables={
                **_ANSI_COMMON,
                "block-cursor-background": "ansi_default",
                "block-cursor-foreground": "ansi_default",
                "block-cursor-text-style": "reverse",
                "block-cursor-blurred-background": "ansi_default",
                "block-cursor-blurred-foreground": "ansi_default",
                "block-cursor-blurred-text-style": "underline",
                "footer-key-foreground": "ansi_default",
                "footer-description-foreground": "ansi_default",
                "border": "ansi_default",
                "scrollbar": "ansi_default",
                "scrollbar-background": "ansi_default",
                "input-selection-background": "ansi_default",
                "screen-selection-background": "ansi_default",
                "screen-selection-foreground": "ansi_default",
            },
        ),
    )
}

#: Themes that must stay legible without colour (the ANSI ones).
ANSI_THEMES = frozenset(name for name, theme in BUILTIN_THEMES.items() if theme.ansi)
