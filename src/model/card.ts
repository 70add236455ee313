import type { ModelArtifact } from './registry.js';

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(3));

/** The model card in Markdown: data window, metrics, calibration, per-group error rates, importances. */
export function renderCard(a: ModelArtifact): string {
  const e = a.evaluation;
  const lines = [
    `# kiinni model ${a.version}`,
    '',
    `Probability of a negative exit (resigned or deemed resigned) within **${a.horizon_days} days** of the scoring date.`,
    `Trained ${a.created_at.slice(0, 10)} on data up to ${a.data_as_of}. A risk score is a prompt to talk, never a label on a student.`,
    '',
    '## Data window and split (in time)',
    '',
    `| part | snapshots | rows | exits |`,
    `|---|---|---|---|`,
    `| train | ${a.split.train[0]} … ${a.split.train.at(-1)} (${a.split.train.length}) | ${a.split.train_rows} | ${a.split.train_exits} |`,
    `| validation (calibration) | ${a.split.validation.join(', ')} | ${a.split.validation_rows} | ${a.split.validation_exits} |`,
    `| test | ${a.split.test.join(', ')} | ${e.rows} | ${e.exits} |`,
    '',
    `Training snapshots whose ${a.horizon_days}-day label window reaches the validation period are left out. Forest: ${a.spec.forest.trees} trees, ${a.spec.forest.max_features} features per split, min ${a.spec.forest.min_samples_leaf} students per leaf, class weights ${a.spec.forest.class_weight}; calibration: ${a.calibration.method}; trained in ${a.training_seconds} s.`,
    '',
    ...candidateLines(a),
    '## Quality on the test snapshots',
    '',
    `| metric | value |`,
    `|---|---|`,
    `| ROC AUC | ${num(e.roc_auc)} |`,
    ...(e.oracle_roc_auc !== null ? [`| best achievable ROC AUC (generator truth) | ${num(e.oracle_roc_auc)} |`] : []),
    `| PR AUC | ${num(e.pr_auc)} |`,
    `| Brier score | ${num(e.brier)} |`,
    `| expected calibration error | ${num(e.ece)} |`,
    `| precision / recall, top 5 % | ${pct(e.capacity.top_5_percent.precision)} / ${pct(e.capacity.top_5_percent.recall)} |`,
    `| precision / recall, top 10 % | ${pct(e.capacity.top_10_percent.precision)} / ${pct(e.capacity.top_10_percent.recall)} |`,
    `| exits flagged high before leaving (validation + test) | ${e.lead_time.flagged_before_exit} of ${e.lead_time.exits} |`,
    `| median lead time, first high-band score → exit | ${e.lead_time.median_days === null ? '–' : `${e.lead_time.median_days} days`} |`,
    '',
    '## Calibration',
    '',
    '| predicted | rows | mean predicted | observed |',
    '|---|---|---|---|',
    ...e.calibration.filter((b) => b.n > 0).map((b) => `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.n} | ${num(b.predicted)} | ${num(b.observed)} |`),
    '',
    '## Error rates by group',
    '',
    `False-positive rate: share of students who did not leave but were in the high band (${a.spec.bands.mode === 'capacity' ? `top ${a.spec.bands.high_share * 100} % of scores` : `probability ≥ ${a.spec.bands.high}`}). Groups are used only to check the model; gender and home language are not features.`,
    '',
  ];
  for (const [dim, groups] of Object.entries(e.groups)) {
    lines.push(`### ${dim.replace(/_/g, ' ')}`, '', '| group | rows | exits | ROC AUC | false-positive rate | mean predicted | observed |', '|---|---|---|---|---|---|---|');
    for (const g of groups) lines.push(`| ${g.value} | ${g.n} | ${g.exits} | ${num(g.roc_auc)} | ${pct(g.false_positive_rate)} | ${pct(g.mean_predicted)} | ${pct(g.observed_rate)} |`);
    lines.push('');
  }
  if (a.missing) {
    lines.push('## Missing values in the training data', '');
    if (!a.missing.length) lines.push('Every feature was known for every training row.', '');
    else {
      lines.push(
        `Unknown background (e.g. a provider starting from KOSKI, which holds no admission route or prior support) and data not there yet are kept as missing — the forest's own branch — never filled in as zero. Of ${a.split.train_rows} training rows:`,
        '',
        '| feature | rows missing | share | students |',
        '|---|---|---|---|',
        ...a.missing.map((m) => `| ${m.feature} | ${m.rows} | ${pct(m.rows / Math.max(1, a.split.train_rows))} | ${m.students} |`),
        '',
      );
    }
  }
  lines.push('## What the model relies on (permutation importance on the test snapshots)', '', '| feature | family | ROC AUC drop when shuffled |', '|---|---|---|');
  const family = new Map(a.features.map((f) => [f.name, f.family]));
  for (const imp of e.importances.slice(0, 15)) lines.push(`| ${imp.feature} | ${family.get(imp.feature) ?? ''} | ${imp.auc_drop.toFixed(4)} |`);
  lines.push('');
  return lines.join('\n');
}

/** The candidates fitted and which was kept, by how much (absent before boosting: one forest). */
function candidateLines(a: ModelArtifact): string[] {
  const c = a.candidates;
  if (!c?.length) return [];
  const by = c.length > 1 ? c[1]!.validation_log_loss - c[0]!.validation_log_loss : 0;
  const margin = c.length > 1 ? ` It won by ${by < 0.0001 ? 'less than 0.0001' : by.toFixed(4)} in log-loss over the next best (${c[1]!.name}).` : '';
  return [
    '## Candidates',
    '',
    `Each fitted on the training snapshots, calibrated and judged on the validation snapshots by log-loss (calibration fitted on one half of the validation students, measured on the other, both ways). Kept: **${c[0]!.name}**.${margin}`,
    '',
    '| candidate | validation log-loss | validation ROC AUC | training time |',
    '|---|---|---|---|',
    ...c.map((x, i) => `| ${i === 0 ? `**${x.name}**` : x.name} | ${x.validation_log_loss.toFixed(4)} | ${x.validation_roc_auc.toFixed(4)} | ${x.train_seconds} s |`),
    '',
  ];
}
