import { parseReasons } from './reasons.js';
import type { Logger } from '../core/log.js';
import type { Warehouse } from '../db/warehouse.js';
import { featureColumns, featureMatrix, resolveAsOf, scoringPanelSql } from '../features/index.js';
import { calibratedProba } from './evaluate.js';
import { learnerContributions } from './forest/learner.js';
import { findVersion, loadArtifact } from './registry.js';

export type Band = 'low' | 'raised' | 'high';

/** One reason behind a score: a feature that pushed the probability up. */
export interface RiskReason {
  feature: string;
  family: string;
  /** welfare reasons come from student-welfare data: welfare roles only. */
  sensitivity: 'ordinary' | 'welfare';
  contribution: number;
}

/** `kiinni score --json`. */
export interface ScoreSummary {
  as_of: string;
  model_version: string;
  students: number;
  bands: Record<Band, number>;
  band_rule: string;
}

const SCORE_PANEL = '_score_panel';

/**
 * Scores every student active on the date with a model version (the current one by default):
 * probability, band, rank and, for raised and high bands, the top reasons from the forest's own
 * path contributions. Re-scoring the same date with the same version replaces the earlier rows.
 */
export async function scoreStudents(db: Warehouse, opts: { asOf?: string | undefined; version?: string | undefined }, fx: { logger: Logger; clock: () => Date }): Promise<ScoreSummary> {
  const row = await findVersion(db, opts.version);
  const { artifact, learner } = loadArtifact(row.directory);
  const asOf = await resolveAsOf(db, opts.asOf, fx.clock);
  await db.run(scoringPanelSql(SCORE_PANEL), { as_of: asOf, horizon: artifact.horizon_days });
  const matrix = await featureMatrix(db, SCORE_PANEL, artifact.features, artifact.attendance_lag_days);
  await db.run(`DROP TABLE IF EXISTS ${SCORE_PANEL}`);
  const columns = featureColumns(matrix, artifact.features);
  const ids = matrix.student_id;
  const p = calibratedProba(learner, artifact.calibration, columns);
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || (ids[a]! < ids[b]! ? -1 : 1));
  const rank = new Int32Array(p.length);
  order.forEach((i, r) => (rank[i] = r + 1));
  const b = artifact.spec.bands;
  const bandOf = (i: number): Band => {
    if (b.mode === 'capacity') {
      const r = rank[i]! / p.length;
      return r <= b.high_share ? 'high' : r <= b.high_share + b.raised_share ? 'raised' : 'low';
    }
    return p[i]! >= b.high ? 'high' : p[i]! >= b.raised ? 'raised' : 'low';
  };
  const counts: Record<Band, number> = { low: 0, raised: 0, high: 0 };
  const scoredAt = fx.clock().toISOString();
  const rows: (string | number)[][] = [];
  for (let i = 0; i < p.length; i++) {
    const band = bandOf(i);
    counts[band]++;
    let reasons: RiskReason[] = [];
    if (band !== 'low') {
      const { contributions: c } = learnerContributions(learner, columns.map((col) => col[i]!));
      // Features without a reason sentence (context: the date, not the student) are never reasons.
      reasons = artifact.features
        .flatMap((f, k) => (f.reason === null ? [] : [{ feature: f.name, family: f.family, sensitivity: f.sensitivity, contribution: Math.round(c[k]! * 10000) / 10000 }]))
        .filter((r) => r.contribution > 0.001)
        .sort((x, y) => y.contribution - x.contribution)
        .slice(0, artifact.spec.reasons.top);
    }
    rows.push([ids[i]!, asOf, artifact.version, p[i]!, band, rank[i]!, JSON.stringify(reasons), scoredAt]);
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE _scores_in (student_id VARCHAR, as_of VARCHAR, model_version VARCHAR, probability DOUBLE, band VARCHAR, rank INTEGER, reasons VARCHAR, scored_at VARCHAR)`);
  await db.appendRows('_scores_in', ['varchar', 'varchar', 'varchar', 'double', 'varchar', 'integer', 'varchar', 'varchar'], rows);
  await db.transaction(async () => {
    await db.run(`DELETE FROM risk_scores WHERE as_of = $as_of::DATE AND model_version = $v`, { as_of: asOf, v: artifact.version });
    await db.run(`INSERT INTO risk_scores SELECT student_id, as_of::DATE, model_version, probability, band, rank, reasons, scored_at::TIMESTAMP FROM _scores_in`);
  });
  await db.run('DROP TABLE _scores_in');
  fx.logger.info({ as_of: asOf, model_version: artifact.version, students: p.length, ...counts }, 'scores_written');
  return {
    as_of: asOf,
    model_version: artifact.version,
    students: p.length,
    bands: counts,
    band_rule: b.mode === 'capacity' ? `capacity: top ${b.high_share * 100} % high, next ${b.raised_share * 100} % raised` : `probability: high ≥ ${b.high}, raised ≥ ${b.raised}`,
  };
}

/** The highest-risk students of one scoring run, with their stored reasons. */
export async function topScores(db: Warehouse, asOf: string, version: string, limit: number): Promise<{ student_id: string; probability: number; band: Band; rank: number; reasons: RiskReason[] }[]> {
  const rows = await db.all(
    `SELECT student_id, probability, band, rank, reasons FROM risk_scores WHERE as_of = $as_of::DATE AND model_version = $v ORDER BY rank LIMIT $n`,
    { as_of: asOf, v: version, n: limit },
  );
  return rows.map((r) => ({ student_id: String(r['student_id']), probability: Number(r['probability']), band: r['band'] as Band, rank: Number(r['rank']), reasons: parseReasons(r['reasons']) }));
}
