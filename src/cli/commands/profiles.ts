import { listProfiles } from '../../ingest/index.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

/** `kiinni profiles`: import profiles available by name. */
export async function runProfiles(ctx: CliContext): Promise<number> {
  const profiles = listProfiles(ctx.config.ingest.profilesDir).map((p) => ({ name: p.name, kind: p.kind, description: p.description, source: p.source }));
  ctx.print({ profiles }, () => table(['name', 'kind', 'description'], profiles.map((p) => [p.name, p.kind, p.description])));
  return 0;
}
