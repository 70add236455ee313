import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, KiinniError } from '../../core/errors.js';
import { languageOr } from '../../core/vocabulary.js';
import { guessLanguage, msg, type Language, translator } from '../../i18n/index.js';
import type { Warehouse } from '../../db/warehouse.js';
import { recordAudit } from '../audit.js';
import { checkSignInToken, createSignInToken, endSession, recentLinkRequests, startSession, useSignInToken } from '../auth.js';
import { formField, PageError, safeNext, type Workspace, type WorkspaceOptions } from '../context.js';
import { hidden, html } from '../html.js';
import { OidcSignIn, type OidcPending } from '../oidc.js';
import { staffByEmail } from '../queries.js';

export const SESSION_COOKIE = 'kiinni_session';
/** The OpenID Connect flow's secrets between its start and its callback (signed, HttpOnly, ten minutes). */
const OIDC_COOKIE = 'kiinni_oidc';

/** The session id from the signed cookie, if it carries a valid one. */
export function sessionIdOf(req: FastifyRequest): string | undefined {
  const raw = req.cookies[SESSION_COOKIE];
  const unsigned = raw ? req.unsignCookie(raw) : undefined;
  return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
}

/**
 * Sign-in by a single-use link e-mailed to a staff address, and sign-out. The answer to a link
 * request is the same for every address, and the mail leaves off the request path.
 */
export function signInRoutes(app: FastifyInstance, w: Workspace, sessions: Map<string, unknown>): { mailSent: () => Promise<void> } {
  const { o, gate } = w;
  const secure = o.config.web.baseUrl?.startsWith('https://') ?? false;
  const limit = { rateLimit: { max: o.config.web.linkRequestsPer15Min * 10, timeWindow: '15 minutes' } };

  // Every way in ends the same: a session, its audit row, and the cookie.
  const signedIn = async (db: Warehouse, staffId: string, method: 'magic_link' | 'oidc', client: string) => {
    const session = await startSession(db, staffId, method, o.clock());
    await recordAudit(db, { staff_id: staffId, action: 'signed_in', client, detail: method }, o.clock());
    return session;
  };
  const setSessionCookie = (reply: FastifyReply, session: string) =>
    reply.setCookie(SESSION_COOKIE, session, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: o.config.web.sessionHours * 3600 });
  const oidc = oidcSignIn(o);
  const signInForm = (lang: Language, token: string, next: string | undefined) => {
    const t = translator(lang);
    const viaService = oidc
      ? html`<p><a class="button" href="/auth/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}">${t('web.sign_in_with', { service: oidc.label })}</a></p><p>${t('web.sign_in_link_instead')}</p>`
      : '';
    return html`${viaService}<p>${t('web.sign_in_intro', { minutes: o.config.web.linkMinutes })}</p>
<form method="post" action="/sign-in">${hidden('_csrf', token)}${hidden('lang', lang)}${next ? hidden('next', next) : ''}
<label for="email">${t('web.email')}</label><input id="email" name="email" type="email" autocomplete="email" required size="40">
<p><button type="submit">${t('web.send_link')}</button></p></form>`;
  };
  const linkProblem = (lang: Language, problem: string) => {
    const t = translator(lang);
    return html`<p role="alert">${t(problem === 'expired' ? 'web.link_problem_expired' : problem === 'used' ? 'web.link_problem_used' : 'web.link_problem_unknown')}</p><p><a href="/sign-in">${t('web.sign_in')}</a></p>`;
  };

  app.get('/sign-in', async (req, reply) => {
    const lang = w.langOf(req);
    return w.render(req, reply, msg(lang, 'web.sign_in'), signInForm(lang, reply.generateCsrf(), safeNext(formField(req.query, 'next'))));
  });

  // Sign-in mail is sent off the request path, after the same work for every address: the answer
  // and its timing say nothing about whether an address belongs to staff.
  let mailQueue: Promise<void> = Promise.resolve();
  const queueSignIn = (email: string, clientAddress: string, next: string | undefined) => {
    mailQueue = mailQueue.then(() =>
      gate
        .use(async (db) => {
          const staff = await staffByEmail(db, email);
          if (!staff) return recordAudit(db, { staff_id: null, action: 'sign_in_link_requested', client: clientAddress, detail: 'unknown address' }, o.clock());
          if ((await recentLinkRequests(db, staff.staffId, 15, o.clock())) >= o.config.web.linkRequestsPer15Min) {
            return recordAudit(db, { staff_id: staff.staffId, action: 'sign_in_link_requested', client: clientAddress, detail: 'over the per-address limit' }, o.clock());
          }
          const token = await createSignInToken(db, o.secret, staff.staffId, 'sign_in_page', o.config.web.linkMinutes, o.clock());
          await recordAudit(db, { staff_id: staff.staffId, action: 'sign_in_link_requested', client: clientAddress }, o.clock());
          await sendSignInMail(o, { ...staff, lang: languageOr(staff.language) }, signInUrl(o, token, next));
        })
        .catch((err: Error & { code?: string }) => o.logger.error({ err: { message: err.message, code: err.code } }, 'sign_in_mail_failed')),
    );
  };

  app.post('/sign-in', { preHandler: app.csrfProtection, config: limit }, async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const lang = guessLanguage(body['lang'], req.headers['accept-language']);
    const email = formField(body, 'email').trim().toLowerCase();
    if (email.length > 254) throw new PageError(400, 'bad_request', msg(lang, 'web.email'));
    queueSignIn(email, req.ip, safeNext(formField(body, 'next')));
    return w.render(req, reply, msg(lang, 'web.sign_in'), html`<p role="status">${msg(lang, 'web.link_sent')}</p>`);
  });

  // Opening the link only shows a button: mail scanners that fetch links do not use them up.
  app.get('/auth/link', async (req, reply) => {
    const lang = w.langOf(req);
    const t = translator(lang);
    const token = formField(req.query, 'token');
    const next = safeNext(formField(req.query, 'next'));
    const checked = await gate.use((db) => checkSignInToken(db, o.secret, token, o.clock()));
    if ('problem' in checked) return w.render(req, reply, t('web.link_title'), linkProblem(lang, checked.problem), undefined, checked.problem === 'expired' || checked.problem === 'used' ? 410 : 400);
    return w.render(
      req,
      reply,
      t('web.link_title'),
      html`<p>${t('web.link_confirm')}</p><form method="post" action="/auth/link">${hidden('_csrf', reply.generateCsrf())}${hidden('token', token)}${next ? hidden('next', next) : ''}<button type="submit">${t('web.sign_in')}</button></form>`,
    );
  });

  app.post('/auth/link', { preHandler: app.csrfProtection, config: limit }, async (req, reply: FastifyReply) => {
    const lang = w.langOf(req);
    const token = formField(req.body, 'token');
    const result = await gate.use(async (db) => {
      const used = await useSignInToken(db, o.secret, token, o.clock());
      if ('problem' in used) {
        await w.audit(db, req, 'sign_in_refused', { detail: used.problem });
        return used;
      }
      const session = await signedIn(db, used.staffId, 'magic_link', req.ip);
      return { session };
    });
    if ('problem' in result) return w.render(req, reply, msg(lang, 'web.link_title'), linkProblem(lang, result.problem), undefined, result.problem === 'malformed' || result.problem === 'unknown' ? 400 : 410);
    setSessionCookie(reply, result.session);
    // Back to the page the link was asked from (a trigger or student in a digest), else home.
    return reply.redirect(safeNext(formField(req.body, 'next')) ?? '/', 303);
  });

  // --- OpenID Connect: the provider's own sign-in (web.oidc) ------------------------------------
  if (oidc) {
    const cookiePath = '/auth/oidc';
    app.get('/auth/oidc', { config: limit }, async (req, reply) => {
      const lang = w.langOf(req);
      let started: Awaited<ReturnType<OidcSignIn['start']>>;
      try {
        started = await oidc.start(safeNext(formField(req.query, 'next')));
      } catch {
        reply.header('Retry-After', '60');
        return w.render(req, reply, msg(lang, 'web.sign_in'), html`<p role="alert">${msg(lang, 'web.oidc_unavailable')}</p><p><a href="/sign-in">${msg(lang, 'web.sign_in')}</a></p>`, undefined, 503);
      }
      // SameSite=Lax: the service sends the browser back with a top-level GET from its own site.
      reply.setCookie(OIDC_COOKIE, JSON.stringify(started.pending), { path: cookiePath, httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: 600 });
      return reply.redirect(started.url, 303);
    });

    app.get('/auth/oidc/callback', { config: limit }, async (req, reply) => {
      const lang = w.langOf(req);
      const raw = req.cookies[OIDC_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : undefined;
      reply.clearCookie(OIDC_COOKIE, { path: cookiePath });
      const pending = unsigned?.valid && unsigned.value ? pendingOf(unsigned.value) : undefined;
      const callback = new URL(req.url, `${o.config.web.baseUrl ?? 'http://127.0.0.1'}`);
      const outcome = pending ? await oidc.finish(callback, pending).catch(() => ({ problem: 'failed' as const, detail: 'the service did not answer' })) : { problem: 'state' as const, detail: 'no sign-in was started in this browser' };
      const refused = (status: number, text: string) => w.render(req, reply, msg(lang, 'web.sign_in'), html`<p role="alert">${text}</p><p><a href="/sign-in">${msg(lang, 'web.sign_in')}</a></p>`, undefined, status);
      if ('problem' in outcome) {
        await gate.use((db) => w.audit(db, req, 'sign_in_refused', { detail: `oidc: ${outcome.detail}` }));
        return refused(400, msg(lang, 'web.oidc_failed'));
      }
      const result = await gate.use(async (db) => {
        const staff = await staffByEmail(db, outcome.email);
        // Not in the staff register, or holding no role: the service knows them, kiinni does not let them in.
        if (!staff || staff.roles.length === 0) {
          await recordAudit(db, { staff_id: staff?.staffId ?? null, action: 'sign_in_refused', client: req.ip, detail: staff ? 'oidc: no role in the staff register' : 'oidc: address not in the staff register' }, o.clock());
          return undefined;
        }
        return signedIn(db, staff.staffId, 'oidc', req.ip);
      });
      if (!result) return refused(403, msg(lang, 'web.oidc_not_staff'));
      setSessionCookie(reply, result);
      return reply.redirect(pending?.next ?? '/', 303);
    });
  }

  app.post('/sign-out', w.authedPost, async (req, reply) => {
    const id = sessionIdOf(req);
    await gate.use(async (db) => {
      if (id) {
        sessions.delete(id);
        await endSession(db, id, o.clock());
      }
      await w.audit(db, req, 'signed_out');
    });
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const lang = w.langOf(req);
    req.user = undefined;
    return w.render(req, reply, msg(lang, 'web.signed_out'), html`<p><a href="/sign-in">${msg(lang, 'web.sign_in')}</a></p>`);
  });

  return { mailSent: () => mailQueue };
}

/** The OpenID Connect sign-in when `web.oidc` is configured; its client secret must then be in the environment. */
function oidcSignIn(o: WorkspaceOptions): OidcSignIn | undefined {
  const settings = o.config.web.oidc;
  if (!settings) return undefined;
  const secret = (o.env ?? process.env)[settings.clientSecretEnv];
  if (!secret) throw new KiinniError(ErrorCode.ConfigInvalid, `web.oidc is configured but ${settings.clientSecretEnv} is not set.`, `Put the client secret the identity service gave kiinni in the environment variable ${settings.clientSecretEnv} (web.oidc.client_secret_env names another).`);
  return new OidcSignIn(settings, secret, () => `${o.config.web.baseUrl ?? ''}/auth/oidc/callback`, o.logger);
}

/** The flow's secrets back from the cookie, or undefined when it does not hold them. */
function pendingOf(text: string): OidcPending | undefined {
  try {
    const p = JSON.parse(text) as Record<string, unknown>;
    const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
    const [verifier, state, nonce] = [str('verifier'), str('state'), str('nonce')];
    return verifier && state && nonce ? { verifier, state, nonce, next: safeNext(str('next')) } : undefined;
  } catch {
    return undefined;
  }
}

/** Where a sign-in link points: the configured address (web.base_url), only. */
function signInUrl(o: WorkspaceOptions, token: string, next?: string): string {
  // Never from the request's Host header: a forged Host would put a genuine token in a link to another site.
  const base = o.config.web.baseUrl;
  if (!base) throw new KiinniError(ErrorCode.ConfigInvalid, 'Sign-in links need web.base_url.', "Set web.base_url in the config, or start 'kiinni serve' on a specific --host.");
  return `${base}/auth/link?token=${encodeURIComponent(token)}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
}

async function sendSignInMail(o: WorkspaceOptions, to: { staffId: string; name: string; email: string; lang: Language }, url: string): Promise<void> {
  const now = o.clock();
  const t = translator(to.lang);
  const minutes = o.config.web.linkMinutes;
  const subject = t('mail.sign_in.subject');
  const text = `${t('mail.sign_in.greeting', { name: to.name })}\n\n${t('mail.sign_in.body', { minutes })}\n${url}\n\n${t('mail.sign_in.ignore')}\n`;
  const page = html`<!DOCTYPE html><html lang="${to.lang}"><head><meta charset="utf-8"><title>${subject}</title></head><body><p>${t('mail.sign_in.greeting', { name: to.name })}</p><p>${t('mail.sign_in.body', { minutes })}</p><p><a href="${url}">${url}</a></p><p>${t('mail.sign_in.ignore')}</p></body></html>`;
  const stamp = now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 17);
  await o.mailer.send(
    { from: o.config.digest.from, to: { name: to.name, address: to.email }, subject, text, html: page.text, messageId: `<sign-in-${stamp}-${to.staffId}@kiinni>`, date: now, lang: to.lang },
    path.join('sign-in', `${stamp}-${to.staffId}`),
  );
}
