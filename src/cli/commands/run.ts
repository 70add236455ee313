import { SingleBar } from 'cli-progress';
import { ErrorCode, ExitCode, KiinniError } from '../../core/errors.js';
import { createRunLogger } from '../../core/log.js';
import { dataDirLayout } from '../../core/data-dir.js';
import { listRuns, loadPipelines, planRun, runLogFile, runPipeline, type RunSummary } from '../../pipeline/index.js';
import { digestSignInLinks } from '../../web/index.js';
import { withWarehouse } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { asOfOrLatest, parseOptions, readSession, writeSession } from '../options.js';

/** `kiinni run <pipeline> [--as-of D] [--from D --to D] [--dry-run] [--force]`: exit 1 when a step failed. */
export async function runRun(ctx: CliContext, name: string, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.run), raw);
  const pipelines = loadPipelines();
  const def = pipelines.get(name);
  if (!def) throw new KiinniError(ErrorCode.NotFound, `No pipeline '${name}'.`, `Pipelines: ${[...pipelines.keys()].join(', ')} (pipelines/*.yaml).`);
  if ((opts.from || opts.to) && !def.daily) throw new KiinniError(ErrorCode.Usage, `--from/--to are for daily pipelines (backfill); use --as-of with ${name}.`);
  if (def.daily && !(opts.from && opts.to)) throw new KiinniError(ErrorCode.Usage, `${name} replays a range: give --from DATE --to DATE.`);
  const session = opts.dryRun ? readSession(ctx, `run ${name}`) : writeSession(ctx, `run ${name}`);
  const dir = dataDirLayout(ctx.dataDir);
  const result = await withWarehouse(session, async ({ db }) => {
    const asOf = await asOfOrLatest(db, ctx, opts.to ?? opts.asOf);
    const o = { pipeline: name, asOf, from: opts.from, force: Boolean(opts.force) };
    if (opts.dryRun) return { plan: await planRun(db, dir, def, o) };
    const logger = createRunLogger((ctx.logger.level as 'info') ?? 'warn', runLogFile(dir, def, o));
    const bar = process.stderr.isTTY && !ctx.json ? new SingleBar({ format: ' {bar} {value}/{total} steps | {duration_formatted} | {step}', stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 5 }) : undefined;
    const kill = process.env['KIINNI_KILL_AT'];
    let step = '';
    let inner: { done: number; total: number; unit: string } | undefined;
    const summary = await runPipeline(db, dir, ctx.config, def, o, {
      logger,
      clock: ctx.clock,
      signInLinks: digestSignInLinks(ctx.config, dir.root, ctx.clock),
      progress: (e) => {
        if (!bar) return;
        if (e.index === 0 && !e.done) bar.start(e.total, 0, { step: e.step });
        step = e.done ? '' : e.step;
        bar.update(e.index, { step });
      },
      // Inside a step, its own units after its name ("digests 1200/11414 staff").
      stepProgress: {
        start: (_label, total, unit) => {
          inner = { done: 0, total, unit };
          bar?.update({ step: `${step} 0/${total} ${unit}` });
        },
        advance: (n = 1) => {
          if (!inner) return;
          inner.done += n;
          bar?.update({ step: `${step} ${inner.done}/${inner.total} ${inner.unit}` });
        },
        finish: () => {
          inner = undefined;
          bar?.update({ step });
        },
      },
      // Crash injection for the kill-and-resume tests; unset in normal use.
      checkpoint: (label) => {
        if (kill && kill === label) process.kill(process.pid, 'SIGKILL');
      },
    });
    bar?.stop();
    return { summary };
  });
  if (result.plan) {
    const p = result.plan;
    ctx.print(p, () =>
      [
        `Dry run of ${name} (${p.run_id})${p.already ? `; the run log says: ${p.already}` : ''}.`,
        `Steps: ${p.steps.join(' → ')}`,
        `Inbox: ${p.inbox_files.length ? p.inbox_files.map((f) => `${f.kind}/${f.file}`).join(', ') : 'nothing waiting'}`,
        `Model: ${p.has_model ? 'a current model exists' : 'none yet: the score step trains the first one'}`,
      ].join('\n'),
    );
    return 0;
  }
  const s: RunSummary = result.summary!;
  ctx.print(s, () => {
    if (s.status === 'already_finished') return `${s.run_id} already finished; nothing to do (use --force to run it again).`;
    const rows = s.steps.map((x) => [x.step, x.status, x.status === 'skipped' ? '' : `${(x.ms / 1000).toFixed(1)} s`, x.status === 'skipped' ? '' : `${x.peak_rss_mb} MiB`, x.error ?? x.warning ?? '']);
    return [
      `${s.run_id}: ${s.status} (attempt ${s.attempt}, ${(s.ms / 1000).toFixed(1)} s)`,
      table(['step', 'status', 'time', 'peak RSS', 'error'], rows),
      `Log: ${s.log_file}`,
      `Digests: ${s.outputs.outbox}${s.outputs.report ? `\nReport: ${s.outputs.report}` : ''}`,
      ...(inboxIgnored(s).map((x) => `not loaded: inbox/${x}`)),
      ...s.warnings.map((w) => `warning: ${w}`),
      ...(s.status === 'failed' ? [`Fix the cause, then run the same command again: it resumes from the failed step.`] : []),
    ].join('\n');
  });
  // A finished night with a refused or ignored file still needs the coordinator: exit 3 (input
  // rejected); a skipped step or too many quarantined rows: exit 5.
  const inbox = s.steps.find((x) => x.step === 'ingest')?.summary as { refused?: number; ignored?: string[] } | null | undefined;
  const rejected = Boolean(inbox && (Number(inbox.refused) > 0 || (inbox.ignored?.length ?? 0) > 0));
  return s.status === 'failed' ? ExitCode.Failure : rejected ? ExitCode.InputRejected : s.warnings.length ? ExitCode.Incomplete : ExitCode.Ok;
}

/** What the inbox step passed over (files in the root, unknown folders, links). */
function inboxIgnored(s: RunSummary): string[] {
  const inbox = s.steps.find((x) => x.step === 'ingest')?.summary as { ignored?: string[] } | null | undefined;
  return inbox?.ignored ?? [];
}

/** `kiinni runs [--limit N]`. */
export async function runRuns(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.runs), raw);
  const runs = await withWarehouse(readSession(ctx, 'runs'), ({ db }) => listRuns(db, opts.limit));
  ctx.print({ runs }, () =>
    runs.length
      ? runs
          .map((r) => [`${r.run_id}  ${r.status}  attempts ${r.attempts}  ${r.started_at} – ${r.ended_at ?? '…'}${r.error ? `\n  error: ${r.error}` : ''}`, ...r.steps.map((s) => `  ${s.step.padEnd(24)} ${s.status.padEnd(8)} ${s.ms === null ? '' : `${(s.ms / 1000).toFixed(1)} s`}`)].join('\n'))
          .join('\n')
      : "No runs yet: 'kiinni run nightly'.",
  );
  return 0;
}
