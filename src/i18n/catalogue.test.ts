import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import { staffRoles } from '../core/roles.js';
import { interventionScopes, interventionTypes, languages, riskBands, severities, wellbeingItems } from '../core/vocabulary.js';
import { loadBottlenecks } from '../checkins/index.js';
import { loadCatalogue } from '../features/index.js';
import { studentTables } from '../privacy/index.js';
import { contractKinds } from '../ingest/index.js';
import { intakeFactors, keyMetrics } from '../report/index.js';
import { repoRoot } from '../testing/cli.js';
import { withWarehouse } from '../testing/warehouse.js';
import { loadRules, resolutionOutcomes, triggerStatuses } from '../triggers/index.js';
import { catalogues, formatDate, formatMessage, messageArguments, messageProblem, msg } from './index.js';

/** Every non-test TypeScript file under src/, as text. */
function sources(dir = path.join(repoRoot, 'src')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return n === 'messages' ? [] : sources(p);
    return n.endsWith('.ts') && !n.endsWith('.test.ts') ? [readFileSync(p, 'utf8')] : [];
  });
}

const keys = Object.keys(catalogues.en);

describe('message catalogue', () => {
  it('has the same keys in fi, sv and en, each a valid ICU message with the same arguments', () => {
    for (const lang of languages) {
      expect(Object.keys(catalogues[lang]).sort(), lang).toEqual([...keys].sort());
      for (const key of keys) {
        const text = catalogues[lang][key as keyof (typeof catalogues)['en']];
        expect(text.trim(), `${lang} ${key} is empty`).not.toBe('');
        expect(messageProblem(text), `${lang} ${key}`).toBeNull();
        expect(messageArguments(text).sort(), `${lang} ${key}: arguments differ from en`).toEqual(messageArguments(catalogues.en[key as keyof (typeof catalogues)['en']]).sort());
      }
    }
  });

  it('has no unused key and misses no key the code asks for', async () => {
    const code = sources().join('\n');
    const rules = await loadRules(defaultConfig());
    const checkins = await loadBottlenecks();
    // Keys built from a code: the code lists are the owned vocabulary and the shipped models.
    const families: Record<string, readonly string[]> = {
      'value.status.': triggerStatuses,
      'value.severity.': severities,
      'value.band.': riskBands,
      'value.outcome.': resolutionOutcomes,
      'value.role.': staffRoles,
      'value.intervention.': interventionTypes,
      'value.scope.': interventionScopes,
      'value.item.': [...wellbeingItems, ...Object.values(checkins.question_sets).flatMap((s) => s.questions.filter((q) => q.answer === 'scale_1_5').map((q) => q.id))],
      'rule.': rules.flatMap((r) => ['title', 'message', 'next_step'].map((f) => `${r.id}.${f}`)),
      'feature.': loadCatalogue().flatMap((f) => [`${f.name}.description`, ...(f.reason ? [`${f.name}.reason`] : [])]),
      'question.': [...new Set(Object.values(checkins.question_sets).flatMap((s) => s.questions.map((q) => q.id)))],
      'bottleneck.': checkins.bottlenecks.map((b) => `${b.id}.title`),
      // The subject-access export's sections: every table with a student_id, its trigger history, and quarantined rows.
      'privacy.section.': [...(await withWarehouse((db) => studentTables(db))), 'trigger_events', 'quarantine'],
      // The report's words for codes in its cells.
      'report.value.education_type.': ['vocational', 'upper_secondary'],
      'report.value.family.': [...new Set(rules.map((r) => r.family))],
      'report.value.question_set.': Object.keys(checkins.question_sets),
      'report.value.kind.': contractKinds,
      'report.col.': intakeFactors.map((f) => `${f}_share`),
      'report.kf.': keyMetrics.flatMap((m) => [m, `${m}.means`]),
    };
    const fromFamilies = new Set(Object.entries(families).flatMap(([prefix, codes]) => codes.map((c) => prefix + c)));
    // Keys named by a table name the renderer writes literally.
    const reportCode = readFileSync(path.join(repoRoot, 'src/report/render.ts'), 'utf8');
    // Report keys named by a code the report's own code writes literally (a table, a column, a group of an estimate, …).
    const reportSources = readdirSync(path.join(repoRoot, 'src/report')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => readFileSync(path.join(repoRoot, 'src/report', f), 'utf8')).join('\n') + reportCode;
    const usedByName = (key: string) =>
      (key.startsWith('report.table.') || key.startsWith('report.col.') || key.startsWith('report.value.')) && (reportSources.includes(`'${key.slice(key.lastIndexOf('.') + 1)}'`) || code.includes(`'${key.slice(key.lastIndexOf('.') + 1)}'`));
    const unused = keys.filter((k) => !fromFamilies.has(k) && !code.includes(`'${k}'`) && !usedByName(k));
    expect(unused, 'keys no code uses').toEqual([]);
    const missing = [...fromFamilies].filter((k) => !keys.includes(k));
    expect(missing, 'codes without words').toEqual([]);
    const asked = [...code.matchAll(/'((?:term|action|value|web|digest|report|mail|privacy|trigger)\.[a-z_]+(?:\.[a-z_]+)*)'/g)].map((m) => m[1]!).filter((k) => !/\.(html|json|csv|md|txt|eml|parquet)$/.test(k));
    expect([...new Set(asked)].filter((k) => !keys.includes(k)), 'keys the code asks for that the catalogue lacks').toEqual([]);
  });

  it('writes plurals, dates and numbers the way each language does', () => {
    expect(msg('fi', 'digest.subject', { date: formatDate('fi', '2026-05-31'), students: 1, fresh: 2 })).toBe('kiinni 31.5.2026: 1 opiskelija, 2 uutta herätettä');
    expect(msg('sv', 'digest.subject', { date: formatDate('sv', '2026-05-31'), students: 3, fresh: 1 })).toBe('kiinni 31.5.2026: 3 studerande, 1 ny signal');
    expect(msg('en', 'term.open_for', { days: 0 })).toBe('opened today');
    expect(msg('en', 'term.open_for', { days: 1 })).toBe('open for 1 day');
  });

  it('never sends a reader to themselves: a rule\'s words for each role it reaches do not name that role as where to go', async () => {
    // The Finnish genitive is how a text sends someone to a professional ("terveydenhoitajan vastaanotolle", "kuraattorin kanssa").
    const genitive: Partial<Record<string, string>> = { nurse: 'terveydenhoitajan', social_worker: 'kuraattorin', psychologist: 'psykologin', guidance_counsellor: 'opinto-ohjaajan', special_needs_teacher: 'erityisopettajan', group_supervisor: 'ryhmänohjaajan' };
    const found: string[] = [];
    for (const rule of await loadRules(defaultConfig())) {
      for (const role of new Set([...rule.roles, ...(rule.escalation ? [rule.escalation.to_role] : [])])) {
        for (const field of ['message', 'next_step'] as const) {
          const template = rule[field].fi;
          const args = Object.fromEntries(messageArguments(template).map((a) => [a, a === 'role' ? role : a === 'education_type' ? 'vocational' : '1']));
          const text = formatMessage('fi', template, args);
          const own = genitive[role];
          if (own && text.toLowerCase().includes(own)) found.push(`${rule.id}.${field} for ${role}: ${text}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('names credits by education type: osaamispiste for vocational, opintopiste for lukio', () => {
    const args = { credits_planned_by_now: 60, credits_earned: 20, credits_behind: 40 };
    expect(msg('fi', 'rule.credits_behind_plan.message', { ...args, education_type: 'vocational' })).toContain('60 osaamispistettä');
    expect(msg('fi', 'rule.credits_behind_plan.message', { ...args, education_type: 'upper_secondary' })).toContain('60 opintopistettä');
    expect(msg('sv', 'rule.no_credits_60d.message', { credits_planned_60d: 15, days_since_credit: 70, education_type: 'upper_secondary' })).toContain('15 studiepoäng');
    expect(msg('sv', 'rule.no_credits_60d.message', { credits_planned_60d: 15, days_since_credit: 70, education_type: 'vocational' })).toContain('15 kompetenspoäng');
    for (const lang of languages) expect(Object.values(catalogues[lang]).join('\n')).not.toMatch(/osaamispistettä tai opintopistettä|kompetenspoäng eller studiepoäng/);
  });

  it('uses one word for one thing: the terms fixed by a native read stay fixed', () => {
    const all = (lang: 'fi' | 'sv') => Object.values(catalogues[lang]).join('\n');
    for (const bad of [/luvat(on|toma)/i, /negatiivinen ero/i, /apua terveyteen/, /tarkistuskysely/i, /kiinniin/, /eteenpäin ohjauksen/]) expect(all('fi')).not.toMatch(bad);
    for (const bad of [/olovlig/i, /ogiltig frånvaro/i, /Bakom den/, /vidarebefordran\)/, /inte ditt att se/, /'Allvar'/, /flaskhals/i]) expect(all('sv')).not.toMatch(bad);
    expect(msg('fi', 'term.severity')).toBe('Vakavuus');
    expect(msg('sv', 'term.severity')).toBe('Allvarlighetsgrad');
  });
});

describe('display names', () => {
  it('names a programme or unit in the reader\'s language, falling back to Finnish, then to its code', async () => {
    const { displayName } = await import('./index.js');
    const names = { ict: { fi: 'Tieto- ja viestintätekniikka', sv: 'Informations- och kommunikationsteknik' }, lukio: 'Lukio' };
    expect(displayName(names, 'sv', 'ict')).toBe('Informations- och kommunikationsteknik');
    expect(displayName(names, 'en', 'ict')).toBe('Tieto- ja viestintätekniikka');
    expect(displayName(names, 'en', 'lukio')).toBe('Lukio');
    expect(displayName(names, 'fi', 'sahko')).toBe('sahko');
    expect(displayName(names, 'fi', null)).toBeNull();
  });
});
