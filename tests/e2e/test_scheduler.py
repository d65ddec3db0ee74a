"""The scheduler of the running bot fires every job by itself, as `main.py` starts it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.config import JobIntervals
from tests.harness import TICKING, Stack


@pytest.mark.bot_settings(**TICKING)
async def test_every_registered_job_runs_by_itself(stack: Stack) -> None:
    """Whatever jobs are registered with the real AsyncIOScheduler — a new one included — each
    runs on its own timer after the clock moved; a job added paused would never run."""
    assert stack.app is not None
    registered = stack.app.scheduler.get_jobs()
    assert {job.id for job in registered} == {"keep_lead", *JobIntervals.model_fields}
    assert [job.id for job in registered if job.next_run_time is None] == []  # none paused
    stack.clock.move(days=8)
    await stack.tick()  # fails naming any job that did not run
    assert stack.app.jobs.leading


async def test_every_job_also_runs_at_start_up(stack: Stack) -> None:
    """With the production intervals (the shortest is 30 s) every job runs at start-up too:
    a bot restarted more often than a job's interval still does that job."""
    assert stack.settings.job_intervals == JobIntervals()
    await stack.jobs_ran(since=datetime.min.replace(tzinfo=timezone.utc))  # runs of this start
