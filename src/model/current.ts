import { addDays } from '../core/dates.js';
import type { Row, Warehouse } from '../db/warehouse.js';
import { riskValidDays } from './schema.js';

/** One student's current risk: band, probability, reasons (JSON) and the day scored. */
export interface CurrentRisk {
  band: string;
  probability: number;
  reasons: string;
  scored_on: string;
}

/**
 * One student's current risk by the rule of the `current_risk` macro (the current model's latest
 * score in the `riskValidDays` days up to `onDate`), for a page about one student. The scores are
 * read by student only, so DuckDB answers from the index on it (any further condition in SQL turns
 * the lookup into a scan: ~1.5 ms against ~7 ms CPU on a national warehouse), and the rule is
 * applied to those few rows here. Null when there is no current model or no score.
 */
export async function currentRiskOf(db: Warehouse, studentId: string, onDate: string): Promise<CurrentRisk | null> {
  // One read: the student's scores, each with the current model's version beside it (a condition
  // on the version beside the student would keep DuckDB from its index on student).
  const rows = await db.all(
    `SELECT model_version, strftime(as_of, '%Y-%m-%d') AS scored_on, band, probability, reasons,
       (SELECT version FROM model_versions WHERE status = 'current') AS current_version
     FROM risk_scores WHERE student_id = $id`,
    { id: studentId },
  );
  const from = addDays(onDate, -riskValidDays);
  let latest: Row | undefined;
  for (const r of rows) {
    const day = String(r['scored_on']);
    if (r['current_version'] !== null && r['model_version'] === r['current_version'] && day <= onDate && day > from && (!latest || day > String(latest['scored_on']))) latest = r;
  }
  return latest ? { band: String(latest['band']), probability: Number(latest['probability']), reasons: String(latest['reasons']), scored_on: String(latest['scored_on']) } : null;
}
