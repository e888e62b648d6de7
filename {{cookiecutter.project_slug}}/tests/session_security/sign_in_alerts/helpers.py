"""Browsers of their own, and the links in the mails."""

import re

from django.core import mail

from session_security.sign_in_alerts.mail import wait_for_mail
from tests.conftest import HttpsClient, sign_in

LINK = re.compile(r"https?://[^/\s]+(/accounts/sign-in-alert/[^/\s]+/)")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"


def browser(user_agent=FIREFOX, address="203.0.113.7"):
    """A browser of its own: its own cookies, so the site has not seen it before."""
    return HttpsClient(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def signed_in(client, username="alice"):
    sign_in(client, username)
    wait_for_mail()
    return client


def mails():
    wait_for_mail()
    return list(mail.outbox)


def link_in(message):
    """The path of the link in an alert mail."""
    return LINK.search(message.body).group(1)
