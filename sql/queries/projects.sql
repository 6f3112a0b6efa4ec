-- name: list_projects
-- updated_at: when the project was last active, its newest generation included (0003_project_activity).
-- Most recently active first, keyset-paginated on (updated_at, id): $2 rows, $3/$4 the cursor.
SELECT * FROM (
    SELECT p.id, p.name, p.domain, p.description, p.created_at,
           greatest(p.updated_at, counted.newest) AS updated_at, counted.generation_count
    FROM projects p
    CROSS JOIN LATERAL (
        SELECT count(*) AS generation_count, max(g.created_at) AS newest FROM generations g WHERE g.project_id = p.id
    ) AS counted
    WHERE p.user_id = $1
) AS listed
WHERE $3::timestamptz IS NULL OR (listed.updated_at, listed.id) < ($3, $4::uuid)
ORDER BY listed.updated_at DESC, listed.id DESC
LIMIT $2;

-- name: insert_project
INSERT INTO projects (id, user_id, name, domain, description) VALUES ($1, $2, $3, $4, $5)
RETURNING id, name, domain, description, created_at, updated_at, 0::bigint AS generation_count;

-- name: get_project
-- The same projection as list_projects, written out in both on purpose: each query reads whole here,
-- and tests/test_api_projects.py checks that a project's activity (updated_at) reads the same from both.
SELECT p.id, p.name, p.domain, p.description, p.created_at,
       greatest(p.updated_at, counted.newest) AS updated_at, counted.generation_count
FROM projects p
CROSS JOIN LATERAL (
    SELECT count(*) AS generation_count, max(g.created_at) AS newest FROM generations g WHERE g.project_id = p.id
) AS counted
WHERE p.id = $1 AND p.user_id = $2;

-- name: list_project_generations
SELECT g.id, g.status, g.prompt, g.generation_mode, g.is_iteration, g.parent_generation_id,
       g.stage, g.progress, g.message, g.error_message, g.created_at, g.completed_at, g.updated_at,
       codegen_requirement_counts(g.requirements) AS requirement_counts
FROM generations g
WHERE g.project_id = $1
ORDER BY g.created_at DESC, g.id DESC;

-- name: delete_project
DELETE FROM projects WHERE id = $1 AND user_id = $2 RETURNING id;
