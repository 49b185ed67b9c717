import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_a_working_database(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_degraded_but_keeps_the_node_when_the_broker_does_not_answer(client, settings):
    # Port 9 (discard) has nothing listening on loopback: a real refused connection. Mail waits
    # for the sweeper, pages still work: the load balancer must keep sending people here.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_healthz_answers_plain_http_probes_even_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/courses/").status_code == 301  # everything else still moves to https


@pytest.mark.redis
def test_healthz_checks_the_real_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
