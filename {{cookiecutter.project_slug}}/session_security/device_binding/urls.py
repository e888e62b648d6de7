from django.urls import path

from session_security.device_binding import views

app_name = "device_binding"

urlpatterns = [
    path("register", views.register, name="register"),
    path("refresh", views.refresh, name="refresh"),
]
