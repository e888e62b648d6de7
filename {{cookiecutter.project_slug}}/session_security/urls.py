from django.urls import path

from session_security import views

app_name = "session_security"

urlpatterns = [
    path("register", views.register, name="dbsc_register"),
    path("refresh", views.refresh, name="dbsc_refresh"),
]
