/**
 * Routing of open triggers to a staff member, as of `$as_of`, in order of preference:
 * 1. `student`: an assignment of someone in the trigger's role to this student;
 * 2. `group`: an assignment of someone in the role to the student's group;
 * 3. `pool`: a staff member with the role whose home unit is the student's unit (the same
 *    student always lands on the same pool member);
 * 4. `none`: nobody: a routing gap, kept open and reported, never dropped.
 * Ties within a level go to the lowest staff_id, so routing is deterministic.
 */
export function routeOpenTriggersSql(table: string, opts: { oneTrigger?: boolean } = {}): string {
  // oneTrigger: only the trigger `$trigger_id` (a hand-over from the workspace), not every open one.
  return `
  CREATE OR REPLACE TEMP TABLE ${table} AS
  WITH t AS (
    SELECT t.trigger_id, t.student_id, t.role, s.unit, s."group" AS student_group
    FROM triggers t JOIN students s USING (student_id) WHERE t.status = 'open'${opts.oneTrigger ? ' AND t.trigger_id = $trigger_id' : ''}
  ),
  live AS (
    SELECT * FROM assignments a WHERE a.valid_from <= $as_of::DATE AND (a.valid_to IS NULL OR a.valid_to >= $as_of::DATE)
  ),
  -- Two equi-joins rather than one join on (student OR group): that would be a nested loop.
  candidates AS (
    SELECT t.trigger_id, a.staff_id, 1 AS preference, 'student' AS routed_via, 0::UBIGINT AS spread
    FROM t JOIN live a ON a.role = t.role AND a.student_id = t.student_id
    UNION ALL
    SELECT t.trigger_id, a.staff_id, 2, 'group', 0::UBIGINT
    FROM t JOIN live a ON a.role = t.role AND a."group" = t.student_group
    UNION ALL
    SELECT t.trigger_id, st.staff_id, 3, 'pool', hash(t.student_id || '|' || st.staff_id)
    FROM t JOIN staff st ON st.unit = t.unit AND list_contains(st.roles, t.role)
  ),
  best AS (
    SELECT trigger_id, staff_id, routed_via,
      row_number() OVER (PARTITION BY trigger_id ORDER BY preference, spread, staff_id) AS k
    FROM candidates
  )
  SELECT t.trigger_id, b.staff_id, coalesce(b.routed_via, 'none') AS routed_via
  FROM t LEFT JOIN best b ON b.trigger_id = t.trigger_id AND b.k = 1`;
}
