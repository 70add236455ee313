import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { Config } from '../core/config.js';
import type { DataDir } from '../core/data-dir.js';
import { addDays, isCalendarDate, localDate } from '../core/dates.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { maySee } from '../core/roles.js';
import { literal } from '../db/sql.js';
import type { Migration } from '../db/migrate.js';
import type { Warehouse } from '../db/warehouse.js';
import type { Mailer } from '../digest/index.js';
import { loadCatalogue } from '../features/index.js';
import {
  acknowledgeTrigger, addIntervention, listInterventions, listTriggers, liveRoutedTriggers, loadRules, resolutionOutcomes, resolveTrigger, storedTrigger, viewTrigger,
  type ResolutionOutcome, type StoredTrigger, type TriggerRule, type ViewContext,
} from '../triggers/index.js';
import { myGroups, myStudents } from './access.js';
import { recordAudit, type AuditAction } from './audit.js';
import { createSignInToken, endSession, recentLinkRequests, sessionStaff, startSession, checkSignInToken, useSignInToken, type SignedIn } from './auth.js';
import { WarehouseGate } from './gate.js';
import { esc, hidden, page, table, type Html } from './html.js';
import { guessLanguage, t, word, type UiLanguage } from './i18n.js';
import { exitEvents, languageOr, sqlList } from '../core/vocabulary.js';

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
}

const SESSION_COOKIE = 'kiinni_session';
const severityRank: Record<string, number> = { high: 0, medium: 1, low: 2 };
declare module 'fastify' {
  interface FastifyRequest {
    user?: SignedIn;
  }
}

/** An HTTP error with a page: 404 says nothing about whether the thing exists. */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly key: 'not_found' | 'forbidden' | 'busy' | 'bad_request' | 'csrf' | 'too_many',
    readonly detail?: string,
  ) {
    super(key);
  }
}

/**
 * The staff workspace: server-rendered pages that work without JavaScript. Everything a page
 * shows passes through the trigger views (triggers/visibility.ts) and the access rules
 * (access.ts); every look at a student's data and every change is written to the audit log.
 */
export async function buildWorkspace(o: WorkspaceOptions): Promise<{ app: FastifyInstance; gate: WarehouseGate; signInMailSent: () => Promise<void> }> {
  // Caches of warehouse data are emptied whenever the warehouse is opened again: between two
  // openings only this process writes to it.
  const names = new Map<string, string>();
  const students = new Map<string, { ids: Set<string>; day: string; until: number }>();
  let currentModel: Promise<string | null> | undefined;
  const gate = new WarehouseGate(o.dir, o.config, o.logger, o.clock, o.migrations, o.idleMs, 4, () => {
    names.clear();
    students.clear();
    currentModel = undefined;
  });
  const secure = o.config.web.baseUrl?.startsWith('https://') ?? false;
  const rules: TriggerRule[] = await loadRules(o.config);
  const ruleMap = new Map(rules.map((r) => [r.id, r]));
  const features = loadCatalogue();
  const viewContext = (lang: UiLanguage): ViewContext => ({ rules: ruleMap, features, lang });
  const today = () => localDate(o.clock());

  // Short-lived caches, so a page costs its own queries only: who a session is, and whose
  // students a staff member may open. An ended session is dropped at once; a changed assignment
  // takes effect within CACHE_MS.
  const CACHE_MS = 30_000;
  const sessions = new Map<string, { user: SignedIn; until: number }>();
  const isMine = async (db: Warehouse, staffId: string, studentId: string) => {
    const day = today();
    let c = students.get(staffId);
    if (!c || c.day !== day || c.until < Date.now()) students.set(staffId, (c = { ids: await myStudents(db, staffId, day, o.config.web.accessAfterExitDays), day, until: Date.now() + CACHE_MS }));
    return c.ids.has(studentId);
  };
  const mayOpen = async (db: Warehouse, t: StoredTrigger, u: SignedIn) =>
    maySee(u.roles, t.visibility) && (t.staff_id === u.staffId || (u.roles.includes(t.role) && (await isMine(db, u.staffId, t.student_id))));

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

  const client = (req: FastifyRequest) => req.ip;
  const audit = (db: Warehouse, req: FastifyRequest, action: AuditAction, e: { student_id?: string | null; object_id?: string | null; detail?: string | null } = {}) =>
    recordAudit(db, { staff_id: req.user?.staffId ?? null, action, client: client(req), ...e }, o.clock());
  const langOf = (req: FastifyRequest): UiLanguage => req.user?.language ?? guessLanguage((req.query as Record<string, unknown>)['lang'], req.headers['accept-language']);
  const send = (reply: FastifyReply, html: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(html);
  const render = async (req: FastifyRequest, reply: FastifyReply, title: string, body: Html, flash?: string, status = 200) =>
    send(reply, page({ lang: langOf(req), title, user: req.user, csrf: req.user ? reply.generateCsrf() : undefined, flash }, body), status);
  const flashOf = (req: FastifyRequest) => {
    const f = (req.query as Record<string, unknown>)['done'];
    return f === 'acknowledged' || f === 'resolved' || f === 'recorded' ? t(langOf(req), f) : undefined;
  };

  // --- Errors: one page per kind; nothing about the request echoed back --------------------
  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req, reply) => {
    let e: PageError;
    if (err instanceof PageError) e = err;
    else if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') e = new PageError(403, 'csrf');
    else if (err instanceof KiinniError && err.code === ErrorCode.Locked) e = new PageError(503, 'busy');
    else if (err instanceof KiinniError && err.code === ErrorCode.NotFound) e = new PageError(404, 'not_found');
    else if (err instanceof KiinniError && err.code === ErrorCode.Usage) e = new PageError(400, 'bad_request', err.message);
    else if (err.statusCode && err.statusCode < 500) e = new PageError(err.statusCode, 'bad_request', err.message);
    else {
      o.logger.error({ err: { message: err.message, code: err.code, route: req.routeOptions.url } }, 'web_request_failed');
      return send(reply, page({ lang: langOf(req), title: 'Error' }, '<p>Something went wrong. The data coordinator can find it in the log.</p>'), 500);
    }
    const lang = langOf(req);
    const text = e.key === 'bad_request' ? t(lang, 'bad_request', { message: e.detail ?? '' }) : t(lang, e.key);
    if (e.status === 503) reply.header('Retry-After', '120');
    const title = e.status === 404 ? '404' : e.status === 403 ? '403' : String(e.status);
    return send(reply, page({ lang, title, user: req.user, csrf: req.user ? reply.generateCsrf() : undefined }, `<p role="alert">${esc(text)}</p>`), e.status);
  });
  app.setNotFoundHandler(async () => {
    throw new PageError(404, 'not_found');
  });

  app.addHook('onResponse', async (req, reply) => {
    // Route pattern, not URL: URLs carry student ids and sign-in tokens.
    o.logger.debug({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'web_request');
  });

  // --- Sessions ----------------------------------------------------------------------------
  /** The session id from the signed cookie, if it carries a valid one. */
  const sessionIdOf = (req: FastifyRequest): string | undefined => {
    const raw = req.cookies[SESSION_COOKIE];
    const unsigned = raw ? req.unsignCookie(raw) : undefined;
    return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
  };
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
      if (req.method === 'GET') return reply.redirect('/sign-in');
      throw new PageError(401, 'bad_request', t(langOf(req), 'sign_in_required'));
    }
    req.user = user;
  };
  const csrf = app.csrfProtection;
  const authed = { preHandler: signedIn };
  const authedPost = { preHandler: [signedIn, csrf] };
  const requireRole = (req: FastifyRequest, roles: readonly string[]) => {
    if (!req.user!.roles.some((r) => roles.includes(r))) throw new PageError(403, 'forbidden');
  };

  const staffRoles = (u: SignedIn) => u.roles.filter((r) => r !== 'leadership' && r !== 'data_coordinator');

  // --- Sign-in -----------------------------------------------------------------------------
  const signInForm = (lang: UiLanguage, token: string) =>
    `<p>${esc(t(lang, 'sign_in_intro', { minutes: o.config.web.linkMinutes }))}</p>
<form method="post" action="/sign-in">${hidden('_csrf', token)}${hidden('lang', lang)}
<label for="email">${esc(t(lang, 'email'))}</label><input id="email" name="email" type="email" autocomplete="email" required size="40">
<p><button type="submit">${esc(t(lang, 'send_link'))}</button></p></form>`;

  app.get('/sign-in', async (req, reply) => {
    const lang = langOf(req);
    return render(req, reply, t(lang, 'sign_in'), signInForm(lang, reply.generateCsrf()));
  });

  // Sign-in mail is sent off the request path, after the same work for every address: the answer
  // and its timing say nothing about whether an address belongs to staff.
  let mailQueue: Promise<void> = Promise.resolve();
  const queueSignIn = (email: string, clientAddress: string) => {
    mailQueue = mailQueue.then(() =>
      gate
        .use(async (db) => {
          const staff = await db.one(`SELECT staff_id, name, email, language FROM staff WHERE lower(email) = $email`, { email });
          if (!staff) return recordAudit(db, { staff_id: null, action: 'sign_in_link_requested', client: clientAddress, detail: 'unknown address' }, o.clock());
          const staffId = String(staff['staff_id']);
          if ((await recentLinkRequests(db, staffId, 15, o.clock())) >= o.config.web.linkRequestsPer15Min) {
            return recordAudit(db, { staff_id: staffId, action: 'sign_in_link_requested', client: clientAddress, detail: 'over the per-address limit' }, o.clock());
          }
          const token = await createSignInToken(db, o.secret, staffId, 'sign_in_page', o.config.web.linkMinutes, o.clock());
          await recordAudit(db, { staff_id: staffId, action: 'sign_in_link_requested', client: clientAddress }, o.clock());
          const staffLang: UiLanguage = languageOr(staff['language']);
          await sendSignInMail(o, { staffId, name: String(staff['name']), email: String(staff['email']), lang: staffLang }, signInUrl(o, token));
        })
        .catch((err: Error & { code?: string }) => o.logger.error({ err: { message: err.message, code: err.code } }, 'sign_in_mail_failed')),
    );
  };

  app.post(
    '/sign-in',
    { preHandler: csrf, config: { rateLimit: { max: o.config.web.linkRequestsPer15Min * 10, timeWindow: '15 minutes' } } },
    async (req, reply) => {
      const body = req.body as Record<string, unknown>;
      const lang = guessLanguage(body['lang'], req.headers['accept-language']);
      const email = formField(body, 'email').trim().toLowerCase();
      if (email.length > 254) throw new PageError(400, 'bad_request', t(lang, 'email'));
      queueSignIn(email, client(req));
      return render(req, reply, t(lang, 'sign_in'), `<p role="status">${esc(t(lang, 'link_sent'))}</p>`);
    },
  );

  // Opening the link only shows a button: mail scanners that fetch links do not use them up.
  app.get('/auth/link', async (req, reply) => {
    const lang = langOf(req);
    const token = formField(req.query, 'token');
    const checked = await gate.use((db) => checkSignInToken(db, o.secret, token, o.clock()));
    if ('problem' in checked) return render(req, reply, t(lang, 'link_title'), linkProblem(lang, checked.problem), undefined, checked.problem === 'expired' || checked.problem === 'used' ? 410 : 400);
    return render(
      req,
      reply,
      t(lang, 'link_title'),
      `<p>${esc(t(lang, 'link_confirm'))}</p><form method="post" action="/auth/link">${hidden('_csrf', reply.generateCsrf())}${hidden('token', token)}<button type="submit">${esc(t(lang, 'sign_in'))}</button></form>`,
    );
  });

  app.post('/auth/link', { preHandler: csrf, config: { rateLimit: { max: o.config.web.linkRequestsPer15Min * 10, timeWindow: '15 minutes' } } }, async (req, reply) => {
    const lang = langOf(req);
    const token = formField(req.body, 'token');
    const result = await gate.use(async (db) => {
      const used = await useSignInToken(db, o.secret, token, o.clock());
      if ('problem' in used) {
        await audit(db, req, 'sign_in_refused', { detail: used.problem });
        return used;
      }
      const session = await startSession(db, used.staffId, 'magic_link', o.clock());
      await recordAudit(db, { staff_id: used.staffId, action: 'signed_in', client: client(req), detail: 'magic_link' }, o.clock());
      return { session };
    });
    if ('problem' in result) return render(req, reply, t(lang, 'link_title'), linkProblem(lang, result.problem), undefined, result.problem === 'malformed' || result.problem === 'unknown' ? 400 : 410);
    reply.setCookie(SESSION_COOKIE, result.session, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: o.config.web.sessionHours * 3600 });
    return reply.redirect('/', 303);
  });

  const linkProblem = (lang: UiLanguage, problem: string) =>
    `<p role="alert">${esc(t(lang, problem === 'expired' ? 'link_problem_expired' : problem === 'used' ? 'link_problem_used' : 'link_problem_unknown'))}</p><p><a href="/sign-in">${esc(t(lang, 'sign_in'))}</a></p>`;

  app.post('/sign-out', authedPost, async (req, reply) => {
    const id = sessionIdOf(req);
    await gate.use(async (db) => {
      if (id) {
        sessions.delete(id);
        await endSession(db, id, o.clock());
      }
      await audit(db, req, 'signed_out');
    });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const lang = langOf(req);
    req.user = undefined;
    return render(req, reply, t(lang, 'signed_out'), `<p><a href="/sign-in">${esc(t(lang, 'sign_in'))}</a></p>`);
  });

  // --- My triggers -------------------------------------------------------------------------
  app.get('/', authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    if (!staffRoles(u).length) return reply.redirect(u.roles.includes('data_coordinator') ? '/admin' : '/report');
    const rows = await gate.use(async (db) => {
      const stored = await liveRoutedTriggers(db, today(), u.staffId);
      const nameOf = await studentNames(db, names, stored.map((s) => s.student_id));
      await audit(db, req, 'viewed_triggers', { detail: `${stored.length} triggers` });
      return stored
        .map((s) => ({ s, v: viewTrigger(s, { roles: u.roles, staffId: u.staffId }, viewContext(lang)) }))
        .filter((x): x is { s: StoredTrigger; v: NonNullable<typeof x.v> } => x.v !== null)
        .sort((a, b) => (severityRank[a.v.severity] ?? 9) - (severityRank[b.v.severity] ?? 9) || b.v.opened_on.localeCompare(a.v.opened_on))
        .map(({ v }) => [
          `<a href="/triggers/${encodeURIComponent(v.id)}">${esc(v.title)}</a>`,
          `<a href="/students/${encodeURIComponent(v.student_id)}">${esc(nameOf.get(v.student_id) ?? v.student_id)}</a>`,
          `<span class="sev-${esc(v.severity)}">${esc(word(lang, v.severity))}</span>`,
          esc(word(lang, v.status)),
          esc(v.opened_on),
          esc(v.message),
        ]);
    });
    const body = rows.length
      ? table(t(lang, 'my_triggers'), [t(lang, 'trigger'), t(lang, 'student'), t(lang, 'severity'), t(lang, 'status'), t(lang, 'opened'), t(lang, 'what_happened')], rows)
      : `<p>${esc(t(lang, 'no_triggers'))}</p>`;
    return render(req, reply, t(lang, 'my_triggers'), body, flashOf(req));
  });

  // --- One trigger -------------------------------------------------------------------------
  const openTrigger = async (db: Warehouse, req: FastifyRequest, id: string) => {
    const u = req.user!;
    const row = await storedTrigger(db, id);
    if (!row || !(await mayOpen(db, row, u))) {
      await audit(db, req, 'denied', { object_id: id, detail: 'trigger' });
      throw new PageError(404, 'not_found');
    }
    return row;
  };

  app.get('/triggers/:id', authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const id = (req.params as { id: string }).id;
    const { v, name, csrfToken } = await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      const v = viewTrigger(row, { roles: u.roles, staffId: u.staffId }, viewContext(lang))!;
      await audit(db, req, 'viewed_trigger', { student_id: row.student_id, object_id: id });
      return { v, name: (await studentNames(db, names, [row.student_id])).get(row.student_id), csrfToken: reply.generateCsrf() };
    });
    const rule = ruleMap.get(v.rule);
    const live = v.status === 'open' || v.status === 'acknowledged';
    const outcomes = resolutionOutcomes.map((x) => `<option value="${x}">${esc(t(lang, `outcome_${x}`))}</option>`).join('');
    const body = [
      `<p><a href="/students/${encodeURIComponent(v.student_id)}">${esc(name ?? v.student_id)}</a> · ${esc(word(lang, v.severity))} · ${esc(word(lang, v.status))} · ${esc(t(lang, 'opened'))} ${esc(v.opened_on)}</p>`,
      `<h2>${esc(t(lang, 'what_happened'))}</h2><p>${esc(v.message)}</p>`,
      v.reasons.length ? `<ul>${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '',
      rule ? `<h2>${esc(t(lang, 'next_step'))}</h2><p>${esc(rule.next_step[lang])}</p>` : '',
      live
        ? [
            `<h2>${esc(t(lang, 'actions'))}</h2>`,
            v.status === 'open'
              ? `<form method="post" action="/triggers/${encodeURIComponent(v.id)}/acknowledge" class="inline">${hidden('_csrf', csrfToken)}<button type="submit">${esc(t(lang, 'acknowledge'))}</button></form>`
              : '',
            `<form method="post" action="/triggers/${encodeURIComponent(v.id)}/resolve">${hidden('_csrf', csrfToken)}<fieldset><legend>${esc(t(lang, 'resolve'))}</legend>`,
            `<label for="outcome">${esc(t(lang, 'outcome'))}</label><select id="outcome" name="outcome">${outcomes}</select> <button type="submit">${esc(t(lang, 'resolve'))}</button></fieldset></form>`,
            interventionForm(lang, csrfToken, `/students/${encodeURIComponent(v.student_id)}/interventions`, u, v.id),
          ].join('\n')
        : '',
    ].join('\n');
    return render(req, reply, v.title, body, flashOf(req));
  });

  app.post('/triggers/:id/acknowledge', authedPost, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      await acknowledgeTrigger(db, id, req.user!.staffId, today(), o.clock());
      await audit(db, req, 'acknowledged_trigger', { student_id: row.student_id, object_id: id });
    });
    return reply.redirect(`/triggers/${encodeURIComponent(id)}?done=acknowledged`, 303);
  });

  app.post('/triggers/:id/resolve', authedPost, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const outcome = formField(req.body, 'outcome');
    if (!(resolutionOutcomes as readonly string[]).includes(outcome)) throw new PageError(400, 'bad_request', outcome);
    await gate.use(async (db) => {
      const row = await openTrigger(db, req, id);
      await resolveTrigger(db, id, req.user!.staffId, outcome as ResolutionOutcome, today(), o.clock());
      await audit(db, req, 'resolved_trigger', { student_id: row.student_id, object_id: id, detail: outcome });
    });
    return reply.redirect(`/?done=resolved`, 303);
  });

  // --- Student page ------------------------------------------------------------------------
  app.get('/students/:id', authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    const id = (req.params as { id: string }).id;
    const viewer = { roles: u.roles, staffId: u.staffId };
    const data = await gate.use(async (db) => {
      if (!staffRoles(u).length || !(await isMine(db, u.staffId, id))) {
        await audit(db, req, 'denied', { object_id: id, detail: 'student' });
        throw new PageError(404, 'not_found');
      }
      const s = await db.one(
        `SELECT given_name, family_name, "group", programme, unit, strftime(study_right_start, '%Y-%m-%d') AS start, strftime(planned_end, '%Y-%m-%d') AS planned_end FROM students WHERE student_id = $id`,
        { id },
      );
      let band: { band: string; as_of: string } | undefined;
      if (maySee(u.roles, 'risk_score')) {
        // By student only (the index); the current model's latest score is picked here.
        currentModel ??= db.one(`SELECT version FROM model_versions WHERE status = 'current'`).then((r) => (r ? String(r['version']) : null));
        const version = await currentModel;
        const scores = await db.all(`SELECT band, strftime(as_of, '%Y-%m-%d') AS as_of, model_version FROM risk_scores WHERE student_id = $id`, { id });
        for (const r of scores) if (r['model_version'] === version && (!band || String(r['as_of']) > band.as_of)) band = { band: String(r['band']), as_of: String(r['as_of']) };
      }
      const triggers = (await listTriggers(db, viewer, { student: id, limit: 50 }, viewContext(lang))).filter((x) => x.staff_id === u.staffId || u.roles.includes(x.role));
      const interventions = await listInterventions(db, viewer, { student: id, limit: 50 });
      await audit(db, req, 'viewed_student', { student_id: id });
      return { s: s!, band, triggers, interventions, csrfToken: reply.generateCsrf() };
    });
    const s = data.s;
    const name = [s['given_name'], s['family_name']].filter(Boolean).join(' ') || id;
    const facts: [string, unknown][] = [
      [t(lang, 'group'), s['group']], [t(lang, 'programme'), s['programme']], [t(lang, 'unit'), s['unit']],
      [t(lang, 'studies_from'), s['start']], [t(lang, 'planned_end'), s['planned_end']],
      ...(data.band ? ([[t(lang, 'risk_band'), `${word(lang, data.band.band)} (${data.band.as_of})`]] as [string, unknown][]) : []),
    ];
    const body = [
      `<p class="note">${esc(id)}</p>`,
      `<h2>${esc(t(lang, 'background'))}</h2><dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
      `<h2>${esc(t(lang, 'triggers_for_student'))}</h2>`,
      table(
        t(lang, 'triggers_for_student'),
        [t(lang, 'trigger'), t(lang, 'status'), t(lang, 'opened'), t(lang, 'what_happened')],
        data.triggers.map((x) => [`<a href="/triggers/${encodeURIComponent(x.id)}">${esc(x.title)}</a>`, esc(word(lang, x.status)), esc(x.opened_on), esc(x.message)]),
      ) || `<p>–</p>`,
      `<h2>${esc(t(lang, 'interventions'))}</h2>`,
      table(
        t(lang, 'interventions'),
        [t(lang, 'date'), t(lang, 'type'), t(lang, 'role'), t(lang, 'scope')],
        data.interventions.map((i) => [esc(i.date), esc(i.type), esc(i.role), esc(i.scope)]),
      ) || `<p>–</p>`,
      interventionForm(lang, data.csrfToken, `/students/${encodeURIComponent(id)}/interventions`, u, undefined),
    ].join('\n');
    return render(req, reply, name, body, flashOf(req));
  });

  app.post('/students/:id/interventions', authedPost, async (req, reply) => {
    const u = req.user!;
    const id = (req.params as { id: string }).id;
    const b = req.body;
    const triggerId = formField(b, 'trigger_id') || undefined;
    const fields = { role: formField(b, 'role'), type: formField(b, 'type'), date: formDate(b, 'date', today()) };
    await gate.use(async (db) => {
      if (!staffRoles(u).length || !(await isMine(db, u.staffId, id))) throw new PageError(404, 'not_found');
      if (triggerId) await openTrigger(db, req, triggerId);
      const iv = await addIntervention(
        db,
        { student_id: id, staff_id: u.staffId, ...fields, scope: 'individual', trigger_id: triggerId },
        o.clock(),
      );
      await audit(db, req, 'recorded_intervention', { student_id: id, object_id: iv.intervention_id, detail: triggerId ? `answers ${triggerId}` : null });
    });
    return reply.redirect(triggerId ? '/?done=recorded' : `/students/${encodeURIComponent(id)}?done=recorded`, 303);
  });

  // --- Group supervisor's groups -----------------------------------------------------------
  app.get('/groups', authed, async (req, reply) => {
    const u = req.user!;
    const lang = u.language;
    requireRole(req, ['group_supervisor']);
    const { groups, csrfToken } = await gate.use(async (db) => {
      const codes = await myGroups(db, u.staffId, today());
      // One query for all my groups: students still studying, with their open ordinary triggers.
      const rows = codes.length
        ? await db.all(
            `WITH g AS (SELECT s.student_id, s.given_name, s.family_name, s."group" FROM students s WHERE s."group" IN (${codes.map(literal).join(', ')})),
             gone AS (SELECT DISTINCT student_id FROM study_right_events WHERE event IN (${sqlList(exitEvents)}) AND date <= $today::DATE AND student_id IN (SELECT student_id FROM g)),
             open AS (SELECT student_id, count(*) AS n FROM triggers WHERE status IN ('open', 'acknowledged') AND visibility = 'ordinary' AND student_id IN (SELECT student_id FROM g) GROUP BY 1)
             SELECT g.*, coalesce(o.n, 0) AS open_triggers FROM g LEFT JOIN open o USING (student_id)
             WHERE g.student_id NOT IN (SELECT student_id FROM gone) ORDER BY g."group", g.family_name, g.given_name, g.student_id`,
            { today: today() },
          )
        : [];
      const groups = codes.map((code) => ({
        code,
        rows: rows
          .filter((s) => s['group'] === code)
          .map((s) => [
            `<a href="/students/${encodeURIComponent(String(s['student_id']))}">${esc([s['given_name'], s['family_name']].filter(Boolean).join(' ') || s['student_id'])}</a>`,
            esc(s['open_triggers']),
          ]),
      }));
      if (codes.length) await audit(db, req, 'viewed_group', { object_id: codes.join(' '), detail: `${rows.length} students` });
      return { groups, csrfToken: reply.generateCsrf() };
    });
    const body = groups
      .map(
        (g) =>
          `<h2>${esc(t(lang, 'group_list', { group: g.code }))}</h2>${table(t(lang, 'group_list', { group: g.code }), [t(lang, 'student'), t(lang, 'open_triggers')], g.rows)}
<form method="post" action="/groups/${encodeURIComponent(g.code)}/interventions">${hidden('_csrf', csrfToken)}<fieldset><legend>${esc(t(lang, 'group_intervention'))}</legend>
<label for="type-${esc(g.code)}">${esc(t(lang, 'intervention_type'))}</label><input id="type-${esc(g.code)}" name="type" required pattern="[a-z][a-z0-9_]*" value="group_session">
<label for="date-${esc(g.code)}">${esc(t(lang, 'date'))}</label><input id="date-${esc(g.code)}" name="date" type="date" value="${today()}">
<p><button type="submit">${esc(t(lang, 'record'))}</button></p></fieldset></form>`,
      )
      .join('\n');
    return render(req, reply, t(lang, 'my_groups'), body || '<p>–</p>', flashOf(req));
  });

  app.post('/groups/:code/interventions', authedPost, async (req, reply) => {
    const u = req.user!;
    requireRole(req, ['group_supervisor']);
    const code = (req.params as { code: string }).code;
    const fields = { type: formField(req.body, 'type'), date: formDate(req.body, 'date', today()) };
    await gate.use(async (db) => {
      if (!(await myGroups(db, u.staffId, today())).includes(code)) throw new PageError(404, 'not_found');
      const students = await db.all(
        `SELECT student_id FROM students s WHERE "group" = $g AND NOT EXISTS (SELECT 1 FROM study_right_events e WHERE e.student_id = s.student_id AND e.event IN (${sqlList(exitEvents)}) AND e.date <= $today::DATE)`,
        { g: code, today: today() },
      );
      for (const s of students) {
        const iv = await addIntervention(db, { student_id: String(s['student_id']), staff_id: u.staffId, role: 'group_supervisor', ...fields, scope: 'group' }, o.clock());
        await audit(db, req, 'recorded_intervention', { student_id: String(s['student_id']), object_id: iv.intervention_id, detail: `group ${code}` });
      }
    });
    return reply.redirect('/groups?done=recorded', 303);
  });

  // --- Leadership: the cohort report (aggregates only, already suppressed) -----------------
  app.get('/report', authed, async (req, reply) => {
    requireRole(req, ['leadership', 'data_coordinator']);
    const file = latestReport(o.dir);
    await gate.use((db) => audit(db, req, 'viewed_report', { object_id: file ? path.basename(path.dirname(file)) : null }));
    if (!file) return render(req, reply, t(req.user!.language, 'report'), `<p>${esc(t(req.user!.language, 'no_report'))}</p>`);
    return send(reply, readFileSync(file, 'utf8'));
  });

  // --- Data coordinator: runs, quarantine, model cards -------------------------------------
  app.get('/admin', authed, async (req, reply) => {
    requireRole(req, ['data_coordinator']);
    const lang = req.user!.language;
    const d = await gate.use(async (db) => {
      const runs = await db.all(`SELECT run_id, pipeline, status, attempts, strftime(started_at, '%Y-%m-%d %H:%M') AS started, strftime(ended_at, '%Y-%m-%d %H:%M') AS ended, error FROM pipeline_runs ORDER BY started_at DESC LIMIT 20`);
      const quarantine = await db.all(`SELECT kind, file_name, reason, count(*) AS n_rows FROM quarantine GROUP BY ALL ORDER BY n_rows DESC LIMIT 30`);
      const models = await db.all(`SELECT version, status, strftime(data_as_of, '%Y-%m-%d') AS data_as_of, roc_auc, pr_auc, brier, ece FROM model_versions ORDER BY created_at DESC LIMIT 10`);
      await audit(db, req, 'viewed_admin');
      return { runs, quarantine, models };
    });
    const num = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '–');
    const body = [
      `<h2>${esc(t(lang, 'runs'))}</h2>`,
      table(t(lang, 'runs'), ['run', 'pipeline', 'status', 'attempts', 'started', 'ended', 'error'], d.runs.map((r) => [esc(r['run_id']), esc(r['pipeline']), esc(r['status']), esc(r['attempts']), esc(r['started']), esc(r['ended']), esc(r['error'])])) || '<p>–</p>',
      `<h2>${esc(t(lang, 'quarantine'))}</h2>`,
      table(t(lang, 'quarantine'), ['kind', 'file', 'reason', 'rows'], d.quarantine.map((r) => [esc(r['kind']), esc(r['file_name']), esc(r['reason']), esc(r['n_rows'])])) || '<p>–</p>',
      `<h2>${esc(t(lang, 'models'))}</h2>`,
      table(t(lang, 'models'), ['version', 'status', 'data as of', 'ROC AUC', 'PR AUC', 'Brier', 'ECE'], d.models.map((m) => [esc(m['version']), esc(m['status']), esc(m['data_as_of']), num(m['roc_auc']), num(m['pr_auc']), num(m['brier']), num(m['ece'])])) || '<p>–</p>',
    ].join('\n');
    return render(req, reply, t(lang, 'admin'), body);
  });

  app.addHook('onClose', async () => {
    await mailQueue;
    await gate.close();
  });
  return { app, gate, signInMailSent: () => mailQueue };
}

function interventionForm(lang: UiLanguage, csrfToken: string, action: string, u: SignedIn, triggerId: string | undefined): Html {
  const roles = u.roles.filter((r) => r !== 'leadership' && r !== 'data_coordinator');
  const sfx = triggerId ? '-t' : '';
  return `<form method="post" action="${esc(action)}">${hidden('_csrf', csrfToken)}${triggerId ? hidden('trigger_id', triggerId) : ''}<fieldset><legend>${esc(t(lang, 'record_intervention'))}</legend>
<label for="iv-type${sfx}">${esc(t(lang, 'intervention_type'))}</label><select id="iv-type${sfx}" name="type">${['meeting', 'contact', 'study_plan_revision', 'referral', 'health_check', 'group_session'].map((x) => `<option value="${x}">${x.replace(/_/g, ' ')}</option>`).join('')}</select>
<label for="iv-role${sfx}">${esc(t(lang, 'role'))}</label><select id="iv-role${sfx}" name="role">${roles.map((r) => `<option value="${esc(r)}">${esc(r.replace(/_/g, ' '))}</option>`).join('')}</select>
<label for="iv-date${sfx}">${esc(t(lang, 'date'))}</label><input id="iv-date${sfx}" name="date" type="date">
<p><button type="submit">${esc(t(lang, 'record'))}</button></p></fieldset></form>`;
}

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

/** One form field as text ('' when absent); a repeated field or a non-text value is a bad request. */
function formField(body: unknown, name: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new PageError(400, 'bad_request', name);
  return v;
}

/** A date field of a support record: empty means today; otherwise a calendar date within the last year, not in the future. */
function formDate(body: unknown, name: string, today: string): string {
  const v = formField(body, name).trim();
  if (!v) return today;
  if (!isCalendarDate(v) || v > today || v < addDays(today, -365)) throw new PageError(400, 'bad_request', name);
  return v;
}

/** Students' display names, read once and kept in `cache`. */
async function studentNames(db: Warehouse, cache: Map<string, string>, ids: readonly string[]): Promise<Map<string, string>> {
  const missing = [...new Set(ids)].filter((id) => !cache.has(id));
  if (missing.length) {
    const rows = await db.all(`SELECT student_id, given_name, family_name FROM students WHERE student_id IN (${missing.map(literal).join(', ')})`);
    for (const r of rows) cache.set(String(r['student_id']), [r['given_name'], r['family_name']].filter(Boolean).join(' ') || String(r['student_id']));
  }
  return cache;
}

/** The newest built report under <data-dir>/reports/<date>/report.html. */
function latestReport(dir: DataDir): string | undefined {
  const root = path.join(dir.root, 'reports');
  if (!existsSync(root)) return undefined;
  const dates = readdirSync(root).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && existsSync(path.join(root, d, 'report.html'))).sort();
  return dates.length ? path.join(root, dates.at(-1)!, 'report.html') : undefined;
}

/** Where a sign-in link points: the configured address (web.base_url), only. */
function signInUrl(o: WorkspaceOptions, token: string): string {
  // Never from the request's Host header: a forged Host would put a genuine token in a link to another site.
  const base = o.config.web.baseUrl;
  if (!base) throw new KiinniError(ErrorCode.ConfigInvalid, 'Sign-in links need web.base_url.', "Set web.base_url in the config, or start 'kiinni serve' on a specific --host.");
  return `${base}/auth/link?token=${encodeURIComponent(token)}`;
}

const signInSubject: Record<UiLanguage, string> = { fi: 'kiinni: kirjautumislinkki', sv: 'kiinni: inloggningslänk', en: 'kiinni: your sign-in link' };
const signInText: Record<UiLanguage, (name: string, url: string, minutes: number) => string> = {
  fi: (n, u, m) => `Hei ${n},\n\nkirjaudu kiinniin tästä linkistä (toimii kerran, ${m} minuuttia):\n${u}\n\nJos et pyytänyt linkkiä, voit jättää viestin huomiotta.\n`,
  sv: (n, u, m) => `Hej ${n},\n\nlogga in i kiinni med den här länken (fungerar en gång, ${m} minuter):\n${u}\n\nOm du inte bad om länken kan du strunta i meddelandet.\n`,
  en: (n, u, m) => `Hello ${n},\n\nsign in to kiinni with this link (works once, for ${m} minutes):\n${u}\n\nIf you did not ask for it, you can ignore this message.\n`,
};

async function sendSignInMail(o: WorkspaceOptions, to: { staffId: string; name: string; email: string; lang: UiLanguage }, url: string): Promise<void> {
  const now = o.clock();
  const text = signInText[to.lang](to.name, url, o.config.web.linkMinutes);
  const html = `<!DOCTYPE html><html lang="${to.lang}"><head><meta charset="utf-8"><title>${esc(signInSubject[to.lang])}</title></head><body><p>${esc(text.split('\n')[0])}</p><p><a href="${esc(url)}">${esc(url)}</a></p></body></html>`;
  const stamp = now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 17);
  await o.mailer.send(
    { from: o.config.digest.from, to: { name: to.name, address: to.email }, subject: signInSubject[to.lang], text, html, messageId: `<sign-in-${stamp}-${to.staffId}@kiinni>`, date: now, lang: to.lang },
    path.join('sign-in', `${stamp}-${to.staffId}`),
  );
}
