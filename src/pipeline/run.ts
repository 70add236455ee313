import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Progress } from '../core/progress.js';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { gatewayJsonl, loadBottlenecks, planCheckins, planOptions } from '../checkins/index.js';
import type { Config } from '../core/config.js';
import type { DataDir } from '../core/data-dir.js';
import { addDays, dayOfWeek } from '../core/dates.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { packageRoot } from '../core/package-root.js';
import type { Warehouse } from '../db/warehouse.js';
import { composeContext, outboxMailer, sendDigests, sendOptions, smtpConfigured, smtpMailer, type DigestEffects } from '../digest/index.js';
import { hasCurrentModel, scoreStudents, trainModel } from '../model/index.js';
import { buildReport, reportOptions, writeReport } from '../report/index.js';
import { lastTriggerRun, loadRules, runTriggers, type TriggerRule } from '../triggers/index.js';
import { loadInbox, scanInbox, waitingFiles } from './inbox.js';
import { backupWarehouse } from '../db/backup.js';
import { beginRun, doneSteps, endRun, findRun, recordStep } from './run-log.js';

export const stepNames = ['ingest', 'train', 'score', 'triggers', 'checkins', 'digests', 'report', 'backup'] as const;
export type StepName = (typeof stepNames)[number];

const definitionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  description: z.string().min(1),
  daily: z.boolean().default(false),
  steps: z.array(z.enum(stepNames)).min(1),
});
/** A pipeline as defined in pipelines/<name>.yaml. */
export type PipelineDefinition = z.infer<typeof definitionSchema>;

/** The pipeline definitions shipped in pipelines/. */
export function loadPipelines(dir = path.join(packageRoot(), 'pipelines')): Map<string, PipelineDefinition> {
  const out = new Map<string, PipelineDefinition>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const r = definitionSchema.safeParse(parseYaml(readFileSync(path.join(dir, name), 'utf8')));
    if (!r.success) throw new KiinniError(ErrorCode.ConfigInvalid, `pipelines/${name}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}.`);
    out.set(r.data.name, r.data);
  }
  return out;
}

export interface RunOptions {
  pipeline: string;
  asOf: string;
  /** Backfill range (daily pipelines); asOf is then the last day. */
  from?: string | undefined;
  force: boolean;
}

export interface RunEffects {
  logger: Logger;
  clock: () => Date;
  /** Called as each step starts and ends (progress bars). */
  progress?: (event: { step: string; index: number; total: number; done: boolean }) => void;
  /** How far the step under way has come in its own units (trees, staff, report parts). */
  stepProgress?: Progress;
  /** With the staff workspace: a sign-in link per digest recipient (web's digestSignInLinks, given by the caller). */
  signInLinks?: DigestEffects['signInLinks'];
  /** Crash injection for tests: KIINNI_KILL_AT=<label> kills the process at that point. */
  checkpoint?: (label: string) => void;
}

export interface StepResult {
  step: string;
  status: 'done' | 'skipped' | 'failed';
  ms: number;
  peak_rss_mb: number;
  summary: unknown;
  error?: string;
  /** Why the step did nothing, or what in its work needs a look (the run exits 5). */
  warning?: string;
}

export interface RunSummary {
  run_id: string;
  pipeline: string;
  period: string;
  status: 'finished' | 'failed' | 'already_finished';
  attempt: number;
  steps: StepResult[];
  log_file: string;
  outputs: { outbox: string; report: string | null };
  /** Steps skipped or needing a look, each `step: why` (the run exits 5). */
  warnings: string[];
  ms: number;
}

/** The plan of a run without running it (`--dry-run`). */
export async function planRun(db: Warehouse, dir: DataDir, def: PipelineDefinition, o: RunOptions): Promise<{ run_id: string; steps: string[]; inbox_files: { kind: string; file: string }[]; has_model: boolean; already: string | null }> {
  const { runId, days } = runShape(def, o);
  const run = await findRun(db, runId);
  const hasModel = await hasCurrentModel(db);
  return { run_id: runId, steps: expandSteps(def, days), inbox_files: [...scanInbox(dir).koski.map((f) => ({ kind: 'koski', file: path.basename(f) })), ...waitingFiles(dir).map((f) => ({ kind: f.kind as string, file: path.basename(f.file) }))], has_model: hasModel, already: run?.status ?? null };
}

/** The run's own log file: <data-dir>/logs/<run id>.log. */
export function runLogFile(dir: DataDir, def: PipelineDefinition, o: RunOptions): string {
  return path.join(dir.logs, `${runShape(def, o).runId}.log`);
}

function runShape(def: PipelineDefinition, o: RunOptions): { runId: string; period: string; days: string[] } {
  if (def.daily) {
    const from = o.from ?? o.asOf;
    if (from > o.asOf) throw new KiinniError(ErrorCode.Usage, `--from ${from} is after --to ${o.asOf}.`);
    const days: string[] = [];
    for (let d = from; d <= o.asOf; d = addDays(d, 1)) days.push(d);
    return { runId: `${def.name}-${from}..${o.asOf}`, period: `${from}..${o.asOf}`, days };
  }
  return { runId: `${def.name}-${o.asOf}`, period: o.asOf, days: [o.asOf] };
}

/** Step keys of a run: `step`, or `<day>:step` per day in a daily pipeline (ingest first, report last). */
function expandSteps(def: PipelineDefinition, days: string[]): string[] {
  if (!def.daily) return [...def.steps];
  const perDay = def.steps.filter((s) => s !== 'ingest' && s !== 'report' && s !== 'train');
  return [...(def.steps.includes('ingest') ? ['ingest'] : []), ...days.flatMap((d) => perDay.map((s) => `${d}:${s}`)), ...(def.steps.includes('report') ? ['report'] : [])];
}

const isMonday = (day: string) => dayOfWeek(day) === 1;

/**
 * Runs a pipeline under the caller's writer lock. Each step is recorded in the run log; a run
 * that failed or was killed resumes from its first unfinished step; a finished run is not run
 * again unless forced. Every step is itself safe to repeat (ingest by file hash, scores replace
 * their date, a trigger run for the same date changes nothing, digests go once per person and
 * day, the report is rewritten), so a step cut off half-way is simply run again.
 */
export async function runPipeline(db: Warehouse, dir: DataDir, config: Config, def: PipelineDefinition, o: RunOptions, fx: RunEffects): Promise<RunSummary> {
  const t0 = Date.now();
  const { runId, period, days } = runShape(def, o);
  const logFile = runLogFile(dir, def, o);
  const reportDir = path.join(dir.root, 'reports', o.asOf);
  const outputs = { outbox: smtpConfigured(config) ? 'smtp' : dir.outbox, report: def.steps.includes('report') ? path.join(reportDir, 'report.html') : null };
  const existing = await findRun(db, runId);
  if (existing?.status === 'finished' && !o.force) {
    return { run_id: runId, pipeline: def.name, period, status: 'already_finished', attempt: existing.attempts, steps: [], log_file: existing.log_file ?? logFile, outputs, warnings: [], ms: 0 };
  }
  // A night is never run "for" a date before the last one: it would score with a later model and
  // send digests built from a later state. Resuming this same run stays possible.
  if ((def.steps.includes('triggers') || def.steps.includes('digests')) && !(existing && existing.status !== 'finished')) {
    const last = await lastTriggerRun(db);
    if (last && days[0]! < last) {
      throw new KiinniError(ErrorCode.Usage, `${def.daily ? '--from' : '--as-of'} ${days[0]} is before the last night run (${last}); nights run forwards only.`, `Run ${def.name} for ${last} or later; 'kiinni runs' lists what has run.`);
    }
  }
  const attempt = await beginRun(db, { runId, pipeline: def.name, period, logFile }, fx.clock());
  const done = o.force ? new Set<string>() : await doneSteps(db, runId);
  // warehouse.nightly_backup: a checked copy once the night's work is done.
  const keys = [...expandSteps(def, days), ...(config.warehouse.nightlyBackup && !def.steps.includes('backup') ? ['backup'] : [])];
  const checkpoint = fx.checkpoint ?? (() => {});
  let rules: TriggerRule[] | undefined;
  const compose = async () => composeContext((rules ??= await loadRules(config)), config);
  const log = fx.logger.child({ run_id: runId });
  log.info({ pipeline: def.name, period, attempt, steps: keys.length, resumed_after: done.size }, 'run_started');

  /** A step's outcome: `skipped` did nothing that it should have (a warning, exit 5), `warning` did its work but needs a look. */
  const runStep = async (key: string, day: string): Promise<{ summary: unknown; failed?: string; skipped?: string; warning?: string }> => {
    const step = (key.includes(':') ? key.split(':')[1] : key) as StepName;
    switch (step) {
      case 'ingest':
        {
        const inbox = await loadInbox(db, dir, o.asOf, config.ingest.maxQuarantineShare, config.koski.names, { logger: log, clock: fx.clock, checkpoint });
        const warning = inbox.over_quarantine_share ? `${inbox.over_quarantine_share} file(s) had more rows quarantined than ingest.max_quarantine_share allows` : undefined;
        return { summary: inbox, ...(warning ? { warning } : {}) };
      }
      case 'train': {
        const r = await trainModel(db, dir.models, { asOf: day, promote: true }, { logger: log, clock: fx.clock, progress: fx.stepProgress });
        return { summary: { version: r.version, promoted: r.promoted, roc_auc: r.evaluation.roc_auc, note: r.promotion_note } };
      }
      case 'score': {
        if (def.daily && !isMonday(day) && day !== days[0]) return { summary: { skipped: 'scores are refreshed on Mondays' } };
        let trained: string | null = null;
        if (!(await hasCurrentModel(db))) {
          const r = await trainModel(db, dir.models, { asOf: day, promote: true }, { logger: log, clock: fx.clock, progress: fx.stepProgress });
          trained = r.version;
        }
        const s = await scoreStudents(db, { asOf: day }, { logger: log, clock: fx.clock });
        checkpoint('score');
        return { summary: { trained_first_model: trained, model: s.model_version, students: s.students, bands: s.bands } };
      }
      case 'triggers': {
        rules ??= await loadRules(config);
        const last = await lastTriggerRun(db);
        if (last && last > day) return { summary: null, skipped: `triggers were already run up to ${last}; a day before that is not run again` };
        const s = await runTriggers(db, rules, { asOf: day }, { logger: log, clock: fx.clock });
        checkpoint('triggers');
        const { opened_by_rule: _, ...counts } = s;
        return { summary: counts };
      }
      case 'checkins': {
        const defs = await loadBottlenecks();
        const { summary, checkins } = await planCheckins(db, defs, planOptions(config, day), { logger: log, clock: fx.clock });
        const file = path.join(dir.root, 'checkins', `${day}.jsonl`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(`${file}.tmp`, gatewayJsonl(checkins, defs));
        renameSync(`${file}.tmp`, file);
        checkpoint('checkins');
        return { summary: { planned: summary.planned, candidates: summary.candidates, skipped: summary.skipped, quiet_period: summary.quiet_period, file } };
      }
      case 'digests': {
        const mailer = smtpMailer(config) ?? outboxMailer(dir.outbox);
        let sent = 0;
        try {
          const s = await sendDigests(db, sendOptions(config, day), await compose(), {
            // The crash point sits between two messages: the first is sent and recorded.
            mailer: { kind: mailer.kind, where: mailer.where, close: () => mailer.close(), send: async (m, f) => (sent++ > 0 && checkpoint('digests'), await mailer.send(m, f)) },
            logger: log,
            clock: fx.clock,
            signInLinks: fx.signInLinks,
            progress: fx.stepProgress,
            journalDir: dir.journal,
            workspaceUrl: config.web.baseUrl,
          });
          const { failures, ...counts } = s;
          return { summary: counts, ...(s.failed ? { failed: `${s.failed} digests failed: ${failures.map((f) => `${f.staff_id} ${f.error}`).join('; ').slice(0, 500)}` } : {}) };
        } finally {
          mailer.close();
        }
      }
      case 'backup': {
        const b = await backupWarehouse(db, dir.backups, fx.clock(), config.warehouse.backupsKept);
        return { summary: { file: b.file, bytes: b.bytes } };
      }
      case 'report': {
        const report = await buildReport(db, reportOptions(config, { asOf: o.asOf }), { logger: log, progress: fx.stepProgress });
        const files = await writeReport(db, report, reportDir, 'fi', () => checkpoint('report'));
        return { summary: { tables: report.tables.length, files: files.length, dir: reportDir } };
      }
    }
  };

  const results: StepResult[] = [];
  const warnings: string[] = [];
  let failure: string | null = null;
  for (const [index, key] of keys.entries()) {
    const day = key.includes(':') ? key.split(':')[0]! : o.asOf;
    if (done.has(key)) {
      results.push({ step: key, status: 'skipped', ms: 0, peak_rss_mb: 0, summary: { already_done: true } });
      continue;
    }
    fx.progress?.({ step: key, index, total: keys.length, done: false });
    await recordStep(db, runId, key, { status: 'running', at: fx.clock() });
    const s0 = Date.now();
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    try {
      const { summary, failed, skipped, warning } = await runStep(key, day);
      const ms = Date.now() - s0;
      const rssMb = Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
      const status = failed ? 'failed' : skipped ? 'skipped' : 'done';
      const said = skipped ?? warning;
      await recordStep(db, runId, key, { status, at: fx.clock(), ms, rssMb, summary: summary ?? { skipped }, ...(failed ? { error: failed } : said ? { error: said } : {}) });
      results.push({ step: key, status, ms, peak_rss_mb: rssMb, summary, ...(failed ? { error: failed } : {}), ...(said ? { warning: said } : {}) });
      if (said) warnings.push(`${key}: ${said}`);
      log.info({ step: key, ms, peak_rss_mb: rssMb, status }, 'step_done');
      if (said) log.warn({ step: key, warning: said }, 'step_warning');
      // A partial digest failure does not stop the report; it fails the run so a re-run sends the rest.
      if (failed) failure ??= `${key}: ${failed}`;
    } catch (err) {
      const ms = Date.now() - s0;
      const message = err instanceof Error ? err.message : String(err);
      await recordStep(db, runId, key, { status: 'failed', at: fx.clock(), ms, error: message });
      results.push({ step: key, status: 'failed', ms, peak_rss_mb: Math.round(peak / 2 ** 20), summary: null, error: message });
      log.error({ step: key, ms }, 'step_failed');
      failure = `${key}: ${message}`;
      break;
    } finally {
      clearInterval(timer);
      fx.progress?.({ step: key, index: index + 1, total: keys.length, done: true });
    }
  }
  await endRun(db, runId, failure ? 'failed' : 'finished', failure, fx.clock());
  log.info({ status: failure ? 'failed' : 'finished', ms: Date.now() - t0 }, 'run_ended');
  return { run_id: runId, pipeline: def.name, period, status: failure ? 'failed' : 'finished', attempt, steps: results, log_file: logFile, outputs, warnings, ms: Date.now() - t0 };
}
