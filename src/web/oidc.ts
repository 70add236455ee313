import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcConfig } from '../core/config.js';
import { ErrorCode, KiinniError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

/**
 * Sign-in with the provider's identity service by OpenID Connect (Microsoft Entra ID, Google
 * Workspace, MPASSid): the authorisation-code flow with PKCE, state and nonce, through
 * `openid-client`. The flow's secrets (code verifier, state, nonce) wait in a signed, HttpOnly
 * cookie of the browser that started it, so a callback from another browser, a replayed or a
 * forged one finds nothing to match. What the flow yields is an e-mail address from the claim the
 * config names; who that is, and whether they may sign in, is the staff register's answer.
 */

/** What a started flow must remember until the callback. */
export interface OidcPending {
  verifier: string;
  state: string;
  nonce: string;
  /** The page to return to after signing in. */
  next?: string | undefined;
}

/** Why a callback did not sign anyone in. */
export type OidcProblem = 'state' | 'nonce' | 'denied' | 'failed' | 'no_email' | 'unverified';

export type OidcOutcome = { email: string } | { problem: OidcProblem; detail: string };

/** Plain http is accepted only for an issuer on this machine (tests, a local development provider). */
const loopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcConfig,
    private readonly clientSecret: string,
    /** Where the service sends the browser back: `<web.base_url>/auth/oidc/callback`, read when needed. */
    private readonly redirectUri: () => string,
    private readonly logger: Logger,
  ) {
    const issuer = new URL(settings.issuer);
    if (issuer.protocol !== 'https:' && !loopback(issuer)) throw new KiinniError(ErrorCode.ConfigInvalid, 'web.oidc.issuer must be an https address (plain http only for a service on this machine).', 'Use the https issuer address the identity service publishes.');
  }

  /** The button's label: the service's name from the config. */
  get label(): string {
    return this.settings.label;
  }

  /** The service's metadata, fetched once (and again after a failure). */
  private configuration(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    this.discovered ??= client
      .discovery(issuer, this.settings.clientId, undefined, client.ClientSecretBasic(this.clientSecret), { execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [], timeout: 10 })
      .catch((err: Error) => {
        this.discovered = undefined;
        this.logger.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'oidc_discovery_failed');
        throw err;
      });
    return this.discovered;
  }

  /** Where to send the browser to sign in, and what to remember until it comes back. */
  async start(next: string | undefined): Promise<{ url: string; pending: OidcPending }> {
    const config = await this.configuration();
    const pending: OidcPending = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), next };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri(),
      scope: this.settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** The callback: checks state, exchanges the code with the verifier, checks the ID token's nonce, reads the e-mail claim. */
  async finish(callback: URL, pending: OidcPending): Promise<OidcOutcome> {
    const given = Buffer.from(callback.searchParams.get('state') ?? '');
    const expected = Buffer.from(pending.state);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'state', detail: 'state does not match the flow this browser started' };
    if (callback.searchParams.has('error')) return { problem: 'denied', detail: `the service answered ${(callback.searchParams.get('error') ?? '').replace(/[^a-z_]/g, '').slice(0, 40)}` };
    const config = await this.configuration();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      const idToken = tokens.claims()!;
      claims = idToken;
      // Services that keep the e-mail out of the ID token (returning it from userinfo) are asked there, for the same subject.
      if (claims[this.settings.emailClaim] === undefined && tokens.access_token) claims = { ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
    } catch (err) {
      const e = err as Error & { code?: string };
      if (failedClaim(err) === 'nonce') return { problem: 'nonce', detail: 'the ID token answers another sign-in (nonce)' };
      this.logger.warn({ err: { message: e.message, code: e.code } }, 'oidc_code_exchange_failed');
      return { problem: 'failed', detail: `code exchange refused (${e.code ?? 'error'})` };
    }
    const value = claims[this.settings.emailClaim];
    if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(value)) return { problem: 'no_email', detail: `no e-mail in claim ${this.settings.emailClaim}` };
    // A service that says the address is not verified is not believed for it.
    if (this.settings.emailClaim === 'email' && claims['email_verified'] === false) return { problem: 'unverified', detail: 'e-mail not verified by the service' };
    return { email: value.trim().toLowerCase() };
  }
}

/** The claim a token check failed on, from the error's causes (openid-client wraps oauth4webapi's error). */
function failedClaim(err: unknown): string | undefined {
  for (let e = err as { cause?: unknown; claim?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.claim === 'string') return e.claim;
  }
  return undefined;
}
