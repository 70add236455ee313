import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { defaultConfig, parseConfig } from '../core/config.js';
import { rolesThatSee } from '../core/roles.js';
import { caught, expectKiinniError } from '../testing/errors.js';
import { tempDir } from '../testing/temp-dir.js';
import { factByName, loadRules, shippedRulesDir } from './index.js';

const shipped = (file: string) => parseYaml(readFileSync(path.join(shippedRulesDir(), file), 'utf8')) as Record<string, unknown>;

/** Loads the shipped rules plus one provider rule file built from `rule`. */
async function loadWith(rule: Record<string, unknown>) {
  const dir = tempDir({ 'own.yaml': stringify(rule) });
  return loadRules({ ...defaultConfig(), triggers: { rulesDir: dir, rules: {} } });
}

const base = shipped('unexcused-absences.yaml');

describe('trigger rules: loading and validation', () => {
  it('loads the shipped rules; each reads only facts its audience may see', async () => {
    const rules = await loadRules(defaultConfig());
    expect(rules.length).toBe(13);
    expect(new Set(rules.map((r) => r.family))).toEqual(new Set(['background', 'performance', 'wellbeing', 'model', 'help_request']));
    for (const r of rules) {
      const audience = rolesThatSee(r.visibility);
      for (const f of r.reads) for (const role of audience) expect(rolesThatSee(factByName.get(f)!.visibility), `${r.id} reads ${f}`).toContain(role);
    }
    // Welfare rules go to welfare roles only, and escalate only among them.
    for (const r of rules.filter((x) => x.family === 'wellbeing')) {
      expect(r.visibility).toBe('welfare');
      for (const role of [...r.roles, r.escalation!.to_role]) expect(['social_worker', 'psychologist', 'nurse']).toContain(role);
    }
  });

  it.each([
    [{ ...base, condition: 'unexcused_lesons_2w >= $min_lessons AND unexcused_share_2w >= $min_share' }, /rule unexcused_absences, field condition: .*unexcused_lesons_2w/],
    [{ ...base, condition: 'unexcused_lessons_2w >= $min_lessons AND AND unexcused_share_2w >= $min_share' }, /field condition: Parser Error/],
    [{ ...base, condition: 'unexcused_lessons_2w >= (SELECT count(*) FROM wellbeing)', params: {} }, /field condition: must be one predicate/],
    [{ ...base, message: { fi: 'x', en: 'y' } }, /field message.sv: /],
    [{ ...base, message: { fi: 'x', sv: 'y', en: '{wellbeing_recent} is low' } }, /field message.en: \{wellbeing_recent\} is not in evidence/],
    [{ ...base, next_step: { fi: 'x', sv: 'y', en: '{education_type, select, upper_secondary {a}} b' } }, /field next_step.en: not a valid message/],
    [{ ...base, id: 'own_rule' }, /rule own_rule, field title: missing: give it in fi, sv and en/],
    [{ ...base, condition: 'wellbeing_recent < $min_lessons', params: { min_lessons: 2 } }, /field visibility: the condition reads a fact that ordinary triggers may not use/],
    [{ ...base, visibility: 'welfare' }, /field roles: role group_supervisor may not see welfare triggers/],
    [{ ...base, evidence: ['risk_probability', 'lessons_2w', 'unexcused_lessons_2w'], message: { fi: '{risk_probability}', sv: 's', en: 'e' } }, /field message.fi: \{risk_probability\} may not be shown to group_supervisor/],
    [{ ...base, params: { min_lessons: 8 } }, /field condition: \$min_share has no value in params/],
    [{ ...base, evidence: ['no_such_fact'] }, /field evidence: unknown fact "no_such_fact"/],
    [{ ...base, severity: 'urgent' }, /rule unexcused_absences, field severity: /],
  ])('refuses a broken rule, naming the rule and the field (%#)', async (rule, message) => {
    expectKiinniError(await caught(() => loadWith(rule)), { code: 'CONFIG_INVALID', message });
  });

  it.each([
    'HELP_HEALTH_3D > 0',
    'Wellbeing_Recent < 2',
    '"wellbeing_recent" < 2',
    "COLUMNS('help_h.*') > 0",
    "COLUMNS('.*_3d') > 0",
  ])('#16.3 an ordinary rule cannot read a welfare fact, however it is written: %s', async (condition) => {
    expectKiinniError(await caught(() => loadWith({ ...base, condition, params: {} })), { code: 'CONFIG_INVALID', message: /field (visibility|condition)/ });
  });

  it('lets a provider replace a shipped rule, switch rules off and tune thresholds in its config', async () => {
    const own = tempDir({ 'absences.yaml': stringify({ ...base, params: { min_lessons: 4, min_share: 0.1 } }) });
    const config = parseConfig(
      stringify({ triggers: { rules_dir: own, rules: { wellbeing_low: { enabled: false }, credits_behind_plan: { params: { min_credits: 30 }, cooldown_days: 120 }, unexcused_absences: { escalation_after_days: 3 } } } }),
      path.join(own, 'kiinni.yaml'),
    );
    const rules = await loadRules(config);
    expect(rules.map((r) => r.id)).not.toContain('wellbeing_low');
    expect(rules.find((r) => r.id === 'unexcused_absences')).toMatchObject({ params: { min_lessons: 4, min_share: 0.1 }, escalation: { after_days: 3 } });
    expect(rules.find((r) => r.id === 'credits_behind_plan')).toMatchObject({ params: { min_credits: 30, min_share: 0.4 }, cooldown_days: 120 });
  });

  it('names the config key when the tuning is wrong', async () => {
    const tune = (rules: unknown) => loadRules(parseConfig(stringify({ triggers: { rules } }), '/etc/kiinni.yaml'));
    expectKiinniError(await caught(() => tune({ no_such_rule: { enabled: false } })), { code: 'CONFIG_INVALID', message: /\/etc\/kiinni.yaml: triggers.rules.no_such_rule: no trigger rule/ });
    expectKiinniError(await caught(() => tune({ unexcused_absences: { params: { min_lesons: 3 } } })), { code: 'CONFIG_INVALID', message: /triggers.rules.unexcused_absences.params.min_lesons: rule unexcused_absences has no such parameter \(it has: min_lessons, min_share\)/ });
    expectKiinniError(await caught(() => tune({ unexcused_absences: { params: { min_lessons: 'many' } } })), { code: 'CONFIG_INVALID', message: /params.min_lessons: expected a number/ });
    expectKiinniError(await caught(() => tune({ unexcused_absences: { cooldown: 3 } })), { code: 'CONFIG_INVALID', message: /triggers.rules.unexcused_absences.cooldown: unknown key/ });
  });
});

describe('next steps never send someone to themselves', () => {
  // How each role is named in a sentence (stems, so every inflection counts).
  const names: Record<string, Record<'fi' | 'sv' | 'en', RegExp>> = {
    nurse: { fi: /terveydenhoitaj/i, sv: /hälsovårdar/i, en: /nurse/i },
    social_worker: { fi: /kuraattor/i, sv: /kurator/i, en: /social worker/i },
    psychologist: { fi: /psykologi/i, sv: /psykolog/i, en: /psychologist/i },
    guidance_counsellor: { fi: /opinto-ohjaaj/i, sv: /studiehandledar/i, en: /guidance counsellor/i },
    special_needs_teacher: { fi: /erityisopettaj/i, sv: /(?<!eget )specialpedagogiskt stöd|speciallärar/i, en: /(?<!own )special-needs (support|teacher)/i },
  };
  it('words the shipped rules\' next step for each role it reaches without naming that role', async () => {
    const { renderMessage, readerRole } = await import('./rules.js');
    const rules = await loadRules(defaultConfig());
    for (const rule of rules) {
      for (const role of [...rule.roles, ...(rule.escalation ? [rule.escalation.to_role] : [])]) {
        for (const lang of ['fi', 'sv', 'en'] as const) {
          const text = renderMessage(rule.next_step[lang], { [readerRole]: role, education_type: 'vocational' }, lang);
          const self = names[role]?.[lang];
          if (self) expect(text, `${rule.id} to ${role} in ${lang}: ${text}`).not.toMatch(self);
        }
      }
    }
  });
});
