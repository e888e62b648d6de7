{% if cookiecutter.allauth == "yes" -%}
from allauth.account.decorators import secure_admin_login
{% endif -%}
from django.contrib import admin
from django.urls import include, path

from accounts.views import home
{%- if cookiecutter.allauth == "yes" %}

# The admin's own password form would skip the second factor: it sends to the sign-in page.
admin.site.login = secure_admin_login(admin.site.login)
{%- endif %}

urlpatterns = [
    path("", home, name="home"),
{%- if cookiecutter.allauth == "yes" %}
    # First: the sign-in page hands over to allauth's steps; the password change keeps the session.
    path("accounts/", include("accounts.allauth_bridge.urls")),
{%- endif %}
    path("accounts/", include("accounts.urls")),
{%- if cookiecutter.allauth == "yes" %}
    # Sign-up, email addresses, second factors, re-authentication (after the project's pages).
    path("accounts/", include("allauth.urls")),
{%- endif %}
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
