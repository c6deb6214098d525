"""People who use a portal running in another process, through HTTP only, as their browsers would."""

import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import User

PASSWORD = "correct horse battery staple"


def can_sign_in_elsewhere(user: User) -> User:
    """Give the account a password that a server with the portal's own hashers accepts (the test
    settings hash with MD5, which the portal never does)."""
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000))
    return user


class Visitor:
    """A browser on the portal at ``url``: cookies kept, redirects not followed."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.url + path, allow_redirects=False, timeout=60)

    def post(self, path: str, data: dict | None = None, files: dict | None = None) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get("/accounts/login/")
        form = {**(data or {}), "csrfmiddlewaretoken": self.session.cookies["csrftoken"]}
        return self.session.post(self.url + path, data=form, files=files, allow_redirects=False, timeout=120)


class Person(Visitor):
    """A person signed in through the sign-in page."""

    def __init__(self, url: str, user: User):
        super().__init__(url)
        signed_in = self.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.text[-2000:]
