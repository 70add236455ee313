import { dataDirLayout, ensureDataDir } from '../../core/data-dir.js';
import { ErrorCode, KiinniError } from '../../core/errors.js';
import { existsSync } from 'node:fs';
import { outboxMailer, smtpMailer } from '../../digest/index.js';
import { buildWorkspace, webSecret } from '../../web/index.js';
import { allMigrations } from '../../app/index.js';
import { commandOptions, schemaOf } from '../command-options.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';

/** `kiinni serve [--host 127.0.0.1] [--port 8080]`: the staff workspace, until stopped. */
export async function runServe(ctx: CliContext, raw: Record<string, unknown>): Promise<number> {
  const opts = parseOptions(schemaOf(commandOptions.serve), raw);
  const dir = dataDirLayout(ctx.dataDir);
  if (!existsSync(dir.warehouse)) throw new KiinniError(ErrorCode.WarehouseState, `No warehouse in ${dir.root}.`, "Run 'kiinni init' first, or point --data-dir (KIINNI_DATA_DIR) at your data directory.");
  // Sign-in links are built from configuration only, never from a request's Host header. Without
  // web.base_url they point at the address this server is started on, which must then be one.
  const anyInterface = ['0.0.0.0', '::', '[::]', ''].includes(opts.host);
  if (!ctx.config.web.baseUrl && anyInterface) {
    throw new KiinniError(ErrorCode.ConfigInvalid, `Serving on every interface (--host ${opts.host}) needs web.base_url: sign-in links must name the address staff use.`, 'Set web.base_url in the config (e.g. https://kiinni.koulu.example.fi), or give --host a single address.');
  }
  ensureDataDir(dir);
  const mailer = smtpMailer(ctx.config) ?? outboxMailer(dir.outbox);
  const { app } = await buildWorkspace({ dir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, migrations: allMigrations, mailer, secret: webSecret(dir.root) });
  const address = await app.listen({ host: opts.host, port: opts.port });
  ctx.config.web.baseUrl ??= address;
  ctx.logger.info({ address, mail: mailer.kind }, 'workspace_listening');
  process.stderr.write(`kiinni workspace on ${address} (sign-in links go to ${mailer.kind === 'smtp' ? 'SMTP' : mailer.where}); Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(() => {
        mailer.close();
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
