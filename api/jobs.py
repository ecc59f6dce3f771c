"""The API's handle on the arq queue."""

from __future__ import annotations

from arq.connections import ArqRedis, create_pool

from workers.jobs import QUEUE_NAME
from workers.settings import redis_settings


class ArqJobQueue:
    """Enqueues jobs for the workers, de-duplicated by job id."""

    def __init__(self, pool: ArqRedis) -> None:
        self.pool = pool

    @classmethod
    async def connect(cls, redis_url: str) -> ArqJobQueue:
        """A queue on the given Redis."""
        return cls(await create_pool(redis_settings(redis_url)))

    async def enqueue(self, name: str, *args: object, job_id: str) -> bool:
        """Queue a job once per id; False when that id is already queued or done recently."""
        job = await self.pool.enqueue_job(name, *args, _job_id=job_id, _queue_name=QUEUE_NAME)
        return job is not None

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.aclose()
