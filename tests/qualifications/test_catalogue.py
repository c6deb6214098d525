import pytest

from qualifications.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language,title,heading,notice",
    [
        ("fr", "Opérateur Contact Center", "Compétences", True),
        ("nl", "Contactcenteroperator", "Competenties", False),
        ("en", "Contact Center operator", "Competencies", True),
    ],
)
def test_catalogue_page_shows_the_whole_standard_in_the_visitors_language(
    client, qualification, language, title, heading, notice
):
    client.cookies.load({"django_language": language})
    response = client.get(f"/qualifications/{qualification.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert title in html
    assert heading in html
    # Only the Dutch text of the decree is authentic: the other languages are marked as translations.
    assert ("no legal value" in html or "geen wettelijke waarde" in html or "aucune valeur" in html) == notice
    for indicator in Indicator.objects.all():
        assert getattr(indicator, f"text_{language}").replace("'", "&#x27;") in html
    for competency in qualification.competencies.all():
        assert competency.code in html


def test_language_switcher_sets_the_language(client, qualification):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/qualifications/0213/"})
    assert response.status_code == 302
    assert "Contact Center operator" in client.get("/qualifications/0213/").content.decode()


def test_unknown_qualification_is_a_404(client, qualification):
    assert client.get("/qualifications/9999/").status_code == 404


def test_catalogue_page_uses_a_fixed_number_of_queries(client, qualification, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/qualifications/0213/")
