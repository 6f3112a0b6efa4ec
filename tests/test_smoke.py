async def test_health(api):
    answer = await api.call("GET", "/api/health")
    assert answer.status == 200
    assert answer.body == {"status": "ok", "database": "ok"}
