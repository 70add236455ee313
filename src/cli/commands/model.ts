import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateVersion, findVersion, listVersions, loadArtifact, promoteVersion, reasonSentences, scoreStudents, topScores, trainModel, type Evaluation } from '../../model/index.js';
import { withWarehouse } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { count, table } from '../format.js';
import { parseOptions, readSession as read, writeSession as write } from '../options.js';

const parse = parseOptions;

function metricsLine(e: Evaluation): string {
  return `ROC AUC ${e.roc_auc.toFixed(3)}${e.oracle_roc_auc !== null ? ` (best achievable ${e.oracle_roc_auc.toFixed(3)})` : ''}, PR AUC ${e.pr_auc.toFixed(3)}, Brier ${e.brier.toFixed(4)}, ECE ${e.ece.toFixed(3)} on ${count(e.rows)} rows (${e.exits} exits), test snapshots ${e.snapshots.join(', ')}`;
}


/** `kiinni model train`. */
export async function runModelTrain(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parse(schemaOf(commandOptions.modelTrain), raw);
  const result = await withWarehouse(write(ctx, 'model train'), ({ db, dir }) =>
    trainModel(db, dir.models, { asOf: opts.asOf, horizon: opts.horizon, truthDir: opts.truth, promote: opts.promote }, { logger: ctx.logger, clock: ctx.clock, progress: ctx.progress }),
  );
  ctx.print(result, () =>
    [
      `Trained model ${result.version} on data up to ${result.data_as_of}.`,
      metricsLine(result.evaluation),
      `${result.promoted ? 'Promoted to current' : 'Not promoted'}: ${result.promotion_note}.`,
      `Model card: ${path.join(result.directory, 'card.md')}`,
    ].join('\n'),
  );
  return 0;
}

/** `kiinni model list`. */
export async function runModelList(ctx: CliContext): Promise<number> {
  const versions = await withWarehouse(read(ctx, 'model list'), ({ db }) => listVersions(db));
  ctx.print({ versions }, () =>
    versions.length
      ? table(['version', 'status', 'data up to', 'horizon', 'ROC AUC', 'ECE', 'note'], versions.map((v) => [v.version, v.status, v.data_as_of, v.horizon_days, v.roc_auc, v.ece, v.note]))
      : "No models yet: run 'kiinni model train'.",
  );
  return 0;
}

/** `kiinni model show [VERSION]`: the model card. */
export async function runModelShow(ctx: CliContext, version?: string): Promise<number> {
  const row = await withWarehouse(read(ctx, 'model show'), ({ db }) => findVersion(db, version));
  const card = JSON.parse(readFileSync(path.join(row.directory, 'card.json'), 'utf8')) as unknown;
  ctx.print({ ...row, card }, () => readFileSync(path.join(row.directory, 'card.md'), 'utf8'));
  return 0;
}

/** `kiinni model promote VERSION`. */
export async function runModelPromote(ctx: CliContext, version: string): Promise<number> {
  await withWarehouse(write(ctx, 'model promote'), async ({ db }) => {
    await findVersion(db, version);
    await promoteVersion(db, version, 'promoted by hand', ctx.clock());
  });
  ctx.print({ version, status: 'current' }, () => `Model ${version} is now the current model.`);
  return 0;
}

/** `kiinni model evaluate [VERSION] [--truth DIR]`. */
export async function runModelEvaluate(ctx: CliContext, version: string | undefined, raw: Record<string, unknown>): Promise<number> {
  const truth = parse(schemaOf(commandOptions.modelEvaluate), raw).truth;
  const result = await withWarehouse(write(ctx, 'model evaluate'), ({ db }) => evaluateVersion(db, version, truth));
  ctx.print(result, () => `Model ${result.version}: ${metricsLine(result)}`);
  return 0;
}

/** `kiinni score [--as-of DATE] [--model VERSION] [--show N] [--lang fi|sv|en]`. */
export async function runScore(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parse(
    schemaOf(commandOptions.score),
    raw,
  );
  const { summary, top, features } = await withWarehouse(write(ctx, 'score'), async ({ db }) => {
    const summary = await scoreStudents(db, { asOf: opts.asOf, version: opts.model }, { logger: ctx.logger, clock: ctx.clock });
    const top = opts.show ? await topScores(db, summary.as_of, summary.model_version, opts.show) : [];
    const features = opts.show ? loadArtifact((await findVersion(db, summary.model_version)).directory).artifact.features : [];
    return { summary, top, features };
  });
  // The data coordinator is not a welfare role: welfare-class reasons are left out without a
  // trace (even a count would say the student's well-being data played a part).
  const shown = top.map((t) => ({ ...t, reasons: reasonSentences(t.reasons, features, opts.lang, { welfareVisible: false }) }));
  ctx.print(opts.show ? { ...summary, top: shown } : summary, () =>
    [
      `Scored ${count(summary.students)} active students as of ${summary.as_of} with model ${summary.model_version}: ${summary.bands.high} high, ${summary.bands.raised} raised, ${summary.bands.low} low (${summary.band_rule}).`,
      ...(shown.length
        ? [
            '',
            table(
              ['rank', 'student', 'probability', 'band', 'reasons'],
              shown.map((t) => [t.rank, t.student_id, t.probability.toFixed(3), t.band, t.reasons.join('; ')]),
            ),
          ]
        : []),
    ].join('\n'),
  );
  return 0;
}
