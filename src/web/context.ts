import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Config } from '../core/config.js';
import type { DataDir } from '../core/data-dir.js';
import { addDays, isCalendarDate } from '../core/dates.js';
import type { Html } from '../core/html.js';
import type { Logger } from '../core/log.js';
import type { Migration } from '../db/migrate.js';
import type { Warehouse } from '../db/warehouse.js';
import type { Mailer } from '../digest/index.js';
import type { FeatureSpec } from '../features/index.js';
import type { Language } from '../i18n/index.js';
import type { StoredTrigger, TriggerRule, ViewContext } from '../triggers/index.js';
import type { AuditAction } from './audit.js';
import type { SignedIn } from './auth.js';
import type { WarehouseGate } from './gate.js';
import type { KeptReads } from './kept.js';
import type { StudentBasics } from './queries.js';

export interface WorkspaceOptions {
  dir: DataDir;
  config: Config;
  logger: Logger;
  clock: () => Date;
  /** Every stage's migrations, applied when the server opens the warehouse (app's allMigrations). */
  migrations: readonly Migration[];
  mailer: Mailer;
  secret: Buffer;
  /** Milliseconds without requests after which the warehouse is closed for other commands. */
  idleMs?: number;
  /** Where the OpenID Connect client secret is read from (`web.oidc.client_secret_env`); default process.env. */
  env?: NodeJS.ProcessEnv;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: SignedIn;
  }
}

/** The kinds of error page: a 404 says nothing about whether the thing exists. */
export type PageErrorKey = 'not_found' | 'forbidden' | 'busy' | 'conflict' | 'bad_request' | 'csrf' | 'too_many';

/** An HTTP error answered with a page in the reader's language. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly key: PageErrorKey,
    readonly detail?: string,
  ) {
    super(key);
  }
}

/** What every route module gets from the workspace: the warehouse gate, the rules, and the page helpers. */
export interface Workspace {
  o: WorkspaceOptions;
  gate: WarehouseGate;
  rules: ReadonlyMap<string, TriggerRule>;
  features: readonly FeatureSpec[];
  viewContext(lang: Language): ViewContext;
  /** Today in Finland by the injected clock. */
  today(): string;
  /** The reader's language: theirs when signed in, else ?lang= / Accept-Language / Finnish. */
  langOf(req: FastifyRequest): Language;
  audit(db: Warehouse, req: FastifyRequest, action: AuditAction, e?: { student_id?: string | null; object_id?: string | null; detail?: string | null }): Promise<void>;
  send(reply: FastifyReply, page: Html | string, status?: number): FastifyReply;
  render(req: FastifyRequest, reply: FastifyReply, title: string, body: Html, flash?: string, status?: number): FastifyReply;
  /** The confirmation after a redirect (?done=…), in words. */
  flashOf(req: FastifyRequest): string | undefined;
  /** Whether a student's page opens for this staff member today (access.ts, cached briefly). */
  isMine(db: Warehouse, staffId: string, studentId: string): Promise<boolean>;
  /** A trigger this user may open, or a 404 (the refusal audited). */
  openTrigger(db: Warehouse, req: FastifyRequest, id: string): Promise<StoredTrigger>;
  /** Students' names and groups by id, kept until the warehouse is reopened (queries.ts studentBasics). */
  basics: Map<string, StudentBasics>;
  /** Reads of data only the night changes (a student's record, timeline, current risk, a group's roster), kept until the warehouse is reopened (kept.ts). */
  kept: KeptReads;
  /** Reads of data the workspace changes too (a staff member's live triggers), kept until the workspace writes or the warehouse is reopened. */
  untilWrite: KeptReads;
  /** When each staff member last opened their caseload (a day), known since the warehouse was opened; kept up to date by the caseload. */
  caseloadVisits: Map<string, string | null>;
  /** Route options: signed in; signed in and a valid CSRF token. */
  authed: RouteShorthandOptions;
  authedPost: RouteShorthandOptions;
}

/** The roles of a user that work with individual students (not leadership, not the coordinator). */
export const studentRoles = (u: SignedIn): string[] => u.roles.filter((r) => r !== 'leadership' && r !== 'data_coordinator');

export function requireRole(req: FastifyRequest, roles: readonly string[]): void {
  if (!req.user!.roles.some((r) => roles.includes(r))) throw new PageError(403, 'forbidden');
}

/** One form field as text ('' when absent); a repeated field or a non-text value is a bad request. */
export function formField(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new PageError(400, 'bad_request', name);
  return v;
}

/** A date field of a support record: empty means today; otherwise a calendar date within the last year, not in the future. */
export function formDate(body: unknown, name: string, today: string): string {
  const v = formField(body, name).trim();
  if (!v) return today;
  if (!isCalendarDate(v) || v > today || v < addDays(today, -365)) throw new PageError(400, 'bad_request', name);
  return v;
}

/** A route parameter (`:id`). */
export const param = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name] ?? '';

/** A page to return to after signing in (`?next=`): only a workspace page path, never another site. */
export function safeNext(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(triggers|students)\/[A-Za-z0-9_.-]{1,64}$|^\/(groups|report|admin)?$/.test(value) ? value : undefined;
}
