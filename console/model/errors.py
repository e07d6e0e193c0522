"""The refusals of the model and the store: each carries a message for the operator."""

from __future__ import annotations


class StoreError(Exception):
    """A change the store refused or could not make, with a message for the operator."""


class PermissionDenied(StoreError):
    pass


class StaleRecord(StoreError):
    """Someone else saved the record since it was read; the caller should reload."""


class ValidationError(StoreError):
    """One or more fields are invalid; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
