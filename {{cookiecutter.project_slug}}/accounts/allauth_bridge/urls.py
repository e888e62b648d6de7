"""Before the project's own and allauth's pages: two of the project's, at allauth's paths."""

from django.urls import path

from accounts.allauth_bridge import views

urlpatterns = [
    # The sign-in page (allauth's links lead here): the password, then allauth's steps.
    path("login/", views.LoginView.as_view()),
    # The project's password change (this session continues; allauth's would end it), at its
    # own path and allauth's, mailing the account's address as allauth's does.
    path("password/", views.PasswordChangeView.as_view()),
    path("password/change/", views.PasswordChangeView.as_view()),
]
