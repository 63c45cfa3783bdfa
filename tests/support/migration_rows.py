"""Rows written with plain SQL into a database stopped at an older revision, for the migration tests."""

BCRYPT = "$2b$10$" + "a" * 53


def one(conn, sql: str, *params):
    """The first column of the first row."""
    return conn.execute(sql, params).fetchone()[0]


def family_with_bluey_and_moana(conn, moana_blocked: str | None) -> dict[str, int]:
    """A family, a kid allowed Bluey (episode 2 blocked) and Moana (`moana_blocked`: its
    blocked_episodes as stored, e.g. NULL or '[]'), Disney+ chosen; the ids by name."""
    ids = {"family": one(conn, "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id")}
    ids["kid"] = one(
        conn,
        "INSERT INTO kid_profiles (family_id, name, pin_hash) VALUES (%s, 'Emma', %s) RETURNING id",
        ids["family"],
        BCRYPT,
    )
    for n, (name, media_type) in enumerate((("Bluey", "tv"), ("Moana", "movie"))):
        ids[name] = one(
            conn,
            "INSERT INTO titles (tmdb_id, title, media_type, providers) "
            "VALUES (%s, %s, %s, '[\"disney_plus\"]') RETURNING id",
            800_000 + n,
            name,
            media_type,
        )
    for number in (1, 2):
        ids[f"Bluey {number}"] = one(
            conn,
            "INSERT INTO episodes (tmdb_episode_id, title_id, season_number, "
            "episode_number, name) VALUES (%s, %s, 1, %s, %s) RETURNING id",
            ids["Bluey"] * 10 + number,
            ids["Bluey"],
            number,
            f"Bluey {number}",
        )
    conn.execute(
        "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy, blocked_episodes) VALUES "
        "(%s, %s, 'allow', %s), (%s, %s, 'allow', %s)",
        (ids["kid"], ids["Bluey"], f"[{ids['Bluey 2']}]", ids["kid"], ids["Moana"], moana_blocked),
    )
    conn.execute(
        "INSERT INTO streaming_service_selection (family_id, selected_services) VALUES (%s, '[\"disney_plus\"]')",
        (ids["family"],),
    )
    return ids
