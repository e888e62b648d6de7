"""The user model: Django's, made swappable-safe from the first migration.

Django advises a custom user model for every new project, because changing
``AUTH_USER_MODEL`` later is hard. Nothing is added yet; fields go here.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    pass
