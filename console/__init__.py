"""cmcc: the watch-floor console of the Civil-Military Coordination Center."""

__version__ = "0.1.0"
