"""Simulated trainees, one process each, submitting attempts at the same moment."""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from empathy_training.models import Assessment, Epitome

#: How long a worker waits for the others to be ready, and the parent for the workers.
STARTUP_TIMEOUT = 120.0


def small_assessment(response: str) -> Assessment:
    """A fixed, small assessment: enough to exercise the JSON column, quick to write."""
    return Assessment(
        response=response,
        hrq_level=3,
        behaviour="reflection",
        question_type=None,
        reflection_depth="simple",
        roadblocks=(),
        validation_level=2,
        epitome=Epitome(er=0, ip=1, ex=0),
        criteria=(),
        feedback="You said back what the client said.",
        confidence=0.8,
        scorer_version="load-test",
    )


@dataclass(frozen=True)
class TraineeReport:
    """What one simulated trainee did."""

    worker: int
    """Worker number."""
    trainee_id: int
    """The trainee it created."""
    shared_trainee_id: int | None
    """The id it got for the name every worker asked for, if any."""
    attempt_ids: tuple[int, ...]
    """Ids of the attempts it stored, in order."""
    started: float
    """Wall-clock time when it passed the start barrier."""
    finished: float
    """Wall-clock time of its last commit."""


def simulate_trainee(
    url: str,
    worker: int,
    attempts: int,
    retry_every: int,
    shared_name: str | None,
    workshop_id: int | None,
    start: Barrier,
    results: Queue[TraineeReport | str],
) -> None:
    """Open the store, join, wait for everyone, then submit attempts as fast as possible.

    Every `retry_every`-th submit is sent twice with the same client attempt id, as a browser
    retrying after a dropped connection would.
    """
    from empathy_training.storage import Store

    try:
        store = Store(url)
        trainee = store.trainee(f"Trainee {worker:02d}", workshop_id)
        start.wait(STARTUP_TIMEOUT)
        started = time.time()
        shared = None if shared_name is None else store.trainee(shared_name, workshop_id).id
        ids = []
        for number in range(attempts):
            response = f"It sounds like attempt {number} of trainee {worker} matters."
            submit = {
                "vignette_id": f"vignette-{number % 5}",
                "module_id": "load",
                "response": response,
                "assessment": small_assessment(response),
                "workshop_id": workshop_id,
                "client_attempt_id": f"w{worker}-a{number}",
            }
            record = store.record_attempt(trainee.id, **submit)  # type: ignore[arg-type]
            if retry_every and number % retry_every == 0:
                again = store.record_attempt(trainee.id, **submit)  # type: ignore[arg-type]
                if again.id != record.id:
                    raise AssertionError(f"retry stored twice: {record.id} and {again.id}")
            ids.append(record.id)
        finished = time.time()
        store.close()
        results.put(TraineeReport(worker, trainee.id, shared, tuple(ids), started, finished))
    except BaseException:
        results.put(f"worker {worker}:\n{traceback.format_exc()}")
        start.abort()


def _context() -> ForkServerContext | SpawnContext:
    """Fork from a clean server process that has the store imported once, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["empathy_training.storage", "workload"])
        return context
    return multiprocessing.get_context("spawn")


def run_trainees(
    url: str,
    *,
    trainees: int = 40,
    attempts: int = 25,
    retry_every: int = 0,
    shared_name: str | None = None,
    workshop_id: int | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> list[TraineeReport]:
    """Run `trainees` processes at once against the database; raise if any of them failed.

    `while_waiting` is called over and over in this process while they run, e.g. to poll
    the store as a dashboard would.
    """
    context = _context()
    start = context.Barrier(trainees)
    results: Queue[TraineeReport | str] = context.Queue()
    processes = [
        context.Process(
            target=simulate_trainee,
            args=(url, n, attempts, retry_every, shared_name, workshop_id, start, results),
            daemon=True,
        )
        for n in range(trainees)
    ]
    for process in processes:
        process.start()
    reports: list[TraineeReport] = []
    failures: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while len(reports) + len(failures) < trainees:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(reports)} of {trainees} trainees finished")
            if while_waiting is not None:
                while_waiting()
            try:
                result = results.get(timeout=0.02)
            except queue.Empty:
                continue
            if isinstance(result, str):
                failures.append(result)
            else:
                reports.append(result)
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    if failures:
        raise AssertionError("\n".join(failures))
    return sorted(reports, key=lambda report: report.worker)
