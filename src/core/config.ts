import os from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ErrorCode, KiinniError } from './errors.js';
import { isoDateSchema } from './dates.js';

/** What a provider may put in its YAML config (kiinni.yaml). Unknown keys are errors. */
/** A display name: the same in every language, or one per language (fi required; sv and en fall back to it). */
const displayName = z.union([z.string().min(1).max(200), z.strictObject({ fi: z.string().min(1).max(200), sv: z.string().min(1).max(200).optional(), en: z.string().min(1).max(200).optional() })]);
export type DisplayName = z.infer<typeof displayName>;

const configSchema = z.strictObject({
  provider: z
    .strictObject({
      name: z.string().min(1).optional(),
    })
    .optional(),
  warehouse: z
    .strictObject({
      /** DuckDB memory limit, e.g. "2GB". */
      memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size like "2GB"').optional(),
      /** DuckDB worker threads. */
      threads: z.number().int().min(1).max(256).optional(),
      /** Back the warehouse up at the end of every finished nightly run (into <data-dir>/backups/). */
      nightly_backup: z.boolean().optional(),
      /** How many backups to keep (the oldest go first). */
      backups_kept: z.number().int().min(1).max(365).optional(),
    })
    .optional(),
  ingest: z
    .strictObject({
      /** Folder with the provider's own import profiles (*.yaml), relative to the config file. */
      profiles_dir: z.string().min(1).optional(),
      /** Exit with code 3 when any row was quarantined (default: only when a file is refused). */
      fail_on_quarantine: z.boolean().optional(),
      /** Share of a file's rows (0–1) that may be quarantined before the load ends with exit 5 (a warning). */
      max_quarantine_share: z.number().min(0).max(1).optional(),
    })
    .optional(),
  triggers: z
    .strictObject({
      /** Folder with the provider's own rule files (*.yaml), relative to the config file. */
      rules_dir: z.string().min(1).optional(),
      /** Per rule id: switch off, tune thresholds, cool-down or escalation delay. */
      rules: z
        .record(
          z.string(),
          z.strictObject({
            enabled: z.boolean().optional(),
            params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
            cooldown_days: z.number().int().min(0).max(365).optional(),
            escalation_after_days: z.number().int().min(1).max(90).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  digest: z
    .strictObject({
      /** Sender of the digests, e.g. "kiinni <kiinni@koulu.example.fi>". */
      from: z.string().min(3).optional(),
      /** Also send a short "nothing to act on today" message to staff with nothing open. */
      send_empty: z.boolean().optional(),
      /** SMTP server (credentials only from KIINNI_SMTP_USER / KIINNI_SMTP_PASSWORD). Without it, and without KIINNI_SMTP_URL, digests go to <data-dir>/outbox/. */
      smtp: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).default(587),
          /** tls: TLS from the start (port 465); starttls: upgrade required; none: plain (test servers only). */
          security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
        })
        .optional(),
      /** Attempts per message for transient SMTP errors, and the first backoff in ms (doubles each time). */
      retry: z.strictObject({ attempts: z.number().int().min(1).max(10).default(4), backoff_ms: z.number().int().min(0).max(60_000).default(1000) }).optional(),
      /** Triggers shown in full in one digest (new and escalated first); the rest are counted, with a link. */
      max_items: z.number().int().min(1).max(500).optional(),
      /** The day of the week a digest repeats every open trigger in full, even when nothing changed ("none": never). */
      reminder_weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'none']).optional(),
    })
    .optional(),
  report: z
    .strictObject({
      /** Smallest number of students a published figure may be about (at least 5). */
      min_cell: z.number().int().min(5).max(100).optional(),
      /** Days after planned_end that still count as completion on time. */
      completion_grace_days: z.number().int().min(0).max(365).optional(),
      /** A programme start (e.g. check-ins) to compare before and after, against the other units. */
      programme_start: z.strictObject({ date: isoDateSchema, units: z.array(z.string().min(1)).min(1) }).optional(),
      /** National negative-exit shares by education type, e.g. { vocational: 0.133, upper_secondary: 0.036 }. */
      national_baseline: z.record(z.enum(['vocational', 'upper_secondary']), z.number().min(0).max(1)).optional(),
    })
    .optional(),
  web: z
    .strictObject({
      /** The workspace's address as staff reach it, e.g. https://kiinni.koulu.example.fi (sign-in links in e-mails use it). */
      base_url: z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected an address like https://kiinni.example.fi').optional(),
      /** Minutes a sign-in link asked for on the sign-in page stays valid. */
      link_minutes: z.number().int().min(1).max(1440).optional(),
      /** Hours the sign-in link in a daily digest stays valid. */
      digest_link_hours: z.number().int().min(1).max(72).optional(),
      /** Hours of inactivity after which a session ends. */
      session_hours: z.number().int().min(1).max(24).optional(),
      /** Sign-in link requests allowed per address and per client per 15 minutes. */
      link_requests_per_15_min: z.number().int().min(1).max(100).optional(),
      /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); default none. */
      trusted_proxies: z.array(z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'expected an IP address or CIDR range like 10.0.0.5 or 10.0.0.0/24')).optional(),
      /** Days after a student's study right ended during which staff assigned to them or their group may still open their page. */
      access_after_exit_days: z.number().int().min(0).max(365).optional(),
      /** The workspace's "today" for demos and replays (YYYY-MM-DD); unset: today in Finland. */
      today: isoDateSchema.optional(),
      /** Sign-in with the provider's identity service (OpenID Connect, authorisation-code flow with PKCE); the e-mailed link stays available. */
      oidc: z
        .strictObject({
          /** The issuer, e.g. https://login.microsoftonline.com/<tenant id>/v2.0, https://accounts.google.com or MPASSid's OIDC issuer. */
          issuer: z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'expected an address like https://accounts.google.com'),
          client_id: z.string().min(1).max(200),
          /** The environment variable holding the client secret (never the secret itself in the file). */
          client_secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name like KIINNI_OIDC_CLIENT_SECRET').optional(),
          /** The ID-token claim that carries the staff member's e-mail, matched to staff.email (default email). */
          email_claim: z.string().min(1).max(100).optional(),
          /** Scopes asked for (default openid email profile). */
          scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope name')).min(1).optional(),
          /** The service's name on the sign-in button, e.g. Microsoft, Google, MPASSid. */
          label: z.string().min(1).max(60).optional(),
        })
        .optional(),
    })
    .optional(),
  /** How programmes and units are named on screen and in reports (codes from the exports stay in the data): a name, or one per language. */
  display_names: z
    .strictObject({
      programmes: z.record(z.string(), displayName).optional(),
      units: z.record(z.string(), displayName).optional(),
    })
    .optional(),
  koski: z
    .strictObject({
      /** Keep students' names (kutsumanimi, sukunimi) from KOSKI documents; never for a person under turvakielto. */
      names: z.boolean().optional(),
    })
    .optional(),
  retention: z
    .strictObject({
      /** Years after a study right ended (graduated, resigned, transferred) before a student's data is removed. */
      years_after_exit: z.number().min(0.5).max(20).optional(),
      /** Years the audit log is kept (it outlives the data it describes). */
      audit_years: z.number().min(1).max(30).optional(),
    })
    .optional(),
  checkins: z
    .strictObject({
      /** At most one planned check-in per student in this many days. */
      min_days_between: z.number().int().min(1).max(365).optional(),
      /** Holidays and other periods with no check-ins (dates inclusive). */
      quiet_periods: z.array(z.strictObject({ from: isoDateSchema, to: isoDateSchema })).optional(),
      /** Help requests a unit's support staff can answer per day, per need category. */
      capacity_per_unit: z.record(z.enum(['studies', 'wellbeing', 'health', 'life_situation']), z.number().min(0)).optional(),
      /** Plan so that the day's help requests stay within capacity with this probability (Poisson), not just on average. */
      capacity_confidence: z.number().min(0.5).max(0.999).optional(),
    })
    .optional(),
});

/** Tuning of one trigger rule from the config. */
export interface RuleTuning {
  enabled?: boolean | undefined;
  params?: Record<string, number | string | boolean> | undefined;
  cooldown_days?: number | undefined;
  escalation_after_days?: number | undefined;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

/** The normalised config: every optional filled in, paths absolute. */
export interface Config {
  providerName: string;
  /** DuckDB's memory budget: the config's, else `defaultMemoryLimit()`. */
  warehouse: { memoryLimit: string; threads: number | undefined; nightlyBackup: boolean; backupsKept: number };
  ingest: { profilesDir: string | undefined; failOnQuarantine: boolean; maxQuarantineShare: number };
  triggers: { rulesDir: string | undefined; rules: Record<string, RuleTuning> };
  digest: {
    from: string;
    sendEmpty: boolean;
    smtp: { host: string; port: number; security: 'starttls' | 'tls' | 'none' } | undefined;
    retry: { attempts: number; backoffMs: number };
    maxItems: number;
    reminderWeekday: Weekday | 'none';
  };
  checkins: {
    minDaysBetween: number;
    quietPeriods: { from: string; to: string }[];
    capacityPerUnit: Record<'studies' | 'wellbeing' | 'health' | 'life_situation', number>;
    capacityConfidence: number | undefined;
  };
  web: { baseUrl: string | undefined; linkMinutes: number; digestLinkHours: number; sessionHours: number; linkRequestsPer15Min: number; trustedProxies: string[]; accessAfterExitDays: number; today: string | undefined; oidc: OidcConfig | undefined };
  retention: { yearsAfterExit: number; auditYears: number };
  koski: { names: boolean };
  displayNames: { programmes: Record<string, DisplayName>; units: Record<string, DisplayName> };
  report: {
    minCell: number;
    graceDays: number;
    programmeStart: { date: string; units: string[] } | undefined;
    nationalBaseline: Record<string, number>;
  };
  /** The file it came from, or undefined for defaults. */
  source: string | undefined;
}

/** Sign-in through the provider's OpenID Connect service (config `web.oidc`). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Name of the environment variable with the client secret. */
  clientSecretEnv: string;
  emailClaim: string;
  scopes: string[];
  label: string;
}

/** Default config, used when no --config is given. */
export function defaultConfig(): Config {
  return normalizeConfig({}, undefined);
}

function normalizeConfig(raw: z.infer<typeof configSchema>, source: string | undefined): Config {
  const base = source ? path.dirname(source) : process.cwd();
  return {
    providerName: raw.provider?.name ?? 'kiinni',
    warehouse: { memoryLimit: raw.warehouse?.memory_limit ?? defaultMemoryLimit(), threads: raw.warehouse?.threads, nightlyBackup: raw.warehouse?.nightly_backup ?? false, backupsKept: raw.warehouse?.backups_kept ?? 7 },
    ingest: {
      profilesDir: raw.ingest?.profiles_dir ? path.resolve(base, raw.ingest.profiles_dir) : undefined,
      failOnQuarantine: raw.ingest?.fail_on_quarantine ?? false,
      maxQuarantineShare: raw.ingest?.max_quarantine_share ?? 0.1,
    },
    triggers: {
      rulesDir: raw.triggers?.rules_dir ? path.resolve(base, raw.triggers.rules_dir) : undefined,
      rules: raw.triggers?.rules ?? {},
    },
    digest: {
      from: raw.digest?.from ?? 'kiinni <kiinni@localhost>',
      sendEmpty: raw.digest?.send_empty ?? false,
      smtp: raw.digest?.smtp ? { host: raw.digest.smtp.host, port: raw.digest.smtp.port, security: raw.digest.smtp.security } : undefined,
      retry: { attempts: raw.digest?.retry?.attempts ?? 4, backoffMs: raw.digest?.retry?.backoff_ms ?? 1000 },
      maxItems: raw.digest?.max_items ?? 20,
      reminderWeekday: raw.digest?.reminder_weekday ?? 'monday',
    },
    checkins: {
      minDaysBetween: raw.checkins?.min_days_between ?? 28,
      quietPeriods: raw.checkins?.quiet_periods ?? [],
      capacityPerUnit: { studies: 6, wellbeing: 4, health: 3, life_situation: 3, ...(raw.checkins?.capacity_per_unit ?? {}) },
      capacityConfidence: raw.checkins?.capacity_confidence,
    },
    web: {
      baseUrl: raw.web?.base_url?.replace(/\/+$/, ''),
      linkMinutes: raw.web?.link_minutes ?? 15,
      digestLinkHours: raw.web?.digest_link_hours ?? 18,
      sessionHours: raw.web?.session_hours ?? 8,
      linkRequestsPer15Min: raw.web?.link_requests_per_15_min ?? 5,
      trustedProxies: raw.web?.trusted_proxies ?? [],
      accessAfterExitDays: raw.web?.access_after_exit_days ?? 30,
      today: raw.web?.today,
      oidc: raw.web?.oidc
        ? {
            issuer: raw.web.oidc.issuer,
            clientId: raw.web.oidc.client_id,
            clientSecretEnv: raw.web.oidc.client_secret_env ?? 'KIINNI_OIDC_CLIENT_SECRET',
            emailClaim: raw.web.oidc.email_claim ?? 'email',
            scopes: raw.web.oidc.scopes ?? ['openid', 'email', 'profile'],
            label: raw.web.oidc.label ?? new URL(raw.web.oidc.issuer).hostname,
          }
        : undefined,
    },
    retention: { yearsAfterExit: raw.retention?.years_after_exit ?? 5, auditYears: raw.retention?.audit_years ?? 10 },
    koski: { names: raw.koski?.names ?? false },
    displayNames: { programmes: raw.display_names?.programmes ?? {}, units: raw.display_names?.units ?? {} },
    report: {
      minCell: raw.report?.min_cell ?? 5,
      graceDays: raw.report?.completion_grace_days ?? 90,
      programmeStart: raw.report?.programme_start,
      // Statistics Finland 2019/20: vocational basic qualifications 13.3 %, lukio 3.6 % (DOMAIN.md).
      nationalBaseline: raw.report?.national_baseline ?? { vocational: 0.133, upper_secondary: 0.036 },
    },
    source,
  };
}

/** Formats one schema issue as `key.path: message`, naming the key the coordinator must fix. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${issue.path.join('.')}.` : '';
    return issue.keys.map((k) => `${prefix}${k}: unknown key`).join('; ');
  }
  return `${key}: ${issue.message}`;
}

/** Parses a config document already read from `source`. Throws CONFIG_INVALID naming each key. */
export function parseConfig(text: string, source: string): Config {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` line ${err.linePos[0].line}` : '';
    throw new KiinniError(ErrorCode.ConfigInvalid, `${source}${where}: not valid YAML.`, 'Check indentation and quoting.', { cause: err });
  }
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    const problems = result.error.issues.map(describeIssue);
    throw new KiinniError(
      ErrorCode.ConfigInvalid,
      `${source}: invalid configuration: ${problems.join('; ')}.`,
      "See README.md, section 'Configuration', for every key and its allowed values.",
    );
  }
  return normalizeConfig(result.data, source);
}

/** Reads and validates the YAML config file, or returns defaults when none is given. */
export function loadConfig(file: string | undefined): Config {
  if (!file) return defaultConfig();
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new KiinniError(ErrorCode.ConfigInvalid, `Cannot read config file ${file}.`, 'Check the path given to --config.', { cause: err });
  }
  return parseConfig(text, abs);
}

/**
 * DuckDB's memory budget when the config names none: half of what this machine — or its
 * container, when a cgroup limits it — has, and at most 2 GB (the national night fits in that,
 * spilling to `<data-dir>/tmp/`; a provider with a larger machine may raise it). DuckDB's own
 * default, 80 % of the machine, leaves a small VM no room for Node and the operating system.
 */
export function defaultMemoryLimit(total = machineMemory()): string {
  const mb = Math.max(256, Math.min(2048, Math.floor(total / 2 / 2 ** 20)));
  return `${mb}MB`;
}

/** Bytes of memory this process may use: the cgroup's limit when there is one, else the machine's. */
function machineMemory(): number {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const machine = os.totalmem();
  return constrained && constrained > 0 && constrained < machine ? constrained : machine;
}
