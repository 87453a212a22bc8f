import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from config.logging import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("repairs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task's log lines carry the id of the web request that enqueued it (message header request_id).
@before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    if headers is not None and request_id_var.get():
        headers.setdefault("request_id", request_id_var.get())


@task_prerun.connect
def _adopt_request_id(task=None, **kwargs) -> None:
    # An eager task runs inside the request itself, whose id is already set.
    if task is not None and not task.request.is_eager:
        request_id_var.set(getattr(task.request, "request_id", None) or "")


@task_postrun.connect
def _forget_request_id(task=None, **kwargs) -> None:
    if task is not None and not task.request.is_eager:
        request_id_var.set("")
