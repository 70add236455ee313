import { languages } from '../core/vocabulary.js';
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
    .addOption(new Option('--log-level <level>', 'log level for stderr (env KIINNI_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
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

  program
    .command('ingest')
    .description('load export files into the warehouse; bad rows are quarantined, never lost')
    .argument('[kind]', 'contract kind of the files (students, attendance, …), or koski for KOSKI documents')
    .argument('[files...]', 'files to load (.csv, .parquet, .jsonl; for koski: .json, .jsonl or a bulk-export directory)')
    .option('--dir <dir>', 'load every <kind>.csv|parquet|jsonl in a directory, in dependency order')
    .option('--profile <name>', 'import profile (name or .yaml path); repeat for several kinds with --dir', (v: string, prev: string[] = []) => [...prev, v])
    .option('--fail-on-quarantine', 'exit with code 3 when any row was quarantined')
    .action(
      act(async (ctx, kind: string | undefined, files: string[], opts: Record<string, unknown>) =>
        (await import('./commands/ingest.js')).runIngest(ctx, kind, files, opts),
      ),
    );

  const quarantine = program.command('quarantine').description('rows that were rejected at ingest, with file, line, column and reason');
  quarantine
    .command('list')
    .description('list quarantined problems')
    .option('--kind <kind>', 'only this contract kind')
    .option('--file <name>', 'only this file name')
    .option('--limit <n>', 'at most this many', '200')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/quarantine.js')).runQuarantineList(ctx, opts)));
  quarantine
    .command('export')
    .description('write quarantined rows to a CSV file to fix and load again')
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--kind <kind>', 'only this contract kind')
    .option('--file <name>', 'only this file name')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/quarantine.js')).runQuarantineExport(ctx, opts)));

  program
    .command('status')
    .description('rows per table, quarantine, recent ingests and schema version')
    .action(act(async (ctx) => (await import('./commands/status.js')).runStatus(ctx)));

  const backup = program
    .command('backup')
    .description('back the warehouse up (a checked copy in <data-dir>/backups/); list and restore backups')
    .option('--keep <n>', 'backups to keep (default warehouse.backups_kept, 7)')
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
  model
    .command('train')
    .description('train, calibrate and evaluate a model on snapshots split in time; promote it if not worse')
    .option('--as-of <date>', 'last day of data to use (default: the latest in the warehouse)')
    .option('--horizon <days>', 'outcome horizon in days (default from models/model-spec.yaml)')
    .option('--truth <dir>', "a generator's truth/ directory: adds the best achievable ROC AUC to the card")
    .option('--no-promote', 'register the model without making it current')
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
  model
    .command('evaluate')
    .description('recompute a version’s test metrics from the warehouse (default: current)')
    .argument('[version]')
    .option('--truth <dir>', "a generator's truth/ directory: adds oracle_roc_auc")
    .action(act(async (ctx, version: string | undefined, opts: Record<string, unknown>) => (await import('./commands/model.js')).runModelEvaluate(ctx, version, opts)));

  program
    .command('score')
    .description('score every active student: probability, band and reasons (current model)')
    .option('--as-of <date>', 'scoring date (default: the latest date in the warehouse)')
    .option('--model <version>', 'a model version other than the current one')
    .option('--show <n>', 'also print the n highest-risk students with their reasons', '0')
    .addOption(new Option('--lang <lang>', 'language of the reasons').choices([...languages]).default('en'))
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/model.js')).runScore(ctx, opts)));

  const triggers = program.command('triggers').description('early-warning triggers (herätteet): rules, nightly run, lifecycle');
  const langOption = () => new Option('--lang <lang>', 'language of titles and messages (default: the staff member’s, else en)').choices([...languages]);
  const viewer = (c: Command) =>
    c.option('--role <role>', 'see as this role: only what it may see, only triggers for it').option('--staff <id>', 'see as this staff member: only triggers routed to them').addOption(langOption());
  triggers
    .command('rules')
    .description('the trigger rules in force (shipped, the provider’s own, and config tuning)')
    .option('--facts', 'also list the student facts conditions may use')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerRules(ctx, opts)));
  triggers
    .command('run')
    .description('evaluate the rules as of a date and move triggers along: open, update, escalate, reroute, expire')
    .option('--as-of <date>', 'date to run for (default: the latest date in the warehouse)')
    .option('--until <date>', 'run every day from --as-of up to this date (replay)')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerRun(ctx, opts)));
  viewer(
    triggers
      .command('list')
      .description('triggers, filtered by what the role or staff member may see')
      .option('--status <status>', 'open, acknowledged, resolved or expired')
      .option('--student <id>', 'one student')
      .option('--rule <id>', 'one rule')
      .option('--unrouted', 'only open triggers with nobody to route to (routing gaps)')
      .option('--limit <n>', 'at most this many', '500'),
  ).action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerList(ctx, opts)));
  viewer(triggers.command('show').description('one trigger with its history').argument('<id>')).action(
    act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerShow(ctx, id, opts)),
  );
  triggers
    .command('ack')
    .description('acknowledge a trigger: you have seen it and will act (stops escalation)')
    .argument('<id>')
    .requiredOption('--staff <id>', 'who acknowledges')
    .option('--on <date>', 'date (default: today)')
    .action(act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerAck(ctx, id, opts)));
  triggers
    .command('resolve')
    .description('resolve a trigger with its outcome; the rule then cools down for the student')
    .argument('<id>')
    .requiredOption('--staff <id>', 'who resolves')
    .addOption(new Option('--outcome <outcome>', 'what came of it').choices(['supported', 'referred', 'no_action_needed', 'could_not_reach']).makeOptionMandatory())
    .option('--on <date>', 'date (default: today)')
    .action(act(async (ctx, id: string, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runTriggerResolve(ctx, id, opts)));

  const interventions = program.command('interventions').description('support given to students, and the triggers it answers');
  interventions
    .command('add')
    .description('record support given; with --trigger it resolves that trigger')
    .requiredOption('--student <id>', 'student supported')
    .requiredOption('--staff <id>', 'who gave the support')
    .requiredOption('--role <role>', 'in which role')
    .requiredOption('--type <type>', 'contact, meeting, study_plan_revision, support_group, referral, …')
    .addOption(new Option('--scope <scope>', 'individual or group').choices(['individual', 'group']).default('individual'))
    .option('--date <date>', 'when (default: today)')
    .option('--trigger <id>', 'the trigger this answers')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runInterventionAdd(ctx, opts)));
  interventions
    .command('list')
    .description('support recorded, filtered by what the role or staff member may see')
    .option('--student <id>', 'one student')
    .option('--role <role>', 'see as this role')
    .option('--staff <id>', 'see as this staff member: support they gave')
    .option('--limit <n>', 'at most this many', '500')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/triggers.js')).runInterventionList(ctx, opts)));

  const digest = program.command('digest').description('daily digests by e-mail: one per staff member, in their language, at most once a day');
  digest
    .command('send')
    .description('send the day’s digests (outbox of .eml files, or SMTP when KIINNI_SMTP_URL or digest.smtp is set)')
    .option('--as-of <date>', 'digest date (default: the last trigger run)')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/digest.js')).runDigestSend(ctx, opts)));
  digest
    .command('preview')
    .description('print one staff member’s digest without sending it')
    .requiredOption('--staff <id>', 'staff member')
    .option('--as-of <date>', 'digest date (default: the last trigger run)')
    .addOption(new Option('--format <format>', 'text, html or json').choices(['text', 'html', 'json']).default('text'))
    .option('--out <file>', 'write to a file (open an .html file in a browser)')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/digest.js')).runDigestPreview(ctx, opts)));

  program
    .command('report')
    .description('leadership reports: cohort metrics, triggers, interventions and impact; never individual rows')
    .command('build')
    .description('write report.html (self-contained) and a CSV and Parquet file per table')
    .requiredOption('--out <dir>', 'output directory')
    .option('--as-of <date>', 'report date (default: the latest date in the warehouse)')
    .option('--unit <unit>', 'only this unit')
    .addOption(new Option('--lang <lang>', 'language').choices([...languages]).default('fi'))
    .option('--bootstrap <n>', 'bootstrap resamples for confidence intervals', '500')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/report.js')).runReportBuild(ctx, opts)));

  program
    .command('run')
    .description('run a pipeline (pipelines/*.yaml): nightly, retrain, backfill; resumes a failed run')
    .argument('<pipeline>', 'nightly, retrain or backfill')
    .option('--as-of <date>', 'the night to run (default: the latest date in the warehouse)')
    .option('--from <date>', 'backfill: first day')
    .option('--to <date>', 'backfill: last day')
    .option('--dry-run', 'show what would run, change nothing')
    .option('--force', 'run a finished run again')
    .action(act(async (ctx, name: string, opts: Record<string, unknown>) => (await import('./commands/run.js')).runRun(ctx, name, opts)));
  program
    .command('runs')
    .description('the run log: pipeline runs and their steps, newest first')
    .option('--limit <n>', 'at most this many runs', '20')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/run.js')).runRuns(ctx, opts)));

  const checkins = program.command('checkins').description('check-ins at study bottlenecks (solmukohdat): who to ask today');
  checkins
    .command('plan')
    .description("plan today's check-ins within caps, quiet periods, opt-outs and support capacity")
    .option('--as-of <date>', 'date to plan for (default: the latest date in the warehouse)')
    .option('--out <file>', 'write the plan for the messaging gateway')
    .addOption(new Option('--format <format>', 'file format').choices(['jsonl', 'csv']).default('jsonl'))
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsPlan(ctx, opts)));
  checkins
    .command('opt-out')
    .description('a student who does not want check-ins (or --undo)')
    .argument('<student>')
    .option('--since <date>', 'from this date (default: today)')
    .option('--undo', 'the student may be asked again')
    .action(act(async (ctx, student: string, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsOptOut(ctx, student, opts)));
  checkins
    .command('effect')
    .description('did students asked at a bottleneck exit less than comparable students not yet asked?')
    .option('--as-of <date>', 'outcomes known up to this date (default: the latest date in the warehouse)')
    .option('--from <date>', 'bottleneck episodes starting on or after this date', '2000-01-01')
    .option('--grace-days <n>', 'asked within this many days of reaching the bottleneck counts as asked', '14')
    .option('--window-days <n>', 'negative exits counted this many days after the grace period', '90')
    .option('--bootstrap <n>', 'bootstrap resamples for the confidence intervals', '500')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/checkins.js')).runCheckinsEffect(ctx, opts)));
  checkins
    .command('import-log')
    .description("load the log of a check-in programme run outside kiinni's plan (candidates.csv, plans.csv)")
    .argument('<dir>')
    .action(act(async (ctx, dir: string) => (await import('./commands/checkins.js')).runCheckinsImportLog(ctx, dir)));

  program
    .command('serve')
    .description('the staff workspace in the browser: sign-in by e-mailed link, my triggers, students, support')
    .option('--host <host>', 'address to listen on (put a TLS proxy in front for anything but localhost)', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/serve.js')).runServe(ctx, opts)));

  program
    .command('audit')
    .description("the audit log: who looked at or changed students' data, when and from where")
    .command('list')
    .description('audit entries, newest first')
    .option('--student <id>', 'about this student')
    .option('--staff <id>', 'by this staff member')
    .option('--since <date>', 'from this date')
    .option('--limit <n>', 'at most this many', '200')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runAuditList(ctx, opts)));

  program
    .command('subject-access')
    .description('export everything held about one student (GDPR art. 15)')
    .argument('<student>')
    .requiredOption('--out <file>', 'file to write')
    .addOption(new Option('--format <format>', 'file format').choices(['html', 'json']).default('html'))
    .addOption(new Option('--lang <lang>', 'language of the HTML export').choices([...languages]).default('fi'))
    .action(act(async (ctx, student: string, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runSubjectAccess(ctx, student, opts)));

  program
    .command('retention')
    .description('data retention')
    .command('apply')
    .description("remove the data of students who left more than retention.years_after_exit ago (the audit log stays)")
    .option('--as-of <date>', 'date to count from (default: today)')
    .option('--dry-run', 'only count what would be removed')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/privacy.js')).runRetentionApply(ctx, opts)));

  program
    .command('fixtures')
    .description('synthetic data for demos, tests and benchmarks')
    .command('generate')
    .description('write a realistic synthetic cohort (every contract kind) with truth files')
    .option('--students <n>', 'number of students', '600')
    .option('--seed <n>', 'random seed (same seed, same bytes)', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--start <date>', 'first day of the simulated window', '2024-08-01')
    .option('--years <n>', 'years of history', '2')
    .addOption(new Option('--format <format>', 'file format (koski: students, events and courses as KOSKI documents, one file per person, in koski/)').choices(['csv', 'parquet', 'koski']).default('csv'))
    .option('--dirty <rate>', 'inject realistic faults after this share of rows (e.g. 0.001)', '0')
    .option('--checkin-programme <date>', 'simulate a check-in programme at study bottlenecks from this date (log in checkins/, truth in truth/checkins.csv)')
    .action(act(async (ctx, opts: Record<string, unknown>) => (await import('./commands/fixtures.js')).runFixturesGenerate(ctx, opts)));

  return program;
}
