"""One DocSpace installation: the test-job queue its portals (tenants) share, and its licence state.

As in DocSpace-server (docs/docspace-api.md, "One installation, many portals"):

* web/ASC.Web.Api/Extensions/WebApiServiceExtensions.cs registers one queue for SmtpJob per API
  process; common/ASC.Common/Threading/DefaultDistributedTaskQueueFactory.cs gives it one worker
  (MaxThreadsCount ignores 0 and stays 1), so the jobs of all portals run one at a time, in order.
* common/ASC.Common/Threading/DistributedTaskQueue.cs runs a cleaner every 10 s that removes every job
  whose LastModifiedOn is older than TimeUntilUnregisterInSeconds (60): queued, running or finished.
  Removing a running job cancels it; a queued one is only forgotten (its cancellation is not registered
  yet), so it still runs when its turn comes, but nobody can read its status any more.
* web/ASC.Web.Api/Core/SmtpOperation.cs keeps at most one visible job per tenant.
"""

import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional

from .job import SmtpTestJob

JOB_EXPIRY = 60.0        # TimeUntilUnregisterInSeconds
CLEANER_INTERVAL = 10.0  # the cleaner's PeriodicTimer


class Installation:
    """A shared job queue (one worker thread), the visible jobs per portal, and the cleaner."""

    def __init__(self, name: str, job_expiry: float = JOB_EXPIRY, cleaner_interval: float = CLEANER_INTERVAL) -> None:
        self.name = name
        self.job_expiry = job_expiry
        self.cleaner_interval = cleaner_interval
        self.unlicensed = False
        self.portals: List[str] = []
        self._initial = (job_expiry, cleaner_interval)
        self._cond = threading.Condition()
        self._queue: Deque[SmtpTestJob] = deque()
        self._visible: Dict[str, SmtpTestJob] = {}   # portal name → its job (the cache of the real queue)
        self._running: Optional[SmtpTestJob] = None
        self._stopping = threading.Event()
        self._wake_cleaner = threading.Event()
        self._worker = threading.Thread(target=self._work, name=f"smtp-queue-{name}", daemon=True)
        self._cleaner = threading.Thread(target=self._clean_loop, name=f"smtp-cleaner-{name}", daemon=True)
        self._worker.start()
        self._cleaner.start()

    # -- what the API uses -------------------------------------------------------------------------

    def start_job(self, portal: str, make_job: Callable[[], SmtpTestJob]) -> SmtpTestJob:
        """StartSmtpJob: the portal's unfinished job, or a new one queued behind every other portal's."""
        with self._cond:
            job = self._visible.get(portal)
            if job is None or job.is_completed():
                job = make_job()
                job.touch()
                self._visible[portal] = job
                self._queue.append(job)
                self._cond.notify_all()
            return job

    def job_status(self, portal: str) -> Optional[Dict[str, Any]]:
        """GetStatus: the portal's job state; reading a completed job removes it."""
        with self._cond:
            job = self._visible.get(portal)
            if job is None:
                return None
            state = job.state()
            if state["completed"]:
                del self._visible[portal]
            return state

    def peek(self, portal: str) -> Optional[SmtpTestJob]:
        """The portal's visible job, not consumed (control API)."""
        with self._cond:
            return self._visible.get(portal)

    def queue_ids(self) -> List[str]:
        """Ids of the running job and the jobs waiting behind it."""
        with self._cond:
            return ([self._running.id] if self._running else []) + [job.id for job in self._queue]

    def forget_portal_jobs(self, portal: str, wait: float = 5.0) -> None:
        """A portal reset: its queued jobs never run, its running job is cancelled, nothing stays visible."""
        with self._cond:
            self._visible.pop(portal, None)
            dropped = [job for job in self._queue if job.portal == portal]
            for job in dropped:
                self._queue.remove(job)
            running = self._running if self._running is not None and self._running.portal == portal else None
        for job in dropped:
            job.cancel()
        if running is not None:
            running.cancel()
            running.wait(wait)

    # -- settings ----------------------------------------------------------------------------------

    def configure(self, changes: Dict[str, Any]) -> Dict[str, Any]:
        """Change ``job_expiry``, ``cleaner_interval`` (seconds, > 0) or ``unlicensed``; raises ValueError."""
        if not isinstance(changes, dict):
            raise ValueError("installation settings are a JSON object")
        for key, value in changes.items():
            if key in ("job_expiry", "cleaner_interval"):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError(f"{key} must be a positive number of seconds")
            elif key == "unlicensed":
                if not isinstance(value, bool):
                    raise ValueError("unlicensed must be a boolean")
            else:
                raise ValueError(f"unknown installation key {key!r}; known: cleaner_interval, job_expiry, unlicensed")
        with self._cond:
            for key, value in changes.items():
                setattr(self, key, float(value) if key != "unlicensed" else value)
        self._wake_cleaner.set()  # a shorter interval takes effect now, not after the old one
        return self.info()

    def reset_settings(self) -> None:
        """Back to the settings given at start (an emulator-wide reset of this installation)."""
        with self._cond:
            self.job_expiry, self.cleaner_interval = self._initial
            self.unlicensed = False
        self._wake_cleaner.set()

    def info(self) -> Dict[str, Any]:
        """Name, member portals, settings and the queue (running job first)."""
        with self._cond:
            return {"name": self.name, "portals": list(self.portals), "job_expiry": self.job_expiry,
                    "cleaner_interval": self.cleaner_interval, "unlicensed": self.unlicensed,
                    "queue": ([self._running.id] if self._running else []) + [job.id for job in self._queue]}

    # -- threads -----------------------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel everything and join the worker and the cleaner."""
        self._stopping.set()
        self._wake_cleaner.set()
        with self._cond:
            queued, self._queue = list(self._queue), deque()
            running = self._running
            self._cond.notify_all()
        for job in queued:
            job.cancel()
        if running is not None:
            running.cancel()
        self._worker.join(10)
        self._cleaner.join(5)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping.is_set():
                    self._cond.wait()
                if self._stopping.is_set():
                    return
                job = self._queue.popleft()
                self._running = job
            try:
                job.run()
            finally:
                with self._cond:
                    self._running = None

    def _clean_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake_cleaner.wait(self.cleaner_interval)
            if self._wake_cleaner.is_set():
                self._wake_cleaner.clear()
                continue  # settings changed: start a new interval
            self.clean()

    def clean(self, now: Optional[float] = None) -> List[str]:
        """One cleaner tick: forget jobs unchanged for longer than job_expiry; returns the portals affected."""
        now = time.monotonic() if now is None else now
        expired = []
        with self._cond:
            for portal, job in list(self._visible.items()):
                if now - job.last_modified > self.job_expiry:
                    del self._visible[portal]
                    expired.append((portal, job))
            running = self._running
        for _portal, job in expired:
            if job is running:
                job.cancel()  # DequeueTask publishes the cancellation to the running task
        return [portal for portal, _job in expired]
