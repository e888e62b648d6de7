"""Before the project's own and allauth's pages: two of the project's, at allauth's paths."""

from django.urls import path

from accounts import views as accounts_views
from accounts.allauth_bridge import views

urlpatterns = [
    # The sign-in page (allauth's links lead here): the password, then allauth's steps.
    path("login/", views.LoginView.as_view()),
    # allauth's password change would end this session too: the project's keeps it.
    path("password/change/", accounts_views.PasswordChangeView.as_view()),
]
