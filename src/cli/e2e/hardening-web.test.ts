import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { runCli, startServe } from '../../testing/cli.js';
import { linkFromOutbox, workspaceSchool } from '../../testing/workspace.js';

/** One HTTP request with a Host header of our choosing (fetch does not allow setting it). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGTERM');
});

describe('workspace links come from configuration only (#16.2)', () => {
  it('a forged Host header does not change the e-mailed sign-in link', async () => {
    const { dataDir } = await workspaceSchool();
    const { server, base } = await startServe(dataDir);
    servers.push(server);
    const evil = { host: 'evil.example' };
    const form = await rawRequest(base, 'GET', '/sign-in', evil);
    expect(form.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const cookie = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const body = new URLSearchParams({ _csrf: csrf, email: 'teacher@example.fi' }).toString();
    const posted = await rawRequest(base, 'POST', '/sign-in', { ...evil, cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-host': 'evil.example' }, body);
    expect(posted.status).toBe(200);
    const link = await linkFromOutbox(dataDir, 'teacher@example.fi');
    expect(link.startsWith(`${base}/auth/link?token=`)).toBe(true);
    expect(link).not.toContain('evil.example');
  });

  it('serving on every interface without web.base_url is refused with a usage error', async () => {
    const { dataDir } = await workspaceSchool();
    const r = await runCli(['--data-dir', dataDir, 'serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('web.base_url');
  });
});
