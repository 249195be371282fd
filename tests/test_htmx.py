"""One rule for htmx requests: which get a fragment, and a Vary header on every answer."""

import pytest

HISTORY_RESTORE = {
    "HX-Request": "true",
    "HX-Target": "orders-table",
    "HX-History-Restore-Request": "true",
}


@pytest.mark.parametrize("url", ["/login", "/no-such-page", "/healthz"])
def test_every_answer_varies_on_the_htmx_headers(client, url):
    vary = client.get(url).headers["Vary"]
    assert "HX-Request" in vary and "HX-Target" in vary


def test_a_history_restore_gets_the_whole_page(client, logged_in):
    assert "<html" in client.get("/", headers=HISTORY_RESTORE).get_data(as_text=True)


def test_an_error_for_a_fragment_goes_to_the_flash_area(client, logged_in):
    response = client.get("/orders/not-an-id", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash"
    assert "<html" not in response.get_data(as_text=True)
