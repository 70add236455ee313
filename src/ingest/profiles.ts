import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';
import { contractFor, contractKinds, type Contract } from './contracts/index.js';

/**
 * An import profile maps one source export (Finnish headers, d.m.yyyy dates, kyllä/ei) onto a
 * canonical contract. Profiles are YAML, written by the data coordinator.
 */
const profileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a name like wilma-attendance'),
  kind: z.enum(contractKinds),
  description: z.string().optional(),
  format: z.enum(['csv', 'parquet', 'jsonl']).optional(),
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
  encoding: z.enum(['utf-8', 'latin-1']).optional(),
  skip_rows: z.number().int().min(0).max(1000).optional(),
  date_format: z.string().min(1).optional(),
  timestamp_format: z.string().min(1).optional(),
  /** contract column → source column header */
  columns: z.record(z.string(), z.string().min(1)).optional(),
  /** contract column → { source value → canonical value } */
  values: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  /** contract column → DuckDB SQL expression over source columns */
  derived: z.record(z.string(), z.string().min(1)).optional(),
  /** DuckDB SQL predicate over source columns: matching rows are skipped on purpose (and counted). */
  skip_where: z.string().min(1).optional(),
});

/** A validated import profile. */
export interface ImportProfile {
  name: string;
  kind: Contract['kind'];
  description: string;
  source: string;
  format: 'csv' | 'parquet' | 'jsonl' | undefined;
  delimiter: string | undefined;
  encoding: 'utf-8' | 'latin-1' | undefined;
  skipRows: number;
  /** strptime formats for DuckDB, and the patterns as the profile wrote them (for messages). */
  dateFormat: string | undefined;
  timestampFormat: string | undefined;
  dateFormatText: string | undefined;
  timestampFormatText: string | undefined;
  columns: Record<string, string>;
  values: Record<string, Record<string, string>>;
  derived: Record<string, string>;
  skipWhere: string | undefined;
}

/** Turns `d.m.yyyy`-style patterns into DuckDB strptime formats; `%` formats pass through. */
export function toStrptimeFormat(pattern: string): string {
  if (pattern.includes('%')) return pattern;
  return pattern.replace(/yyyy|yy|dd|d|mm|m|HH|H|MI|SS/g, (t) =>
    ({ yyyy: '%Y', yy: '%y', dd: '%d', d: '%d', mm: '%m', m: '%m', HH: '%H', H: '%H', MI: '%M', SS: '%S' })[t] ?? t,
  );
}

/** Validates a parsed profile document (from `source`) against the schema and its contract. */
export function parseProfile(doc: unknown, source: string): ImportProfile {
  const result = profileSchema.safeParse(doc);
  if (!result.success) {
    const problems = result.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => `${k}: unknown key`).join('; ') : `${i.path.join('.') || '(top level)'}: ${i.message}`,
    );
    throw new KiinniError(ErrorCode.ConfigInvalid, `Import profile ${source}: ${problems.join('; ')}.`, 'See README.md, "Import profiles".');
  }
  const p = result.data;
  const contract = contractFor(p.kind);
  const known = new Set(contract.columns.map((c) => c.name));
  for (const [section, map] of [['columns', p.columns], ['values', p.values], ['derived', p.derived]] as const) {
    for (const key of Object.keys(map ?? {})) {
      if (!known.has(key)) {
        throw new KiinniError(
          ErrorCode.ConfigInvalid,
          `Import profile ${source}: ${section}.${key}: '${key}' is not a column of the ${p.kind} contract.`,
          `Columns of ${p.kind}: ${[...known].join(', ')}. Run 'kiinni contracts ${p.kind}'.`,
        );
      }
    }
  }
  const values: Record<string, Record<string, string>> = {};
  for (const [col, map] of Object.entries(p.values ?? {})) {
    values[col] = Object.fromEntries(Object.entries(map).map(([from, to]) => [from, String(to)]));
  }
  return {
    name: p.name,
    kind: p.kind,
    description: p.description ?? '',
    source,
    format: p.format,
    delimiter: p.delimiter,
    encoding: p.encoding,
    skipRows: p.skip_rows ?? 0,
    dateFormat: p.date_format ? toStrptimeFormat(p.date_format) : undefined,
    timestampFormat: p.timestamp_format ? toStrptimeFormat(p.timestamp_format) : undefined,
    dateFormatText: p.date_format,
    timestampFormatText: p.timestamp_format,
    columns: p.columns ?? {},
    values,
    derived: p.derived ?? {},
    skipWhere: p.skip_where,
  };
}

/** Reads one profile file. */
export function readProfileFile(file: string): ImportProfile {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KiinniError(ErrorCode.ConfigInvalid, `Cannot read import profile ${file}: ${(err as Error).message.split('\n')[0]}`, undefined, { cause: err });
  }
  return parseProfile(doc, file);
}

/** Folders searched for profiles: the provider's own first, then the ones kiinni ships. */
export function profileDirs(providerDir: string | undefined): string[] {
  const shipped = path.join(packageRoot(), 'models', 'import-profiles');
  return providerDir ? [providerDir, shipped] : [shipped];
}

/** Finds a profile by name (in the profile folders) or by path to a .yaml file. */
export function findProfile(nameOrPath: string, providerDir: string | undefined): ImportProfile {
  if (/\.ya?ml$/i.test(nameOrPath)) {
    if (!existsSync(nameOrPath)) throw new KiinniError(ErrorCode.NotFound, `Import profile file ${nameOrPath} not found.`);
    return readProfileFile(nameOrPath);
  }
  for (const dir of profileDirs(providerDir)) {
    for (const ext of ['.yaml', '.yml']) {
      const file = path.join(dir, nameOrPath + ext);
      if (existsSync(file)) return readProfileFile(file);
    }
  }
  const known = listProfiles(providerDir).map((p) => p.name);
  throw new KiinniError(ErrorCode.NotFound, `Unknown import profile '${nameOrPath}'.`, `Known profiles: ${known.join(', ') || '(none)'}.`);
}

/** Every profile in the profile folders (provider's own override shipped ones of the same name). */
export function listProfiles(providerDir: string | undefined): ImportProfile[] {
  const byName = new Map<string, ImportProfile>();
  for (const dir of profileDirs(providerDir).reverse()) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/i.test(f)) continue;
      const profile = readProfileFile(path.join(dir, f));
      byName.set(profile.name, profile);
    }
  }
  return [...byName.values()];
}
