-- name: ping
-- The health check's one round trip.
SELECT 1;
