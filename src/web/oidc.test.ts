import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allMigrations } from '../app/index.js';
import { defaultConfig, type Config } from '../core/config.js';
import { dataDirLayout } from '../core/data-dir.js';
import { KiinniError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { outboxMailer } from '../digest/index.js';
import { workspaceSchool } from '../testing/workspace.js';
import { buildWorkspace, webSecret } from './index.js';

/**
 * OpenID Connect sign-in against a real OpenID provider (`oidc-provider`) on 127.0.0.1: the
 * browser's part is played over real HTTP with a cookie jar per site, following every redirect
 * and submitting the provider's own login and consent forms.
 */

const SECRET = 'kiinni-test-client-secret-0123456789';
const accounts: Record<string, { email: string; verified: boolean }> = {
  'nurse.login': { email: 'Nurse@Example.fi', verified: true },
  'stranger.login': { email: 'stranger@example.fi', verified: true },
  'unverified.login': { email: 'counsellor@example.fi', verified: false },
};

let opServer: Server;
let issuer: string;
let app: FastifyInstance;
let gate: Awaited<ReturnType<typeof buildWorkspace>>['gate'];
let base: string;
let config: Config;
let dataDir: string;

beforeAll(async () => {
  // The provider's address first (the workspace is configured with it), its clients after (they name the workspace's).
  opServer = createServer();
  await new Promise<void>((resolve) => opServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(opServer.address() as AddressInfo).port}`;

  ({ dataDir } = await workspaceSchool());
  config = defaultConfig();
  config.web.oidc = { issuer, clientId: 'kiinni', clientSecretEnv: 'TEST_OIDC_SECRET', emailClaim: 'email', scopes: ['openid', 'email'], label: 'Testipalvelu' };
  const dir = dataDirLayout(dataDir);
  ({ app, gate } = await buildWorkspace({ dir, config, logger: silentLogger(), clock: () => new Date('2025-10-16T07:00:00Z'), migrations: allMigrations, mailer: outboxMailer(dir.outbox), secret: webSecret(dataDir), idleMs: 50, env: { TEST_OIDC_SECRET: SECRET } }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  config.web.baseUrl = base;

  const provider = new Provider(issuer, {
    clients: [{ client_id: 'kiinni', client_secret: SECRET, redirect_uris: [`${base}/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    findAccount: (_ctx, id) => (accounts[id] ? { accountId: id, claims: () => ({ sub: id, email: accounts[id]!.email, email_verified: accounts[id]!.verified }) } : undefined),
  });
  opServer.on('request', provider.callback());
}, 60_000);

afterAll(async () => {
  await app?.close().catch(() => undefined);
  opServer?.close();
});

/** A browser: cookies per origin, redirects followed by hand. */
class Browser {
  private jars = new Map<string, Map<string, string>>();

  async fetch(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? new Map<string, string>();
    this.jars.set(u.origin, jar);
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-language': 'fi', ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim()];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  /**
   * Signs in at the provider as `login` from an authorisation URL, answering its login and
   * consent forms, until it sends the browser back to kiinni: the callback URL (not yet opened).
   */
  async atProvider(authUrl: string, login: string): Promise<string> {
    let url = authUrl;
    for (let step = 0; step < 12; step++) {
      const res = await this.fetch(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        if (url.startsWith(base)) return url;
        continue;
      }
      const page = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(page)?.[1];
      if (!action || !prompt) throw new Error(`provider page without a form (status ${res.status})`);
      const answer = await this.fetch(new URL(action, url).href, { method: 'POST', form: prompt === 'login' ? { prompt, login, password: 'any' } : { prompt } });
      url = new URL(answer.headers.get('location')!, url).href;
      if (url.startsWith(base)) return url;
    }
    throw new Error('the provider never sent the browser back');
  }
}

/** Starts sign-in at kiinni: the provider's authorisation URL kiinni redirected to. */
async function start(b: Browser, next?: string): Promise<string> {
  const res = await b.fetch(`${base}/auth/oidc${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  expect(res.status).toBe(303);
  const to = res.headers.get('location')!;
  expect(to.startsWith(`${issuer}/`)).toBe(true);
  return to;
}

const audit = async () => { const rows = await gate.use((db) => db.all(`SELECT action, staff_id, detail FROM audit_log WHERE action IN ('signed_in', 'sign_in_refused') ORDER BY logged_at, action`)); if (process.env['DEBUG_OIDC']) console.log(rows); return rows; };

describe('OpenID Connect sign-in (web.oidc) against oidc-provider', () => {
  it('offers the service on the sign-in page, beside the e-mailed link', async () => {
    const page = await (await new Browser().fetch(`${base}/sign-in`)).text();
    expect(page).toContain('Kirjaudu Testipalvelu-tunnuksella');
    expect(page).toContain('href="/auth/oidc"');
    expect(page).toContain('name="email"');
  });

  it('code flow end to end: PKCE, state and nonce sent; the e-mail claim signs in the staff member; back to the page asked for', async () => {
    const b = new Browser();
    const auth = new URL(await start(b, '/students/S1'));
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('redirect_uri')).toBe(`${base}/auth/oidc/callback`);
    const callback = await b.atProvider(auth.href, 'nurse.login');
    const res = await b.fetch(callback);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/students/S1');
    expect(b.cookie(base, 'kiinni_session')).toBeTruthy();
    expect(b.cookie(base, 'kiinni_oidc')).toBeUndefined();
    const home = await b.fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Staff nurse');
    const session = await gate.use((db) => db.one(`SELECT method FROM web_sessions s JOIN staff USING (staff_id) WHERE email = 'nurse@example.fi' ORDER BY created_at DESC LIMIT 1`));
    expect(session?.['method']).toBe('oidc');
    expect((await audit()).some((a) => a['action'] === 'signed_in' && a['detail'] === 'oidc')).toBe(true);

    // The same callback again (a replay, or a reload): the flow's cookie is gone and the code spent.
    const again = await b.fetch(callback);
    expect(again.status).toBe(400);
  });

  it('refuses a callback whose state is not the one this browser started with', async () => {
    const b = new Browser();
    const callback = new URL(await b.atProvider(await start(b), 'nurse.login'));
    callback.searchParams.set('state', 'forged-state-value-forged-state-value-00000');
    const res = await b.fetch(callback.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Kirjautuminen ei onnistunut');
    expect(b.cookie(base, 'kiinni_session')).toBeUndefined();
    expect((await audit()).some((a) => a['action'] === 'sign_in_refused' && String(a['detail']).startsWith('oidc: state'))).toBe(true);
  });

  it('refuses a callback in a browser that started no sign-in (login CSRF)', async () => {
    const attacker = new Browser();
    const callback = await attacker.atProvider(await start(attacker), 'nurse.login');
    const victim = new Browser();
    const res = await victim.fetch(callback);
    expect(res.status).toBe(400);
    expect(victim.cookie(base, 'kiinni_session')).toBeUndefined();
  });

  it('refuses an ID token whose nonce answers another sign-in', async () => {
    const b = new Browser();
    const auth = new URL(await start(b));
    auth.searchParams.set('nonce', 'a-nonce-kiinni-never-issued-000000000000000');
    const res = await b.fetch(await b.atProvider(auth.href, 'nurse.login'));
    expect(res.status).toBe(400);
    expect(b.cookie(base, 'kiinni_session')).toBeUndefined();
    expect((await audit()).some((a) => a['action'] === 'sign_in_refused' && String(a['detail']).includes('nonce'))).toBe(true);
  });

  it('refuses a code exchanged without the right PKCE verifier (challenge replaced on the way)', async () => {
    const b = new Browser();
    const auth = new URL(await start(b));
    auth.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const res = await b.fetch(await b.atProvider(auth.href, 'nurse.login'));
    expect(res.status).toBe(400);
    expect(b.cookie(base, 'kiinni_session')).toBeUndefined();
  });

  it('refuses and audits an address the staff register does not hold, without recording the address', async () => {
    const b = new Browser();
    const res = await b.fetch(await b.atProvider(await start(b), 'stranger.login'));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Tunnuksellasi ei ole pääsyä kiinni-työtilaan');
    expect(b.cookie(base, 'kiinni_session')).toBeUndefined();
    const rows = await audit();
    expect(rows.some((a) => a['action'] === 'sign_in_refused' && a['staff_id'] === null && a['detail'] === 'oidc: address not in the staff register')).toBe(true);
    const all = await gate.use((db) => db.all(`SELECT * FROM audit_log`));
    expect(JSON.stringify(all)).not.toContain('stranger@');
  });

  it('does not believe an address the service says is unverified', async () => {
    const b = new Browser();
    const res = await b.fetch(await b.atProvider(await start(b), 'unverified.login'));
    expect(res.status).toBe(400);
    expect(b.cookie(base, 'kiinni_session')).toBeUndefined();
    expect((await audit()).some((a) => a['action'] === 'sign_in_refused' && String(a['detail']).includes('not verified'))).toBe(true);
  });

  it('will not start without the client secret in the environment, and names the variable', async () => {
    const other = defaultConfig();
    other.web.oidc = { ...config.web.oidc!, clientSecretEnv: 'KIINNI_TEST_NO_SUCH_SECRET' };
    const dir = dataDirLayout(dataDir);
    const attempt = buildWorkspace({ dir, config: other, logger: silentLogger(), clock: () => new Date(), migrations: allMigrations, mailer: outboxMailer(dir.outbox), secret: webSecret(dataDir), env: {} });
    await expect(attempt).rejects.toThrow(KiinniError);
    await expect(attempt).rejects.toThrow(/KIINNI_TEST_NO_SUCH_SECRET/);
  });
});
