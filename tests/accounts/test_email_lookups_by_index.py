"""Every way an account is found by its e-mail address reads the unique index on LOWER(email)
(``User.objects.by_email``, decision 0026): the rows PostgreSQL reads do not grow when the
accounts grow tenfold (``tests.plans``)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from accounts import services
from accounts.forms import AccountField
from accounts.models import User

from .. import factories
from ..plans import analyze, work_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE"),
]
INDEX = "accounts_user_email_unique_without_case"
PASSWORD = "correct horse battery"
TYPED = "Zoe.Vanderstraeten@Example.ORG"


def grow(count: int) -> None:
    start = User.objects.count()
    User.objects.bulk_create(
        User(email=f"p{n}@example.org", username=f"p{n}@example.org", last_name=f"Last{n}", role=User.Role.CANDIDATE)
        for n in range(start, start + count)
    )
    analyze()


def sign_in(administrator) -> None:
    response = Client().post("/accounts/login/", {"username": TYPED, "password": PASSWORD})
    assert response.status_code == 302


def password_reset(administrator) -> None:
    assert Client().post("/accounts/password/reset/", {"email": TYPED}).status_code == 302


def account_picker(administrator) -> None:
    assert AccountField(role="").clean(f"Zoë <{TYPED}>").last_name == "Vanderstraeten"


def import_row_with_a_taken_address(administrator) -> None:
    with pytest.raises(ValidationError):
        services.account_create(
            created_by=administrator, email=TYPED, first_name="Zoë", last_name="V", role="candidate", invite=False
        )


@pytest.mark.parametrize("lookup", [sign_in, password_reset, account_picker, import_row_with_a_taken_address])
def test_an_account_is_found_by_its_address_through_the_unique_index(administrator, lookup):
    factories.CandidateFactory(email=TYPED, first_name="Zoë", last_name="Vanderstraeten")
    grow(100)
    small = work_of(lambda: lookup(administrator))
    grow(900)
    large = work_of(lambda: lookup(administrator))
    assert INDEX in large.indexes
    assert large.rows <= small.rows * 1.2 + 20, (small.rows, large.rows)
