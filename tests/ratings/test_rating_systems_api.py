"""GET /api/rating-systems and /api/rating-systems/{country}: public, from the stored scales."""


def test_the_countries_are_listed_with_the_kinds_they_rate(client):
    answer = client.get("/api/rating-systems")
    assert answer.status_code == 200
    countries = {c["country"]: c for c in answer.json()["countries"]}
    assert countries["DE"] == {"country": "DE", "name": "Germany", "movie": True, "tv": True}
    assert {"US", "GB", "FR", "ES", "AU", "CA", "BR", "JP"} <= set(countries)


def test_a_countrys_scales_come_lowest_first_in_any_case(client):
    answer = client.get("/api/rating-systems/de")
    assert answer.status_code == 200
    body = answer.json()
    assert body["country"] == "DE"
    assert [r["rating"] for r in body["movie"]] == ["0", "6", "12", "16", "18"]
    assert body["movie"][2] == {"rating": "12", "order": 3, "min_age": 12, "meaning": body["movie"][2]["meaning"]}
    assert body["movie"][2]["meaning"] and body["tv"]


def test_an_unknown_country_is_a_404_that_says_so(client):
    for country in ("ZZ", "germany", "%00"):
        answer = client.get(f"/api/rating-systems/{country}")
        assert answer.status_code in (404, 422), country
        assert answer.json()["detail"]
    assert "No rating system" in client.get("/api/rating-systems/ZZ").json()["detail"]
