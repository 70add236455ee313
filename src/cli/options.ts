import { z } from 'zod';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { isoDateSchema } from '../core/dates.js';
import type { Warehouse } from '../db/warehouse.js';
import { resolveAsOf } from '../features/index.js';
import type { CliContext } from './context.js';

/** A YYYY-MM-DD option. */
export const dateOption = isoDateSchema;

/** Validates a command's options; the error names the option as typed (`--as-of`), with an optional hint. */
export function parseOptions<T>(schema: z.ZodType<T>, raw: unknown, hint?: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new KiinniError(ErrorCode.Usage, `--${String(i.path[0]).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.message}.`, hint);
  }
  return r.data;
}

/** Session options for a command that writes (takes the writer lock). */
export const writeSession = (ctx: CliContext, command: string) => ({ dataDir: ctx.dataDir, config: ctx.config, logger: ctx.logger, clock: ctx.clock, write: true, command });
/** Session options for a read-only command. */
export const readSession = (ctx: CliContext, command: string) => ({ ...writeSession(ctx, command), write: false });

/** The date a command works on: --as-of, else the latest date with data, else today in Finland. */
export async function asOfOrLatest(db: Warehouse, ctx: CliContext, asOf: string | undefined): Promise<string> {
  return resolveAsOf(db, asOf, ctx.clock);
}
