"""`ptcc db migrate-to URL`: copy every session (profile, answers, estimates) and the
question log from one database to another, SQLite or PostgreSQL either way, and check that
everything reads back the same."""

from __future__ import annotations

from pydantic import BaseModel

from ptcc_core.store import Dump, StoreError, open_store


class Moved(BaseModel):
    source: str
    target: str
    users: int
    estimates: int
    questions: int


async def migrate(source: str | None, target: str) -> Moved:
    """Copy source (a PTCC_DB value; None is the default file) into an empty target."""
    origin = await open_store(source)
    try:
        destination = await open_store(target)
        try:
            if origin.name == destination.name:
                raise StoreError("the source and the target are the same database")
            dump = await origin.dump()
            await destination.restore(dump)
            copied = await destination.dump()
            stats = await destination.stats()
        finally:
            await destination.close()
    finally:
        await origin.close()
    if _sorted(copied) != _sorted(dump):
        raise StoreError(f"{destination.name} did not read back what was copied into it")
    return Moved(
        source=origin.name,
        target=destination.name,
        users=len(copied.sessions),
        estimates=stats.estimates,
        questions=len(copied.questions),
    )


def _sorted(dump: Dump) -> Dump:
    return Dump(
        sessions=sorted(dump.sessions, key=lambda row: row.user_key),
        questions=sorted(dump.questions, key=lambda row: (row.asked_at, row.text or "")),
    )
