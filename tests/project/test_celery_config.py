"""The Celery contract of DESIGN.md: JSON only, late acks, ids in messages, no result backend."""

from heapprivacy.celery import app


def test_messages_are_json_only() -> None:
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_a_task_is_acknowledged_only_after_it_ran_and_redelivered_if_its_worker_dies() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_there_is_no_result_backend() -> None:
    assert app.conf.result_backend is None
    assert app.conf.task_ignore_result is True


def test_every_task_has_a_soft_and_a_hard_time_limit() -> None:
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_every_beat_entry_names_a_registered_task() -> None:
    app.loader.import_default_modules()

    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks
