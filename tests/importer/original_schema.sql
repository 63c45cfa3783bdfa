-- The older backend's tables (AxolotlyGuardian/ParentalDashboard backend/models.py at 683cfba, as
-- SQLAlchemy's create_all makes them: Integer -> integer, String -> varchar, JSON -> json,
-- DateTime -> timestamp without time zone, Boolean -> boolean), the ones the import reads.
CREATE TABLE users (
    id serial PRIMARY KEY,
    email varchar NOT NULL UNIQUE,
    password_hash varchar NOT NULL,
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamp DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE TABLE streaming_service_selections (
    id serial PRIMARY KEY,
    family_id integer NOT NULL UNIQUE REFERENCES users (id),
    selected_services json NOT NULL,
    updated_at timestamp,
    created_at timestamp
);
CREATE TABLE kid_profiles (
    id serial PRIMARY KEY,
    parent_id integer NOT NULL REFERENCES users (id),
    name varchar NOT NULL,
    age integer NOT NULL,
    pin varchar NOT NULL,
    avatar varchar,
    created_at timestamp
);
CREATE TABLE titles (
    id serial PRIMARY KEY,
    tmdb_id integer NOT NULL UNIQUE,
    title varchar NOT NULL,
    media_type varchar NOT NULL,
    overview text,
    poster_path varchar,
    backdrop_path varchar,
    release_date varchar,
    rating varchar,
    genres json,
    providers json,
    deep_links json,
    number_of_seasons integer,
    number_of_episodes integer,
    vote_average double precision,
    wiki_slug varchar,
    fandom_scraped boolean,
    fandom_scrape_date timestamp,
    last_synced timestamp
);
CREATE TABLE episodes (
    id serial PRIMARY KEY,
    title_id integer NOT NULL REFERENCES titles (id),
    tmdb_episode_id integer UNIQUE,
    season_number integer NOT NULL,
    episode_number integer NOT NULL,
    episode_name varchar,
    overview text,
    runtime integer,
    thumbnail_path varchar,
    air_date varchar,
    created_at timestamp,
    updated_at timestamp
);
CREATE TABLE content_packages (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    description text,
    age_min integer,
    age_max integer,
    category varchar NOT NULL,
    icon varchar,
    is_active boolean,
    created_by integer REFERENCES users (id),
    created_at timestamp,
    updated_at timestamp
);
CREATE TABLE policies (
    id serial PRIMARY KEY,
    kid_profile_id integer NOT NULL REFERENCES kid_profiles (id),
    title_id integer NOT NULL REFERENCES titles (id),
    is_allowed boolean NOT NULL DEFAULT true,
    source_package_id integer REFERENCES content_packages (id),
    created_at timestamp
);
CREATE TABLE episode_policies (
    id serial PRIMARY KEY,
    policy_id integer NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    episode_id integer NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    is_allowed boolean NOT NULL DEFAULT false,
    created_at timestamp,
    UNIQUE (policy_id, episode_id)
);
CREATE TABLE devices (
    id serial PRIMARY KEY,
    device_id varchar NOT NULL UNIQUE,
    api_key varchar NOT NULL,
    family_id integer NOT NULL REFERENCES users (id),
    kid_profile_id integer REFERENCES kid_profiles (id),
    device_name varchar,
    device_model varchar,
    device_manufacturer varchar,
    app_version varchar,
    app_version_code integer,
    fcm_token varchar,
    created_at timestamp,
    last_active timestamp
);
CREATE TABLE time_limits (
    id serial PRIMARY KEY,
    family_id integer NOT NULL UNIQUE REFERENCES users (id),
    daily_limit_minutes integer,
    bedtime_start varchar,
    bedtime_end varchar,
    schedule_enabled boolean,
    created_at timestamp,
    updated_at timestamp
);
CREATE TABLE usage_logs (
    id serial PRIMARY KEY,
    device_id integer NOT NULL REFERENCES devices (id),
    app_id integer,
    app_name varchar NOT NULL,
    start_time timestamp NOT NULL,
    end_time timestamp NOT NULL,
    duration_minutes integer NOT NULL,
    created_at timestamp
);
CREATE TABLE pairing_codes (
    id serial PRIMARY KEY,
    code varchar(6) NOT NULL UNIQUE,
    family_id integer REFERENCES users (id),
    expires_at timestamp,
    is_used boolean,
    pre_generated boolean,
    device_serial varchar UNIQUE,
    created_at timestamp
);
CREATE TABLE content_package_items (
    id serial PRIMARY KEY,
    package_id integer NOT NULL REFERENCES content_packages (id) ON DELETE CASCADE,
    title_id integer NOT NULL REFERENCES titles (id),
    added_at timestamp,
    UNIQUE (package_id, title_id)
);
CREATE TABLE episode_links (
    id serial PRIMARY KEY,
    episode_id integer NOT NULL REFERENCES episodes (id),
    raw_provider varchar NOT NULL,
    provider varchar NOT NULL,
    deep_link_url varchar NOT NULL,
    source varchar,
    confidence_score double precision,
    first_seen_at timestamp,
    last_confirmed_at timestamp,
    is_active boolean,
    confirmed_count integer,
    motn_verified boolean,
    motn_quality_score double precision,
    custom_tags varchar,
    enrichment_data text,
    last_enriched_at timestamp
);
CREATE TABLE device_episode_reports (
    id serial PRIMARY KEY,
    device_id integer NOT NULL REFERENCES devices (id),
    raw_url varchar NOT NULL,
    provider varchar NOT NULL,
    normalized_provider varchar NOT NULL,
    reported_title varchar,
    season_hint integer,
    episode_hint integer,
    tmdb_title_id integer,
    kid_profile_id integer REFERENCES kid_profiles (id),
    playback_position integer,
    processing_status varchar,
    matched_episode_id integer REFERENCES episodes (id),
    confidence_score double precision,
    reported_at timestamp,
    processed_at timestamp
);
CREATE TABLE content_tags (
    id serial PRIMARY KEY,
    category varchar NOT NULL,
    slug varchar NOT NULL UNIQUE,
    display_name varchar NOT NULL,
    description text,
    created_at timestamp
);
CREATE TABLE title_tags (
    id serial PRIMARY KEY,
    title_id integer NOT NULL REFERENCES titles (id),
    tag_id integer NOT NULL REFERENCES content_tags (id),
    source varchar,
    confidence double precision,
    created_at timestamp
);
CREATE TABLE episode_tags (
    id serial PRIMARY KEY,
    episode_id integer NOT NULL REFERENCES episodes (id),
    tag_id integer NOT NULL REFERENCES content_tags (id),
    source varchar,
    confidence double precision,
    source_url varchar,
    source_excerpt text,
    extraction_method varchar,
    extra_data json,
    created_at timestamp
);
CREATE TABLE content_reports (
    id serial PRIMARY KEY,
    title_id integer NOT NULL REFERENCES titles (id),
    reported_by integer NOT NULL REFERENCES users (id),
    tag_id integer NOT NULL REFERENCES content_tags (id),
    season_number integer,
    episode_number integer,
    notes text,
    status varchar,
    reviewed_by integer REFERENCES users (id),
    reviewed_at timestamp,
    created_at timestamp
);
