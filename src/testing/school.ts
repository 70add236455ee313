import type { Warehouse } from '../db/warehouse.js';
import { ident } from '../db/sql.js';
import { contracts, type ContractKind } from '../ingest/index.js';

export type Value = string | number | boolean | null | string[];

/**
 * Inserts hand-built rows into a contract table (as if ingested), for tests about a few rows.
 * Missing optional columns are NULL.
 */
export async function insertRows(db: Warehouse, kind: ContractKind, rows: readonly Record<string, Value>[]): Promise<void> {
  const columns = contracts[kind].columns;
  for (const row of rows) {
    const names = columns.map((c) => c.name);
    const params: Record<string, string | number | boolean | null> = {};
    const values = columns.map((c, i) => {
      const v = row[c.name];
      params[`p${i}`] = v === undefined || v === null ? null : Array.isArray(v) ? v.join('|') : v;
      if (c.type === 'string_list') return `string_split($p${i}, '|')`;
      return `$p${i}`;
    });
    await db.run(`INSERT INTO ${ident(kind)} (${names.map(ident).join(', ')}, _ingest_id) VALUES (${values.join(', ')}, 'test')`, params);
  }
}

/** A student row with sensible defaults: a vocational student in unit Pasila, group G1. */
export function student(id: string, over: Record<string, Value> = {}): Record<string, Value> {
  return {
    student_id: id, unit: 'Pasila', programme: 'sahko', education_type: 'vocational', group: 'G1', study_right_start: '2025-08-11', planned_end: '2028-05-31',
    birth_year: 2009, gender: 'female', home_language: 'fi', admission_route: 'joint', first_choice: true, prior_gpa: 8.0,
    prior_special_support: 'none', prior_interruptions: 0, lives_independently: false, ...over,
  };
}

/** Roles staffed by the small test school: one person per role, all assigned to group G1. */
export const schoolStaff: Record<string, string> = {
  teacher: 'H-TEACH',
  group_supervisor: 'H-SUPER',
  guidance_counsellor: 'H-COUNS',
  special_needs_teacher: 'H-SPECIAL',
  social_worker: 'H-SOCIAL',
  psychologist: 'H-PSYCH',
  nurse: 'H-NURSE',
  data_coordinator: 'H-DATA',
  leadership: 'H-LEAD',
};

/**
 * A small school: students (each started, with a `started` event), one staff member per role
 * with a group assignment for G1 (coordinator and leadership have no assignment).
 */
export async function buildSchool(db: Warehouse, studentRows: readonly Record<string, Value>[]): Promise<void> {
  await insertRows(db, 'staff', Object.entries(schoolStaff).map(([role, id]) => ({ staff_id: id, name: `Staff ${role}`, email: `${role}@example.fi`, language: 'fi', roles: [role], unit: null })));
  await insertRows(db, 'students', studentRows);
  await insertRows(db, 'study_right_events', studentRows.map((s) => ({ student_id: s['student_id']!, date: s['study_right_start']!, event: 'started', reason: null })));
  await insertRows(
    db,
    'assignments',
    Object.entries(schoolStaff)
      .filter(([role]) => role !== 'data_coordinator' && role !== 'leadership')
      .map(([role, id]) => ({ staff_id: id, role, student_id: null, group: 'G1', valid_from: '2025-08-01', valid_to: null })),
  );
}
