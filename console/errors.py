"""Errors the command line prints as one line."""


class CliError(Exception):
    """An error to print as one line (``cmcc: message``) with exit status 2."""
