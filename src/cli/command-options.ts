/**
 * Every command's options, declared once: the flag and its help for commander, and the zod
 * schema that types, validates and defaults the value. `declareOptions` derives commander's
 * choices, defaults and mandatory flags from the schema; the command parses with `schemaOf`.
 * Light imports only (the CLI builds its command tree from this before loading any stage).
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { isoDateSchema } from '../core/dates.js';
import { languages, resolutionOutcomes } from '../core/vocabulary.js';

export interface CliOption<T extends z.ZodType = z.ZodType> {
  flags: string;
  description: string;
  schema: T;
}
type Options = Record<string, CliOption>;

/** One option: `--as-of <date>`, its help, its schema. */
export const option = <T extends z.ZodType>(flags: string, description: string, schema: T): CliOption<T> => ({ flags, description, schema });

/** The zod object a command parses its options with. */
export function schemaOf<O extends Options>(opts: O): z.ZodObject<{ [K in keyof O]: O[K]['schema'] }> {
  return z.object(Object.fromEntries(Object.entries(opts).map(([k, o]) => [k, o.schema]))) as z.ZodObject<{ [K in keyof O]: O[K]['schema'] }>;
}

const camel = (flags: string) => /--(?:no-)?([a-z0-9-]+)/.exec(flags)![1]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Adds the options to a commander command, with choices, default and mandatory taken from each schema. */
export function declareOptions(cmd: Command, opts: Options): Command {
  for (const [key, o] of Object.entries(opts)) {
    if (camel(o.flags) !== key) throw new Error(`option ${o.flags} is declared under the key ${key}`);
    const opt = new Option(o.flags, o.description);
    const inner = unwrap(o.schema);
    if (inner instanceof z.ZodEnum) opt.choices(inner.options.map(String));
    const empty = o.schema.safeParse(undefined);
    if (!empty.success) opt.makeOptionMandatory();
    else if (empty.data !== undefined && !o.flags.startsWith('--no-')) opt.default(empty.data);
    if (inner instanceof z.ZodArray) opt.argParser((v: string, prev: unknown) => [...((prev as string[] | undefined) ?? []), v]);
    cmd.addOption(opt);
  }
  return cmd;
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur: z.ZodType = s;
  for (;;) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable) cur = cur.unwrap() as z.ZodType;
    else return cur;
  }
}

const date = isoDateSchema;
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const lang = z.enum(languages);
const asOf = (what: string) => option('--as-of <date>', what, date.optional());
const limit = (n: number, max = 1_000_000) => option('--limit <n>', 'at most this many', count(1, max).default(n));

export const commandOptions = {
  ingest: {
    dir: option('--dir <dir>', 'load every <kind>.csv|parquet|jsonl in a directory, in dependency order', z.string().min(1).optional()),
    profile: option('--profile <name>', 'import profile (name or .yaml path); repeat for several kinds with --dir', z.array(z.string().min(1)).optional()),
    failOnQuarantine: option('--fail-on-quarantine', 'exit with code 3 when any row was quarantined', z.boolean().optional()),
  },
  quarantineList: {
    kind: option('--kind <kind>', 'only this contract kind', z.string().optional()),
    file: option('--file <name>', 'only this file name', z.string().optional()),
    limit: limit(200),
  },
  quarantineExport: {
    out: option('--out <file>', 'CSV file to write', z.string().min(1)),
    kind: option('--kind <kind>', 'only this contract kind', z.string().optional()),
    file: option('--file <name>', 'only this file name', z.string().optional()),
  },
  backup: {
    keep: option('--keep <n>', 'backups to keep (default warehouse.backups_kept, 7)', count(1, 365).optional()),
  },
  modelTrain: {
    asOf: asOf('last day of data to use (default: the latest in the warehouse)'),
    horizon: option('--horizon <days>', 'outcome horizon in days (default from models/model-spec.yaml)', count(7, 730).optional()),
    truth: option('--truth <dir>', "a generator's truth/ directory: adds the best achievable ROC AUC to the card", z.string().optional()),
    promote: option('--no-promote', 'register the model without making it current', z.boolean().default(true)),
  },
  modelEvaluate: {
    truth: option('--truth <dir>', "a generator's truth/ directory: adds oracle_roc_auc", z.string().optional()),
  },
  score: {
    asOf: asOf('scoring date (default: the latest date in the warehouse)'),
    model: option('--model <version>', 'a model version other than the current one', z.string().optional()),
    show: option('--show <n>', 'also print the n highest-risk students with their reasons', count(0, 1000).default(0)),
    lang: option('--lang <lang>', 'language of the reasons', lang.default('en')),
  },
  triggerRules: {
    facts: option('--facts', 'also list the student facts conditions may use', z.boolean().optional()),
  },
  triggerRun: {
    asOf: asOf('date to run for (default: the latest date in the warehouse)'),
    until: option('--until <date>', 'run every day from --as-of up to this date (replay)', date.optional()),
  },
  triggerView: {
    role: option('--role <role>', 'see as this role: only what it may see, only triggers for it', z.string().optional()),
    staff: option('--staff <id>', 'see as this staff member: only triggers routed to them', z.string().optional()),
    lang: option('--lang <lang>', 'language of titles and messages (default: the staff member’s, else en)', lang.optional()),
  },
  triggerList: {
    status: option('--status <status>', 'open, acknowledged, resolved or expired', z.string().optional()),
    student: option('--student <id>', 'one student', z.string().optional()),
    rule: option('--rule <id>', 'one rule', z.string().optional()),
    unrouted: option('--unrouted', 'only open triggers with nobody to route to (routing gaps)', z.boolean().optional()),
    limit: limit(500),
  },
  triggerAck: {
    staff: option('--staff <id>', 'who acknowledges', z.string().min(1)),
    on: option('--on <date>', 'date (default: today)', date.optional()),
  },
  triggerResolve: {
    staff: option('--staff <id>', 'who resolves', z.string().min(1)),
    outcome: option('--outcome <outcome>', 'what came of it', z.enum(resolutionOutcomes)),
    on: option('--on <date>', 'date (default: today)', date.optional()),
  },
  interventionAdd: {
    student: option('--student <id>', 'student supported', z.string().min(1)),
    staff: option('--staff <id>', 'who gave the support', z.string().min(1)),
    role: option('--role <role>', 'in which role', z.string().min(1)),
    type: option('--type <type>', 'contact, meeting, study_plan_revision, support_group, referral, …', z.string().min(1)),
    scope: option('--scope <scope>', 'individual or group', z.enum(['individual', 'group']).default('individual')),
    date: option('--date <date>', 'when (default: today)', date.optional()),
    trigger: option('--trigger <id>', 'the trigger this answers', z.string().optional()),
  },
  interventionList: {
    student: option('--student <id>', 'one student', z.string().optional()),
    role: option('--role <role>', 'see as this role', z.string().optional()),
    staff: option('--staff <id>', 'see as this staff member: support they gave', z.string().optional()),
    limit: limit(500),
  },
  digestSend: {
    asOf: asOf('digest date (default: the last trigger run)'),
  },
  digestPreview: {
    staff: option('--staff <id>', 'staff member', z.string().min(1)),
    asOf: asOf('digest date (default: the last trigger run)'),
    format: option('--format <format>', 'text, html or json', z.enum(['text', 'html', 'json']).default('text')),
    out: option('--out <file>', 'write to a file (open an .html file in a browser)', z.string().optional()),
  },
  reportBuild: {
    out: option('--out <dir>', 'output directory', z.string().min(1)),
    asOf: asOf('report date (default: the latest date in the warehouse)'),
    unit: option('--unit <unit>', 'only this unit', z.string().optional()),
    lang: option('--lang <lang>', 'language', lang.default('fi')),
    bootstrap: option('--bootstrap <n>', 'bootstrap resamples for confidence intervals', count(0, 10_000).default(500)),
  },
  run: {
    asOf: asOf('the night to run (default: the latest date in the warehouse)'),
    from: option('--from <date>', 'backfill: first day', date.optional()),
    to: option('--to <date>', 'backfill: last day', date.optional()),
    dryRun: option('--dry-run', 'show what would run, change nothing', z.boolean().optional()),
    force: option('--force', 'run a finished run again', z.boolean().optional()),
  },
  runs: {
    limit: option('--limit <n>', 'at most this many runs', count(1, 1000).default(20)),
  },
  checkinsPlan: {
    asOf: asOf('date to plan for (default: the latest date in the warehouse)'),
    out: option('--out <file>', 'write the plan for the messaging gateway', z.string().optional()),
    format: option('--format <format>', 'file format', z.enum(['jsonl', 'csv']).default('jsonl')),
  },
  checkinsOptOut: {
    since: option('--since <date>', 'from this date (default: today)', date.optional()),
    undo: option('--undo', 'the student may be asked again', z.boolean().optional()),
  },
  checkinsEffect: {
    asOf: asOf('outcomes known up to this date (default: the latest date in the warehouse)'),
    from: option('--from <date>', 'bottleneck episodes starting on or after this date', date.default('2000-01-01' as z.infer<typeof date>)),
    graceDays: option('--grace-days <n>', 'asked within this many days of reaching the bottleneck counts as asked', count(1, 60).default(14)),
    windowDays: option('--window-days <n>', 'negative exits counted this many days after the grace period', count(14, 365).default(90)),
    bootstrap: option('--bootstrap <n>', 'bootstrap resamples for the confidence intervals', count(0, 5000).default(500)),
  },
  serve: {
    host: option('--host <host>', 'address to listen on (put a TLS proxy in front for anything but localhost)', z.string().min(1).default('127.0.0.1')),
    port: option('--port <port>', 'port', count(0, 65535).default(8080)),
  },
  auditList: {
    student: option('--student <id>', 'about this student', z.string().optional()),
    staff: option('--staff <id>', 'by this staff member', z.string().optional()),
    since: option('--since <date>', 'from this date', date.optional()),
    limit: limit(200, 100_000),
  },
  subjectAccess: {
    out: option('--out <file>', 'file to write', z.string().min(1)),
    format: option('--format <format>', 'file format', z.enum(['html', 'json']).default('html')),
    lang: option('--lang <lang>', 'language of the HTML export', lang.default('fi')),
  },
  retentionApply: {
    asOf: asOf('date to count from (default: today)'),
    dryRun: option('--dry-run', 'only count what would be removed', z.boolean().optional()),
  },
  fixturesGenerate: {
    students: option('--students <n>', 'number of students', count(10, 2_000_000).default(600)),
    seed: option('--seed <n>', 'random seed (same seed, same bytes)', z.coerce.number().int().min(0).default(1)),
    out: option('--out <dir>', 'output directory', z.string().min(1)),
    start: option('--start <date>', 'first day of the simulated window', date.default('2024-08-01' as z.infer<typeof date>)),
    years: option('--years <n>', 'years of history', count(1, 6).default(2)),
    format: option('--format <format>', 'file format (koski: students, events and courses as KOSKI documents, one file per person, in koski/)', z.enum(['csv', 'parquet', 'koski']).default('csv')),
    dirty: option('--dirty <rate>', 'inject realistic faults after this share of rows (e.g. 0.001)', z.coerce.number().min(0).max(0.5).default(0)),
    checkinProgramme: option('--checkin-programme <date>', 'simulate a check-in programme at study bottlenecks from this date (log in checkins/, truth in truth/checkins.csv)', date.optional()),
  },
} as const satisfies Record<string, Options>;

export type CommandOptions<K extends keyof typeof commandOptions> = z.infer<ReturnType<typeof schemaOf<(typeof commandOptions)[K]>>>;
