"""The subject's emails, sent when erasure announces a step (erasure/signals.py)."""

from typing import Any

from django.dispatch import receiver

from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.erasure.signals import request_completed, request_extended, request_rejected
from heapprivacy.notifications.notices import completion_notify, extension_notify, rejection_notify


@receiver(request_extended, dispatch_uid="notifications.extension")
def extension_email(sender: object, request: ErasureRequest, **kwargs: Any) -> None:
    extension_notify(request)  # the notice with the reasons


@receiver(request_rejected, dispatch_uid="notifications.rejection")
def rejection_email(sender: object, request: ErasureRequest, **kwargs: Any) -> None:
    rejection_notify(request)  # the reason in words and the right to complain


@receiver(request_completed, dispatch_uid="notifications.completion")
def completion_email(sender: object, request: ErasureRequest, **kwargs: Any) -> None:
    completion_notify(request)  # with the link to the certificate
