from django.urls import path

from heapprivacy.intake import views

app_name = "intake"

urlpatterns = [
    path("erasure/", views.erasure_form, name="erasure_form"),
    path("erasure/sent", views.erasure_sent, name="erasure_sent"),
    path("erasure/verify/<str:token>", views.erasure_verify, name="erasure_verify"),
    path("erasure/status/<str:token>", views.erasure_status, name="erasure_status"),
]
