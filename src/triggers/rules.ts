import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import type { Config } from '../core/config.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { rolesThatSee, staffRoles, visibilityClasses, type StaffRole, type Visibility } from '../core/roles.js';
import { Warehouse } from '../db/warehouse.js';
import { factByName, facts, factsRead, factsSchemaDdl, factsViewName, factsViewsSql, factsVisibleTo, predicateBindProblem, predicateShapeProblem, triggerFamilies, type TriggerFamily } from './facts.js';

import { languages, type Language } from '../core/vocabulary.js';
import { catalogueText, formatDecimal, formatMessage, messageArguments, messageProblem, valueWord } from '../i18n/index.js';

export { languages, type Language };
const text = z.strictObject({ fi: z.string().min(1), sv: z.string().min(1), en: z.string().min(1) });
const role = z.enum(staffRoles);

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a lower-case id like unexcused_absences'),
  family: z.enum(triggerFamilies),
  title: text.optional(),
  description: z.string().min(1),
  condition: z.string().min(1),
  params: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.union([z.number(), z.string(), z.boolean()])).default({}),
  roles: z.array(role).min(1),
  visibility: z.enum(visibilityClasses),
  severity: z.enum(['low', 'medium', 'high']),
  cooldown_days: z.number().int().min(0).max(365),
  expires_after_days: z.number().int().min(1).max(365),
  escalation: z.strictObject({ after_days: z.number().int().min(1).max(90), to_role: role }).optional(),
  evidence: z.array(z.string()).default([]),
  message: text.optional(),
  next_step: text.optional(),
});

/** A trigger rule (herätesääntö), loaded from models/triggers/*.yaml and tuned by the config. */
export interface TriggerRule {
  id: string;
  family: TriggerFamily;
  title: Record<Language, string>;
  description: string;
  /** A DuckDB predicate over the student facts of src/triggers/facts.ts; `$name` are params. */
  condition: string;
  params: Record<string, number | string | boolean>;
  /** One trigger per target role. */
  roles: StaffRole[];
  /** Who may learn that the trigger exists at all. */
  visibility: Visibility;
  severity: 'low' | 'medium' | 'high';
  /** After a trigger is resolved, the same rule does not fire for the student for this long. */
  cooldown_days: number;
  /** An open trigger whose condition has not held for this many days expires. */
  expires_after_days: number;
  escalation: { after_days: number; to_role: StaffRole } | undefined;
  /** Facts stored with the trigger and usable as `{name}` in messages. */
  evidence: string[];
  message: Record<Language, string>;
  /** The suggested next step from the support framework (tukirunko), shown in digests. */
  next_step: Record<Language, string>;
  /** Facts the condition reads. */
  reads: string[];
  file: string;
}

/** The shipped rules folder. */
export function shippedRulesDir(): string {
  return path.join(packageRoot(), 'models', 'triggers');
}

function fail(file: string, id: string | undefined, field: string, message: string): never {
  throw new KiinniError(
    ErrorCode.ConfigInvalid,
    `${file}: ${id ? `rule ${id}, ` : ''}field ${field}: ${message}`,
    "Fix the rule file, or list valid facts with 'kiinni triggers rules --facts'.",
  );
}

/** Parses one rule file (schema only; `checkRules` does the rest). */
export function parseRuleFile(file: string): TriggerRule {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new KiinniError(ErrorCode.ConfigInvalid, `${file}${where}: not valid YAML.`, undefined, { cause: err });
  }
  const r = ruleSchema.safeParse(doc);
  const id = typeof (doc as { id?: unknown })?.id === 'string' ? (doc as { id: string }).id : undefined;
  if (!r.success) {
    const i = r.error.issues[0]!;
    fail(file, id, i.path.join('.') || '(top level)', `${i.message}.`);
  }
  const reads = factsRead(r.data.condition);
  // The shipped rules' words live in the message catalogue (rule.<id>.title …); a provider's own
  // rule may carry its own, in all three languages.
  const words = (field: 'title' | 'message' | 'next_step') =>
    r.data[field] ?? catalogueText(`rule.${r.data.id}.${field}`) ?? fail(file, r.data.id, field, 'missing: give it in fi, sv and en (the message catalogue has no text for this rule id).');
  return { ...r.data, title: words('title'), message: words('message'), next_step: words('next_step'), escalation: r.data.escalation, reads, file };
}

/** Checks what a schema cannot: facts, placeholders, visibility against roles. */
function checkRuleStatic(rule: TriggerRule): void {
  const { file, id } = rule;
  const shape = predicateShapeProblem(rule.condition);
  if (shape) fail(file, id, 'condition', shape);
  for (const e of rule.evidence) if (!factByName.has(e)) fail(file, id, 'evidence', `unknown fact "${e}".`);
  const targets = [...rule.roles, ...(rule.escalation ? [rule.escalation.to_role] : [])];
  const cleared = rolesThatSee(rule.visibility) as readonly string[];
  for (const r of targets) {
    if (!cleared.includes(r)) fail(file, id, rule.escalation?.to_role === r && !rule.roles.includes(r) ? 'escalation.to_role' : 'roles', `role ${r} may not see ${rule.visibility} triggers.`);
  }
  // What the condition reads is decided by binding it (checkConditionsBind). Evidence is stored
  // whole and cut per reader by the trigger views; the message may name only what every target sees.
  for (const field of ['title', 'message', 'next_step'] as const) {
    for (const lang of languages) {
      const where = `${field}.${lang}`;
      const problem = messageProblem(rule[field][lang]);
      if (problem) fail(file, id, where, `not a valid message (${problem}).`);
      for (const name of messageArguments(rule[field][lang])) {
        // {role}: the role of the person reading (for wording that never sends someone to themselves).
        if (name === readerRole) continue;
        if (!rule.evidence.includes(name)) fail(file, id, where, `{${name}} is not in evidence.`);
        const allowed = rolesThatSee(factByName.get(name)!.visibility) as readonly string[];
        for (const r of targets) if (!allowed.includes(r)) fail(file, id, where, `{${name}} may not be shown to ${r}.`);
      }
    }
  }
  const used = new Set([...rule.condition.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!));
  for (const p of used) if (!(p in rule.params)) fail(file, id, 'condition', `$${p} has no value in params.`);
  for (const p of Object.keys(rule.params)) if (!used.has(p)) fail(file, id, `params.${p}`, 'not used by the condition.');
}

/**
 * Binds every condition against an empty facts table (unknown columns and bad SQL fail here),
 * then against the view of its visibility class: a condition that reads a fact its triggers'
 * readers may not see fails to bind, however it names the fact.
 */
async function checkConditionsBind(rules: readonly TriggerRule[]): Promise<void> {
  const db = await Warehouse.open(':memory:');
  try {
    await db.run(factsSchemaDdl('_facts_check'));
    for (const sql of factsViewsSql('_facts_check')) await db.run(sql);
    for (const rule of rules) {
      const problem = await predicateBindProblem(db, '_facts_check', rule.condition, rule.params);
      if (problem) fail(rule.file, rule.id, 'condition', problem);
      const narrow = await predicateBindProblem(db, factsViewName('_facts_check', rule.visibility), rule.condition, rule.params);
      if (narrow) {
        const hidden = facts.filter((x) => !factsVisibleTo(rule.visibility).includes(x)).map((x) => x.name);
        fail(rule.file, rule.id, 'visibility', `the condition reads a fact that ${rule.visibility} triggers may not use (${narrow}); facts beyond ${rule.visibility}: ${hidden.join(', ')}.`);
      }
    }
  } finally {
    db.close();
  }
}

/**
 * Loads the shipped rules and the provider's own (config `triggers.rules_dir`; a rule there with
 * a shipped id replaces it), applies the config's switches and thresholds, and validates all.
 * Errors name the file, the rule and the field.
 */
export async function loadRules(config: Config, dirs: readonly string[] = [shippedRulesDir()]): Promise<TriggerRule[]> {
  const byId = new Map<string, TriggerRule>();
  const allDirs = [...dirs, ...(config.triggers.rulesDir ? [config.triggers.rulesDir] : [])];
  for (const dir of allDirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
    } catch (err) {
      throw new KiinniError(ErrorCode.ConfigInvalid, `Cannot read the trigger rules folder ${dir}.`, 'Check triggers.rules_dir in the config.', { cause: err });
    }
    const here = new Set<string>();
    for (const name of files) {
      const rule = parseRuleFile(path.join(dir, name));
      if (here.has(rule.id)) fail(rule.file, rule.id, 'id', 'another rule file in the same folder has this id.');
      here.add(rule.id);
      byId.set(rule.id, rule);
    }
  }
  const where = config.source ?? 'config';
  for (const [id, tune] of Object.entries(config.triggers.rules)) {
    const rule = byId.get(id);
    if (!rule) throw new KiinniError(ErrorCode.ConfigInvalid, `${where}: triggers.rules.${id}: no trigger rule has this id.`, "List rules with 'kiinni triggers rules'.");
    if (tune.enabled === false) {
      byId.delete(id);
      continue;
    }
    for (const [p, v] of Object.entries(tune.params ?? {})) {
      if (!(p in rule.params)) throw new KiinniError(ErrorCode.ConfigInvalid, `${where}: triggers.rules.${id}.params.${p}: rule ${id} has no such parameter (it has: ${Object.keys(rule.params).join(', ') || 'none'}).`);
      if (typeof v !== typeof rule.params[p]) throw new KiinniError(ErrorCode.ConfigInvalid, `${where}: triggers.rules.${id}.params.${p}: expected a ${typeof rule.params[p]}.`);
      rule.params[p] = v;
    }
    if (tune.cooldown_days !== undefined) rule.cooldown_days = tune.cooldown_days;
    if (tune.escalation_after_days !== undefined) {
      if (!rule.escalation) throw new KiinniError(ErrorCode.ConfigInvalid, `${where}: triggers.rules.${id}.escalation_after_days: rule ${id} has no escalation.`);
      rule.escalation.after_days = tune.escalation_after_days;
    }
  }
  const rules = [...byId.values()].sort((a, b) => triggerFamilies.indexOf(a.family) - triggerFamilies.indexOf(b.family) || a.id.localeCompare(b.id));
  for (const rule of rules) checkRuleStatic(rule);
  await checkConditionsBind(rules);
  return rules;
}

/** The argument a rule text may use for the reader's role (`{role, select, nurse {…} other {…}}`). */
export const readerRole = 'role';

/** Facts whose value is a code the reader should see in words (`value.<kind>.<code>`). */
const codedFacts: Readonly<Record<string, 'item'>> = { lowest_item_30d: 'item' };

/**
 * A rule text in a language (ICU message) with its `{fact}` arguments filled from the evidence:
 * numbers with the language's decimal mark, coded facts in words; `select` arguments (such as
 * `{education_type, select, …}`) get the code itself.
 */
export function renderMessage(template: string, evidence: Record<string, unknown>, lang: Language): string {
  const values: Record<string, string> = {};
  for (const name of messageArguments(template)) values[name] = formatValue(name, evidence[name], lang);
  return formatMessage(lang, template, values);
}

function formatValue(name: string, v: unknown, lang: Language): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return formatDecimal(lang, Number.isInteger(v) ? String(v) : v.toFixed(v < 1 && v > -1 ? 2 : 1));
  const kind = codedFacts[name];
  return kind ? valueWord(lang, kind, String(v)) : String(v);
}
