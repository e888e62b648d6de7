from django.contrib import admin
from django.urls import include, path

from accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
{%- if cookiecutter.session_device_bound == "yes" %}
    path("dbsc/", include("session_security.device_binding.urls")),
{%- endif %}
    path("notices/", include("notices.urls")),
    path("admin/", admin.site.urls),
]
