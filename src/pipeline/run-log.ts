import type { Warehouse } from '../db/warehouse.js';

export { pipelineMigrations } from './schema.js';

export interface RunRow {
  run_id: string;
  pipeline: string;
  period: string;
  status: string;
  attempts: number;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  log_file: string | null;
}

export interface StepRow {
  run_id: string;
  step: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  ms: number | null;
  peak_rss_mb: number | null;
  summary: unknown;
  error: string | null;
}

/** The run of a pipeline for a period, if there is one. */
export async function findRun(db: Warehouse, runId: string): Promise<RunRow | undefined> {
  return (await db.one(`SELECT * EXCLUDE (started_at, ended_at), strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(ended_at, '%Y-%m-%d %H:%M:%S') AS ended_at FROM pipeline_runs WHERE run_id = $id`, { id: runId })) as RunRow | undefined;
}

/** Starts (or resumes) a run: the row is created, or its attempt count goes up. */
export async function beginRun(db: Warehouse, run: { runId: string; pipeline: string; period: string; logFile: string }, now: Date): Promise<number> {
  const existing = await findRun(db, run.runId);
  if (existing) {
    await db.run(`UPDATE pipeline_runs SET status = 'running', attempts = attempts + 1, error = NULL, ended_at = NULL, log_file = $log WHERE run_id = $id`, { id: run.runId, log: run.logFile });
    return existing.attempts + 1;
  }
  await db.run(`INSERT INTO pipeline_runs VALUES ($id, $p, $period, 'running', 1, $at::TIMESTAMP, NULL, NULL, $log)`, { id: run.runId, p: run.pipeline, period: run.period, at: now.toISOString(), log: run.logFile });
  return 1;
}

/** Ends a run as finished or failed. */
export async function endRun(db: Warehouse, runId: string, status: 'finished' | 'failed', error: string | null, now: Date): Promise<void> {
  await db.run(`UPDATE pipeline_runs SET status = $s, ended_at = $at::TIMESTAMP, error = $e WHERE run_id = $id`, { id: runId, s: status, e: error, at: now.toISOString() });
}

/** Steps of a run already done (a resumed run skips them). */
export async function doneSteps(db: Warehouse, runId: string): Promise<Set<string>> {
  return new Set((await db.all(`SELECT step FROM pipeline_steps WHERE run_id = $id AND status = 'done'`, { id: runId })).map((r) => String(r['step'])));
}

/** Records a step starting, or its end. */
export async function recordStep(db: Warehouse, runId: string, step: string, s: { status: 'running' | 'done' | 'skipped' | 'failed'; at: Date; ms?: number; rssMb?: number; summary?: unknown; error?: string }): Promise<void> {
  if (s.status === 'running') {
    await db.run(`INSERT OR REPLACE INTO pipeline_steps VALUES ($id, $step, 'running', $at::TIMESTAMP, NULL, NULL, NULL, NULL, NULL)`, { id: runId, step, at: s.at.toISOString() });
    return;
  }
  await db.run(`UPDATE pipeline_steps SET status = $s, ended_at = $at::TIMESTAMP, ms = $ms, peak_rss_mb = $rss, summary = $summary, error = $e WHERE run_id = $id AND step = $step`, {
    id: runId, step, s: s.status, at: s.at.toISOString(), ms: s.ms ?? null, rss: s.rssMb ?? null, summary: s.summary === undefined ? null : JSON.stringify(s.summary), e: s.error ?? null,
  });
}

/** Recent runs with their steps, newest first. */
export async function listRuns(db: Warehouse, limit: number): Promise<(RunRow & { steps: StepRow[] })[]> {
  const runs = (await db.all(
    `SELECT * EXCLUDE (started_at, ended_at), strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(ended_at, '%Y-%m-%d %H:%M:%S') AS ended_at
     FROM pipeline_runs ORDER BY pipeline_runs.started_at DESC LIMIT $n`,
    { n: limit },
  )) as unknown as RunRow[];
  const out: (RunRow & { steps: StepRow[] })[] = [];
  for (const r of runs) {
    const steps = (await db.all(
      `SELECT * EXCLUDE (started_at, ended_at, summary), strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(ended_at, '%Y-%m-%d %H:%M:%S') AS ended_at, summary
       FROM pipeline_steps WHERE run_id = $id ORDER BY pipeline_steps.started_at, step`,
      { id: r.run_id },
    )) as unknown as (StepRow & { summary: string | null })[];
    out.push({ ...r, steps: steps.map((s) => ({ ...s, summary: s.summary ? (JSON.parse(s.summary) as unknown) : null })) });
  }
  return out;
}
