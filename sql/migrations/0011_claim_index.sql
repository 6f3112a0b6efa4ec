-- The fair claim (claim_pending) ranks only each user's first queued generations: it finds the
-- users with something queued by a loose index scan and each one's oldest rows by this index, so
-- a claim costs about the same with 100,000 queued generations as with 1,000 (docs/performance.md).
CREATE INDEX generations_pending_user_idx ON generations (user_id, created_at, id) WHERE status = 'pending';
