import { logLevels } from '../core/log.js';
import { commandOptions, declareOptions } from './command-options.js';
import { Command, Option } from 'commander';
import { createContext, type CliContext, type GlobalOptions } from './context.js';

interface RunState {
  exitCode: number;
}

/** The kiinni command tree. Command modules are imported lazily so `--help` stays fast. */
export function buildProgram(state: RunState): Command {
  const program = new Command('kiinni')
    .description('Dropout-risk engine and early-warning triggers (herätteet) for Finnish upper-secondary schools.')
    .version(process.env['npm_package_version'] ?? '0.1.0')
    .option('--data-dir <dir>', 'data directory with the warehouse (env KIINNI_DATA_DIR)', undefined)
    .option('--config <file>', 'YAML configuration file (env KIINNI_CONFIG)')
    .option('--json', 'print one stable JSON document on stdout')
    .addOption(new Option('--log-level <level>', 'log level for stderr (env KIINNI_LOG_LEVEL)').choices([...logLevels]))
    .option('--debug', 'show stack traces and SQL of failures')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  /** Wraps an action: builds the context from global options and records the exit code. */
  const act =
    <A extends unknown[]>(run: (ctx: CliContext, ...args: A) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const ctx = createContext(cmd.optsWithGlobals<GlobalOptions>());
      state.exitCode = await run(ctx, ...(args.slice(0, -1) as A));
    };

  program
    .command('init')
    .description('create the data directory and the warehouse, or upgrade its schema')
    .action(act(async (ctx) => (await import('./commands/init.js')).runInit(ctx)));

  program
    .command('contracts')
    .description('show the canonical data contracts (columns, types, allowed values, sensitivity)')
    .argument('[kind]', 'one contract kind, e.g. attendance')
    .action(act(async (ctx, kind?: string) => (await import('./commands/contracts.js')).runContracts(ctx, kind)));

  declareOptions(
    program
    .command('ingest')
    .description('load export files into the warehouse; bad rows are quarantined, never lost')
    .argument('[kind]', 'contract kind of the files (students, attendance, …), or koski for KOSKI documents')
    .argument('[files...]', 'files to load (.csv, .parquet, .jsonl; for koski: .json, .jsonl or a bulk-export directory)'),
    commandOptions.ingest,
  ).action(
      act(async (ctx, kind: string | undefined, files: string[], opts: Record<string, unknown>) => {
        // Files named on the command line start being read and hashed in worker threads now,
        // while the rest of kiinni and DuckDB load (a 280 MB file's 0.3 s, overlapped).
        const ahead = kind && kind !== 'koski' && !opts['dir'] ? (await import('../ingest/file-scan.js')).scanAhead(files) : new Map();
        try {
          return await (await import('./commands/ingest.js')).runIngest(ctx, kind, files, opts, ahead);
        } finally {
          for (const scan of ahead.values()) scan.stop();
        }
      }),
    );

  const quarantine = program.command('quarantine').description('rows that were rejected at ingest, with file, line, column and reason');
  declareOptions(quarantine
    .command('list')
    .description('list quarantined problems'), commandOptions.quarantineList)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/quarantine.js')).runQuarantineList(ctx, opts)));
  declareOptions(quarantine
    .command('export')
    .description('write quarantined rows to a CSV file to fix and load again'), commandOptions.quarantineExport)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/quarantine.js')).runQuarantineExport(ctx, opts)));

  program
    .command('status')
    .description('rows per table, quarantine, recent ingests and schema version')
    .action(act(async (ctx) => (await import('./commands/status.js')).runStatus(ctx)));

  const backup = declareOptions(program
    .command('backup')
    .description('back the warehouse up (a checked copy in <data-dir>/backups/); list and restore backups'), commandOptions.backup)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/backup.js')).runBackup(ctx, opts)));
  backup.command('list').description('backups, newest first').action(act(async (ctx) => (await import('./commands/backup.js')).runBackupList(ctx)));
  backup
    .command('restore')
    .description('put a backup in place of the warehouse (the replaced file is kept beside it)')
    .argument('<file>', 'a file name from kiinni backup list, or a path')
    .action(act(async (ctx, file: string) => (await import('./commands/backup.js')).runBackupRestore(ctx, file)));

  program
    .command('profiles')
    .description('list the import profiles kiinni can use (shipped and the provider’s own)')
    .action(act(async (ctx) => (await import('./commands/profiles.js')).runProfiles(ctx)));

  const model = program.command('model').description('the risk model: train, evaluate, list, show and promote versions');
  declareOptions(model
    .command('train')
    .description('train, calibrate and evaluate a model on snapshots split in time; promote it if not worse'), commandOptions.modelTrain)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/model.js')).runModelTrain(ctx, opts)));
  model.command('list').description('model versions').action(act(async (ctx) => (await import('./commands/model.js')).runModelList(ctx)));
  model
    .command('show')
    .description('the model card of a version (default: current)')
    .argument('[version]')
    .action(act(async (ctx, version?: string) => (await import('./commands/model.js')).runModelShow(ctx, version)));
  model
    .command('promote')
    .description('make a version the current model')
    .argument('<version>')
    .action(act(async (ctx, version: string) => (await import('./commands/model.js')).runModelPromote(ctx, version)));
  declareOptions(model
    .command('evaluate')
    .description('recompute a version’s test metrics from the warehouse (default: current)')
    .argument('[version]'), commandOptions.modelEvaluate)
    .action(act(async (ctx, version: string | undefined, opts: Record<string, unknown>) => (await import('./commands/model.js')).runModelEvaluate(ctx, version, opts)));

  declareOptions(program
    .command('score')
    .description('score every active student: probability, band and reasons (current model)'), commandOptions.score)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/model.js')).runScore(ctx, opts)));

  const triggers = program.command('triggers').description('early-warning triggers (herätteet): rules, nightly run, lifecycle');
  const viewer = (c: Command) => declareOptions(c, commandOptions.triggerView);
  declareOptions(triggers
    .command('rules')
    .description('the trigger rules in force (shipped, the provider’s own, and config tuning)'), commandOptions.triggerRules)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerRules(ctx, opts)));
  declareOptions(triggers
    .command('run')
    .description('evaluate the rules as of a date and move triggers along: open, update, escalate, reroute, expire'), commandOptions.triggerRun)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerRun(ctx, opts)));
  viewer(
    declareOptions(triggers
      .command('list')
      .description('triggers, filtered by what the role or staff member may see'), commandOptions.triggerList),
  ).action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerList(ctx, opts)));
  viewer(triggers.command('show').description('one trigger with its history').argument('<id>')).action(
    act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerShow(ctx, id, opts)),
  );
  declareOptions(triggers
    .command('ack')
    .description('acknowledge a trigger: you have seen it and will act (stops escalation)')
    .argument('<id>'), commandOptions.triggerAck)
    .action(act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerAck(ctx, id, opts)));
  declareOptions(triggers
    .command('resolve')
    .description('resolve a trigger with its outcome; the rule then cools down for the student')
    .argument('<id>'), commandOptions.triggerResolve)
    .action(act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerResolve(ctx, id, opts)));

  const interventions = program.command('interventions').description('support given to students, and the triggers it answers');
  declareOptions(interventions
    .command('add')
    .description('record support given; with --trigger it resolves that trigger'), commandOptions.interventionAdd)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runInterventionAdd(ctx, opts)));
  declareOptions(interventions
    .command('list')
    .description('support recorded, filtered by what the role or staff member may see'), commandOptions.interventionList)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runInterventionList(ctx, opts)));

  const digest = program.command('digest').description('daily digests by e-mail: one per staff member, in their language, at most once a day');
  declareOptions(digest
    .command('send')
    .description('send the day’s digests (outbox of .eml files, or SMTP when KIINNI_SMTP_URL or digest.smtp is set)'), commandOptions.digestSend)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/digest.js')).runDigestSend(ctx, opts)));
  declareOptions(digest
    .command('preview')
    .description('print one staff member’s digest without sending it'), commandOptions.digestPreview)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/digest.js')).runDigestPreview(ctx, opts)));

  declareOptions(program
    .command('report')
    .description('leadership reports: cohort metrics, triggers, interventions and impact; never individual rows')
    .command('build')
    .description('write report.html (self-contained) and a CSV and Parquet file per table'), commandOptions.reportBuild)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/report.js')).runReportBuild(ctx, opts)));

  declareOptions(program
    .command('run')
    .description('run a pipeline (pipelines/*.yaml): nightly, retrain, backfill; resumes a failed run')
    .argument('<pipeline>', 'nightly, retrain or backfill'), commandOptions.run)
    .action(act(async (ctx, name: string, opts: Record<string, unknown>) => (await import('./commands/run.js')).runRun(ctx, name, opts)));
  declareOptions(program
    .command('runs')
    .description('the run log: pipeline runs and their steps, newest first'), commandOptions.runs)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/run.js')).runRuns(ctx, opts)));

  const checkins = program.command('checkins').description('check-ins at study bottlenecks (solmukohdat): who to ask today');
  declareOptions(checkins
    .command('plan')
    .description("plan today's check-ins within caps, quiet periods, opt-outs and support capacity"), commandOptions.checkinsPlan)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsPlan(ctx, opts)));
  declareOptions(checkins
    .command('opt-out')
    .description('a student who does not want check-ins (or --undo)')
    .argument('<student>'), commandOptions.checkinsOptOut)
    .action(act(async (ctx, student: string, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsOptOut(ctx, student, opts)));
  declareOptions(checkins
    .command('effect')
    .description('did students asked at a bottleneck exit less than comparable students not yet asked?'), commandOptions.checkinsEffect)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsEffect(ctx, opts)));
  checkins
    .command('import-log')
    .description("load the log of a check-in programme run outside kiinni's plan (candidates.csv, plans.csv)")
    .argument('<dir>')
    .action(act(async (ctx, dir: string) => (await import('./commands/checkins.js')).runCheckinsImportLog(ctx, dir)));

  declareOptions(program
    .command('serve')
    .description('the staff workspace in the browser: sign-in by e-mailed link, my triggers, students, support'), commandOptions.serve)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/serve.js')).runServe(ctx, opts)));

  declareOptions(program
    .command('audit')
    .description("the audit log: who looked at or changed students' data, when and from where")
    .command('list')
    .description('audit entries, newest first'), commandOptions.auditList)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runAuditList(ctx, opts)));

  declareOptions(program
    .command('subject-access')
    .description('export everything held about one student (GDPR art. 15)')
    .argument('<student>'), commandOptions.subjectAccess)
    .action(act(async (ctx, student: string, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runSubjectAccess(ctx, student, opts)));

  declareOptions(program
    .command('retention')
    .description('data retention')
    .command('apply')
    .description("remove the data of students who left more than retention.years_after_exit ago (the audit log stays)"), commandOptions.retentionApply)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runRetentionApply(ctx, opts)));

  declareOptions(program
    .command('fixtures')
    .description('synthetic data for demos, tests and benchmarks')
    .command('generate')
    .description('write a realistic synthetic cohort (every contract kind) with truth files'), commandOptions.fixturesGenerate)
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/fixtures.js')).runFixturesGenerate(ctx, opts)));

  return program;
}
