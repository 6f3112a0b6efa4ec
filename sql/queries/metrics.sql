-- name: generations_by_status
-- Generations by status, for the metrics scrape (the whole service).
SELECT status, count(*) AS n FROM generations GROUP BY status;

-- name: queue_depth
-- Pending generations and the age of the oldest, for the metrics scrape.
SELECT count(*) AS depth, extract(epoch FROM now() - min(created_at))::float8 AS oldest
FROM generations WHERE status = 'pending';
