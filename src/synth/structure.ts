import { languages } from '../core/vocabulary.js';
import type { Day } from './calendar.js';
import { formatDay } from './calendar.js';
import { familyNames, givenNames, programmes, units, type Programme } from './catalogue.js';
import { Random } from '../core/random.js';
import type { Language } from '../core/vocabulary.js';

/** One staff member of the imagined provider. */
export interface StaffMember {
  staffId: string;
  name: string;
  email: string;
  language: Language;
  roles: string[];
  unit: string | null;
}

/** A teaching group with its group supervisor. */
export interface Group {
  code: string;
  unit: string;
  programme: string;
  cohortYear: number;
  startMonday: Day;
  supervisorId: string;
  /** 1 in 20 groups changes supervisor in January of its first year. */
  secondSupervisorId: string | null;
  size: number;
}

/** Students per staff member, by role (caseloads as the issue describes). */
const caseload = { guidance_counsellor: 250, special_needs_teacher: 300, nurse: 700, social_worker: 550, psychologist: 800 } as const;
type PooledRole = keyof typeof caseload;
const GROUP_SIZE = 24;

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/**
 * Units, programmes, groups and staff of a provider sized for `students` students. Pools are
 * made up front; groups (and their supervisors) appear as students are generated, in order,
 * so the result is deterministic.
 */
export class ProviderStructure {
  readonly staff: StaffMember[] = [];
  /** A small provider has few units: about one unit per 2 500 students, between 2 and 8. */
  readonly units: readonly string[];
  readonly groups = new Map<string, Group>();
  private readonly pools = new Map<string, string[]>();
  private readonly teachers = new Map<string, string[]>();
  private readonly groupCounters = new Map<string, number>();
  private readonly rng: Random;

  constructor(readonly students: number, readonly seed: number) {
    this.rng = new Random(seed, 0x6709, 7);
    this.units = units.slice(0, Math.min(units.length, Math.max(2, Math.round(students / 2500))));
    const perUnit = this.expectedStudentsPerUnit();
    for (const unit of this.units) {
      const n = perUnit.get(unit) ?? 0;
      if (n === 0) continue;
      for (const role of Object.keys(caseload) as PooledRole[]) {
        const k = Math.max(1, Math.round(n / caseload[role]));
        this.pools.set(`${unit}/${role}`, Array.from({ length: k }, () => this.hire([role], unit)));
      }
      this.hire(['leadership'], unit);
      for (const p of programmes) {
        if (!this.unitsOf(p).includes(unit)) continue;
        this.teachers.set(`${unit}/${p.code}`, Array.from({ length: 3 }, () => this.hire(['teacher'], unit)));
      }
    }
    this.hire(['data_coordinator'], null);
    this.hire(['data_coordinator', 'leadership'], null);
  }

  /** Units where a programme is taught. */
  unitsOf(p: Programme): string[] {
    const j = programmes.indexOf(p);
    const n = this.units.length;
    const count = Math.min(n, p.educationType === 'vocational' ? 3 : p.code === 'yleislinja' ? 4 : p.code === 'luma' ? 2 : 1);
    return [...new Set(Array.from({ length: count }, (_, k) => this.units[(j * 3 + k * 2) % n]!))];
  }

  private expectedStudentsPerUnit(): Map<string, number> {
    const total = programmes.reduce((a, p) => a + p.weight, 0);
    const out = new Map<string, number>();
    for (const p of programmes) {
      const us = this.unitsOf(p);
      for (const u of us) out.set(u, (out.get(u) ?? 0) + (this.students * p.weight) / total / us.length);
    }
    return out;
  }

  private hire(roles: string[], unit: string | null): string {
    const n = this.staff.length + 1;
    const r = new Random(this.seed, 0x57aff, n);
    const given = r.pick(givenNames);
    const family = r.pick(familyNames);
    const staffId = `H${String(n).padStart(5, '0')}`;
    const language = r.pick(languages, [88, 6, 6]);
    this.staff.push({ staffId, name: `${given} ${family}`, email: `${ascii(given)}.${ascii(family)}.${n}@example.fi`, language, roles, unit });
    return staffId;
  }

  /** The group a new student of (unit, programme, cohort) joins: groups fill up to 24. */
  groupFor(unit: string, p: Programme, cohortYear: number, startMonday: Day): Group {
    const key = `${unit}/${p.code}/${cohortYear}`;
    const n = this.groupCounters.get(key) ?? 0;
    this.groupCounters.set(key, n + 1);
    const letter = String.fromCharCode(65 + Math.floor(n / GROUP_SIZE) % 26) + (n >= GROUP_SIZE * 26 ? String(Math.floor(n / (GROUP_SIZE * 26))) : '');
    const code = `${unit.slice(0, 3).toUpperCase()}-${p.code.slice(0, 4).toUpperCase()}${String(cohortYear % 100).padStart(2, '0')}${letter}`;
    let group = this.groups.get(code);
    if (!group) {
      const supervisorId = this.hire(['teacher', 'group_supervisor'], unit);
      const secondSupervisorId = this.rng.chance(0.05) ? this.hire(['teacher', 'group_supervisor'], unit) : null;
      group = { code, unit, programme: p.code, cohortYear, startMonday, supervisorId, secondSupervisorId, size: 0 };
      this.groups.set(code, group);
    }
    group.size++;
    return group;
  }

  /** A staff member of a pooled role at a unit, chosen stably by `key`. */
  pooled(unit: string, role: PooledRole, key: number): string {
    const pool = this.pools.get(`${unit}/${role}`)!;
    return pool[key % pool.length]!;
  }

  /** Group-level assignments (supervisor, teachers, welfare roles, special-needs teacher). */
  groupAssignmentRows(): (string | null)[][] {
    const rows: (string | null)[][] = [];
    let k = 0;
    for (const g of this.groups.values()) {
      const from = formatDay(g.startMonday - 7);
      if (g.secondSupervisorId) {
        const change = `${g.cohortYear + 1}-01-01`;
        const lastDay = formatDay(Date.parse(change + 'T00:00:00Z') / 86_400_000 - 1);
        rows.push([g.supervisorId, 'group_supervisor', null, g.code, from, lastDay]);
        rows.push([g.secondSupervisorId, 'group_supervisor', null, g.code, change, null]);
      } else {
        rows.push([g.supervisorId, 'group_supervisor', null, g.code, from, null]);
      }
      for (const t of this.teachers.get(`${g.unit}/${g.programme}`) ?? []) rows.push([t, 'teacher', null, g.code, from, null]);
      for (const role of ['nurse', 'social_worker', 'psychologist', 'special_needs_teacher'] as const) {
        rows.push([this.pooled(g.unit, role, k), role, null, g.code, from, null]);
      }
      k++;
    }
    return rows;
  }
}
