def test_healthz_answers_even_for_a_host_that_is_not_allowed(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.content == b"ok"
