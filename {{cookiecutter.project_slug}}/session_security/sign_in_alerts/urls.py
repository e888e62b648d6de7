from django.urls import path

from session_security.sign_in_alerts import views

app_name = "sign_in_alerts"

urlpatterns = [
    path("keep/", views.keep, name="keep"),
    path("<str:token>/", views.end, name="end"),
]
