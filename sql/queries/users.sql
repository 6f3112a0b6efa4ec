-- name: insert_user
-- NULL when the email (compared case-insensitively) is taken.
INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id, email, created_at;

-- name: get_user_by_email
SELECT id, email, password_hash, created_at FROM users WHERE lower(email) = lower($1);

-- name: get_user
SELECT id, email, created_at FROM users WHERE id = $1;

-- name: update_password_hash
UPDATE users SET password_hash = $2 WHERE id = $1;
