"""The store: the only package that holds SQL. See DESIGN.md, "Layers"."""

from __future__ import annotations

from pathlib import Path

from console.store.database import Database, DatabaseOpenError, SchemaTooNew


class Store:
    """One open database and its per-aggregate repositories."""

    def __init__(self, database: Database):
        # Imported here so that ``console.store`` stays cheap to import for the CLI's --help.
        from console.store.aid import AidRepository
        from console.store.feeds import FeedRepository
        from console.store.headlines import HeadlineRepository
        from console.store.incidents import IncidentRepository
        from console.store.leases import LeaseRepository
        from console.store.journal_reader import JournalReader
        from console.store.operators import OperatorRepository
        from console.store.partners import PartnerRepository
        from console.store.plan import PlanRepository
        from console.store.watch import WatchRepository

        self.database = database
        self.operators = OperatorRepository(database)
        self.incidents = IncidentRepository(database)
        self.aid = AidRepository(database)
        self.partners = PartnerRepository(database)
        self.plan = PlanRepository(database)
        self.feeds = FeedRepository(database)
        self.headlines = HeadlineRepository(database)
        self.journal = JournalReader(database)
        self.watch = WatchRepository(database)
        self.leases = LeaseRepository(database)

    @classmethod
    async def open(cls, path: str | Path) -> "Store":
        return cls(await Database.open(path))

    @property
    def path(self) -> Path:
        return self.database.path

    async def close(self) -> None:
        await self.database.close()


__all__ = ["Store", "Database", "DatabaseOpenError", "SchemaTooNew"]
