import { contractFor, contracts, type Contract } from '../../ingest/index.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

function describeColumn(c: Contract['columns'][number]): string {
  const parts: string[] = [];
  if (c.values) parts.push(`one of ${c.values.join(' | ')}`);
  if (c.min !== undefined || c.max !== undefined) parts.push(`${c.min ?? '…'}–${c.max ?? '…'}`);
  if (c.pattern) parts.push(c.pattern.description);
  if (c.maxLength) parts.push(`≤ ${c.maxLength} chars`);
  if (c.references) parts.push(`must exist in ${c.references.kind}`);
  return parts.join('; ');
}

function human(list: Contract[]): string {
  return list
    .map((k) =>
      [
        `${k.kind} — ${k.title}`,
        k.description,
        `key: ${k.key.join(', ')}${k.versionColumn ? ` (newest ${k.versionColumn} wins)` : ''}`,
        table(
          ['column', 'type', 'required', 'sensitivity', 'allowed', 'description'],
          k.columns.map((c) => [c.name, c.type, c.required ? 'yes' : 'no', c.sensitivity, describeColumn(c), c.description]),
        ),
        ...(k.rules?.length ? ['rules: ' + k.rules.map((r) => r.reason).join('; ')] : []),
      ].join('\n'),
    )
    .join('\n\n');
}

/** `kiinni contracts [kind]`: the same objects ingest validates against. */
export async function runContracts(ctx: CliContext, kind?: string): Promise<number> {
  const list = kind ? [contractFor(kind)] : Object.values(contracts);
  ctx.print(kind ? list[0] : { contracts: list }, () => human(list));
  return 0;
}
