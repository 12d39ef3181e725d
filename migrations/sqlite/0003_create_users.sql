-- Accounts, roles and what each user may see. Users sign in with ASP.NET Core Identity over these
-- tables (Dapper stores, no Entity Framework). A user is assigned schools and/or whole boroughs;
-- user_school_scope is the one place that answers "which schools may this user see".

CREATE TABLE roles (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    normalized_name  TEXT NOT NULL UNIQUE
);

INSERT INTO roles (id, name, normalized_name) VALUES
    (1, 'Administrator', 'ADMINISTRATOR'),
    (2, 'Referrer', 'REFERRER'),
    (3, 'Facilitator', 'FACILITATOR'),
    (4, 'YouthJusticeReviewer', 'YOUTHJUSTICEREVIEWER');

CREATE TABLE users (
    id                    TEXT PRIMARY KEY,
    email                 TEXT NOT NULL,
    normalized_email      TEXT NOT NULL UNIQUE,
    display_name          TEXT NOT NULL,
    password_hash         TEXT NULL,
    security_stamp        TEXT NOT NULL,
    concurrency_stamp     TEXT NOT NULL,
    lockout_end           TEXT NULL,
    lockout_enabled       INTEGER NOT NULL DEFAULT 1,
    access_failed_count   INTEGER NOT NULL DEFAULT 0,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    disabled_at           TEXT NULL,
    created_at            TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id  TEXT NOT NULL REFERENCES users (id),
    role_id  INTEGER NOT NULL REFERENCES roles (id),
    PRIMARY KEY (user_id, role_id)
);

CREATE TABLE user_schools (
    user_id    TEXT NOT NULL REFERENCES users (id),
    school_id  INTEGER NOT NULL REFERENCES schools (id),
    PRIMARY KEY (user_id, school_id)
);

CREATE TABLE user_boroughs (
    user_id     TEXT NOT NULL REFERENCES users (id),
    borough_id  INTEGER NOT NULL REFERENCES boroughs (id),
    PRIMARY KEY (user_id, borough_id)
);

CREATE INDEX ix_schools_borough ON schools (borough_id);

-- Every school a user may see: the schools assigned to them, and every school of their boroughs.
CREATE VIEW user_school_scope AS
    SELECT user_id, school_id FROM user_schools
    UNION
    SELECT ub.user_id, s.id AS school_id
    FROM user_boroughs AS ub
    JOIN schools AS s ON s.borough_id = ub.borough_id;

-- The one-time link that creates the first Administrator. Only a hash of the token is kept.
CREATE TABLE setup_tokens (
    token_hash  TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    used_at     TEXT NULL
);
