import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { localDate } from '../core/dates.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import { isWriteConflict } from '../db/warehouse.js';
import { maySee } from '../core/roles.js';
import { loadCatalogue } from '../features/index.js';
import { guessLanguage, msg, type MessageKey } from '../i18n/index.js';
import { loadRules, storedTrigger, type TriggerRule } from '../triggers/index.js';
import { myStudents } from './access.js';
import { recordAudit } from './audit.js';
import { sessionStaff, type SignedIn } from './auth.js';
import { PageError, safeNext, type PageErrorKey, type Workspace, type WorkspaceOptions } from './context.js';
import { WarehouseGate } from './gate.js';
import { KeptReads } from './kept.js';
import type { StudentBasics } from './queries.js';
import { html, page } from './html.js';
import { groupRoutes } from './routes/groups.js';
import { leadershipRoutes } from './routes/leadership.js';
import { sessionIdOf, signInRoutes } from './routes/sign-in.js';
import { studentRoutes } from './routes/students.js';
import { triggerRoutes } from './routes/triggers.js';

export type { WorkspaceOptions } from './context.js';

/**
 * The staff workspace: server-rendered pages that work without JavaScript. Everything a page
 * shows passes through the trigger views (triggers/visibility.ts) and the access rules
 * (access.ts); every look at a student's data and every change is written to the audit log.
 * This file wires the server (headers, CSRF, sessions, errors); the pages are in routes/, their
 * reads of the warehouse in queries.ts.
 */
export async function buildWorkspace(o: WorkspaceOptions): Promise<{ app: FastifyInstance; gate: WarehouseGate; signInMailSent: () => Promise<void> }> {
  // Caches of warehouse data are emptied whenever the warehouse is opened again: between two
  // openings only this process writes to it.
  const basics = new Map<string, StudentBasics>();
  // A student page's record, timeline and risk: ~2 000 students' worth (a few kB each).
  const kept = new KeptReads(6000);
  // Whose students a staff member may open today and their live triggers: access changes only
  // with the night's data (which reopens the warehouse) or through this workspace's own writes (a
  // trigger resolved, handed over or taken), and each write empties it.
  const untilWrite = new KeptReads(300);
  const caseloadVisits = new Map<string, string | null>();
  const gate = new WarehouseGate(o.dir, o.config, o.logger, o.clock, o.migrations, o.idleMs, 4, () => {
    basics.clear();
    kept.clear();
    untilWrite.clear();
    caseloadVisits.clear();
  });
  const secure = o.config.web.baseUrl?.startsWith('https://') ?? false;
  const rules: TriggerRule[] = await loadRules(o.config);
  const ruleMap = new Map(rules.map((r) => [r.id, r]));
  const features = loadCatalogue();
  // "Today" follows the clock, or `web.today` for a demo or a replay of a past day.
  const today = () => o.config.web.today ?? localDate(o.clock());

  // A short-lived cache of who a session is, so a page costs its own queries only. An ended
  // session is dropped at once.
  const CACHE_MS = 30_000;
  const sessions = new Map<string, { user: SignedIn; until: number }>();

  // X-Forwarded-For is believed only from the proxies the config names (web.trusted_proxies):
  // from anyone else it would let a client pick its own address for the rate limit and the audit log.
  const trusted = o.config.web.trustedProxies;
  const app = Fastify({ logger: false, trustProxy: trusted.length ? trusted : false, bodyLimit: 64 * 1024, clientErrorHandler: (err, socket) => answerClientError(err, socket),
    // The router's own refusals (a bad or over-long URL) bypass hooks and would echo the URL: answer plainly, with the headers.
    frameworkErrors: (err, _req, res) => {
      const reply = res as unknown as FastifyReply;
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : err.code === 'FST_ERR_BAD_URL' ? 400 : 500;
      void reply.code(status).headers(rawSecurityHeaders).type('text/plain; charset=utf-8').send(`${status} ${STATUS_CODES[status] ?? ''}\n`);
    },
  });
  await app.register(fastifyHelmet, {
    hsts: secure,
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': secure ? [] : null, 'default-src': ["'none'"], 'style-src': ["'unsafe-inline'"], 'img-src': ["'self'", 'data:'], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"] } },
  });
  await app.register(fastifyCookie, { secret: o.secret });
  await app.register(fastifyFormbody);
  await app.register(fastifyCsrf, { cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure } });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => Object.assign(new PageError(429, 'too_many'), { statusCode: ctx.statusCode }),
  });

  const langOf = (req: FastifyRequest) => req.user?.language ?? guessLanguage((req.query as Record<string, unknown>)['lang'], req.headers['accept-language']);
  const send = (reply: FastifyReply, body: { text: string } | string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(typeof body === 'string' ? body : body.text);

  // --- Sessions ----------------------------------------------------------------------------
  const signedIn = async (req: FastifyRequest, reply: FastifyReply) => {
    const id = sessionIdOf(req);
    let user: SignedIn | undefined;
    if (id) {
      const cached = sessions.get(id);
      if (cached && cached.until > Date.now()) user = cached.user;
      else {
        user = await gate.use((db) => sessionStaff(db, id, o.config.web.sessionHours, o.clock()));
        if (user) sessions.set(id, { user, until: Date.now() + CACHE_MS });
        else sessions.delete(id);
      }
    }
    if (!user) {
      if (req.method === 'GET') {
        const next = safeNext(req.url);
        return reply.redirect(next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in');
      }
      throw new PageError(401, 'bad_request', msg(langOf(req), 'web.sign_in_required'));
    }
    req.user = user;
  };

  const w: Workspace = {
    o,
    gate,
    rules: ruleMap,
    features,
    basics,
    kept,
    untilWrite,
    caseloadVisits,
    viewContext: (lang) => ({ rules: ruleMap, features, lang }),
    today,
    langOf,
    audit: (db, req, action, e = {}) => recordAudit(db, { staff_id: req.user?.staffId ?? null, action, client: req.ip, ...e }, o.clock()),
    send,
    render: (req, reply, title, body, flash, status = 200) =>
      send(reply, page({ lang: langOf(req), title, user: req.user, csrf: req.user ? reply.generateCsrf() : undefined, flash }, body), status),
    flashOf: (req) => {
      const f = (req.query as Record<string, unknown>)['done'];
      const key = typeof f === 'string' ? flashText[f] : undefined;
      return key ? msg(langOf(req), key) : undefined;
    },
    isMine: async (db, staffId, studentId) => {
      const day = today();
      const mine = await untilWrite.get(`mine ${staffId} ${day}`, () => myStudents(db, staffId, day, o.config.web.accessAfterExitDays));
      return mine.has(studentId);
    },
    openTrigger: async (db, req, id) => {
      const u = req.user!;
      const row = await storedTrigger(db, id);
      const mayOpen = row && maySee(u.roles, row.visibility) && (row.staff_id === u.staffId || (u.roles.includes(row.role) && (await w.isMine(db, u.staffId, row.student_id))));
      if (!row || !mayOpen) {
        await w.audit(db, req, 'denied', { object_id: id, detail: 'trigger' });
        throw new PageError(404, 'not_found');
      }
      return row;
    },
    authed: { preHandler: signedIn },
    authedPost: { preHandler: [signedIn, app.csrfProtection] },
  };

  // --- Errors: one page per kind; nothing about the request echoed back --------------------
  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let e: PageError;
    if (err instanceof PageError) e = err;
    else if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') e = new PageError(403, 'csrf');
    else if (err instanceof KiinniError && err.code === ErrorCode.Locked) e = new PageError(503, 'busy');
    // Two requests changed the same rows at once: the later one kept nothing.
    else if (isWriteConflict(err)) e = new PageError(409, 'conflict');
    else if (err instanceof KiinniError && err.code === ErrorCode.NotFound) e = new PageError(404, 'not_found');
    else if (err instanceof KiinniError && err.code === ErrorCode.Usage) e = new PageError(400, 'bad_request', err.message);
    else if (err.statusCode && err.statusCode < 500) e = new PageError(err.statusCode, 'bad_request', err.message);
    else {
      o.logger.error({ err: { message: err.message, code: err.code, route: req.routeOptions.url } }, 'web_request_failed');
      const lang = langOf(req);
      return send(reply, page({ lang, title: msg(lang, 'web.error') }, html`<p>${msg(lang, 'web.failed')}</p>`), 500);
    }
    const lang = langOf(req);
    const text = msg(lang, errorText[e.key], { message: e.detail ?? '' });
    if (e.status === 503) reply.header('Retry-After', '120');
    return send(reply, page({ lang, title: String(e.status), user: req.user, csrf: req.user ? reply.generateCsrf() : undefined }, html`<p role="alert">${text}</p>`), e.status);
  });
  app.setNotFoundHandler(async () => {
    throw new PageError(404, 'not_found');
  });
  app.addHook('onSend', async (req, _reply, payload) => {
    // After a write's transaction, before its answer leaves: the next request reads afresh.
    if (req.method === 'POST') untilWrite.clear();
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    // Route pattern, not URL: URLs carry student ids and sign-in tokens.
    o.logger.debug({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'web_request');
  });

  const signIn = signInRoutes(app, w, sessions);
  triggerRoutes(app, w);
  studentRoutes(app, w);
  groupRoutes(app, w);
  leadershipRoutes(app, w);

  app.addHook('onClose', async () => {
    await signIn.mailSent();
    await gate.close();
  });
  return { app, gate, signInMailSent: signIn.mailSent };
}

/** The confirmation shown after a change (`?done=`). */
const flashText: Readonly<Record<string, MessageKey>> = { acknowledged: 'web.acknowledged', resolved: 'web.resolved', recorded: 'web.recorded', handed_over: 'web.handed_over', taken: 'web.taken' };
/** What each error page says. */
const errorText: Readonly<Record<PageErrorKey, MessageKey>> = {
  not_found: 'web.not_found',
  forbidden: 'web.forbidden',
  busy: 'web.busy',
  conflict: 'web.conflict',
  bad_request: 'web.bad_request',
  csrf: 'web.csrf',
  too_many: 'web.too_many',
};

/** Headers every answer carries, also the ones Node writes itself before fastify sees a request. */
const rawSecurityHeaders: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/**
 * Answers a request Node's HTTP parser refused (header too large: 431, a malformed request: 400)
 * with the same security headers as every page; fastify's default answer carries none.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  const headers = { ...rawSecurityHeaders, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
}
