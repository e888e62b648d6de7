from django.contrib import admin
from django.urls import include, path

from accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
{%- if cookiecutter.session_device_bound == "yes" %}
    path("dbsc/", include("session_security.device_binding.urls")),
{%- endif %}
{%- if cookiecutter.sign_in_alerts == "yes" %}
    path("accounts/sign-in-alert/", include("session_security.sign_in_alerts.urls")),
{%- endif %}
{%- if cookiecutter.scale_out == "yes" %}
    path("notices/", include("notices.urls")),
{%- endif %}
    path("admin/", admin.site.urls),
]
