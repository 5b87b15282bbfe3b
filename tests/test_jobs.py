"""Background jobs: progress, stop, result and errors, across threads."""

import threading
import time

import pytest

from signviz.jobs import BackgroundJob


def test_a_job_reports_progress_and_returns_its_result():
    def work(job):
        for step in range(5):
            job.report(step)
        return "finished"

    job = BackgroundJob(work).start()
    assert job.wait(10)
    assert job.progress == [0, 1, 2, 3, 4]
    assert job.result == "finished"
    assert job.error is None
    assert not job.running
    assert job.seconds >= 0


def test_stop_ends_the_work_at_its_next_checkpoint():
    started = threading.Event()

    def work(job):
        steps = 0
        while not job.stop_requested:
            steps += 1
            job.report(steps)
            started.set()
            time.sleep(0.001)  # a unit of work
        return steps

    job = BackgroundJob(work).start()
    assert started.wait(10)
    assert job.running and not job.done
    job.stop()
    assert job.wait(10)
    assert job.result == len(job.progress) >= 1


def test_an_error_is_kept_not_lost():
    def work(job):
        job.report("about to fail")
        raise ValueError("the learning rate must be a positive number")

    job = BackgroundJob(work).start()
    assert job.wait(10)
    assert isinstance(job.error, ValueError)
    assert job.progress == ["about to fail"]
    assert job.result is None


def test_progress_is_a_copy():
    job = BackgroundJob(lambda job: job.report(1)).start()
    job.wait(10)
    job.progress.append(2)
    assert job.progress == [1]


@pytest.mark.parametrize("timeout", [0.0])
def test_wait_with_a_timeout_returns_whether_it_is_done(timeout):
    release = threading.Event()
    job = BackgroundJob(lambda job: release.wait(10)).start()
    assert job.wait(timeout) is False
    release.set()
    assert job.wait(10) is True


def test_a_job_whose_session_ended_stops():
    alive = threading.Event()
    alive.set()
    started = threading.Event()

    def work(job):
        steps = 0
        while not job.stop_requested:
            steps += 1
            started.set()
            time.sleep(0.001)
        return steps

    job = BackgroundJob(work, is_alive=alive.is_set).start()
    assert started.wait(10)
    assert not job.stop_requested
    alive.clear()  # the tab closed
    assert job.wait(10)
    assert job.result >= 1
