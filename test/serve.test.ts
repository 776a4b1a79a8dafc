// `flipcert serve` (src/cli/static-server.ts) against hostile requests and a
// hostile folder: it serves only files whose real path is inside its folder (a
// symbolic link out of it is not followed), stays up after any request (a link to
// /proc/self/mem, files replaced while served, a FIFO), answers only Host names of
// this machine (DNS rebinding), and sends nosniff, a CSP with frame-ancestors
// 'none' and X-Frame-Options on every response. It listens on loopback unless
// told otherwise, and then says so on stderr.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Served } from '../src/cli/static-server.js';
import { startServeCli } from './support/serve-cli.js';

const outside = mkdtempSync(join(tmpdir(), 'flipcert-serve-outside-'));
const site = mkdtempSync(join(tmpdir(), 'flipcert-serve-site-'));
afterAll(() => {
  rmSync(site, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

writeFileSync(join(outside, 'secret.txt'), 'secret');
writeFileSync(join(site, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(site, 'app.js'), 'console.log(1);');
writeFileSync(join(site, 'empty.css'), '');
mkdirSync(join(site, 'sub'));
writeFileSync(join(site, 'sub', 'inner.json'), '{"ok":true}');
symlinkSync('/', join(site, 'x')); // `ln -s / dist/app/x`
symlinkSync(join(outside, 'secret.txt'), join(site, 'secret.txt'));
symlinkSync(outside, join(site, 'out'));
symlinkSync('/proc/self/mem', join(site, 'mem'));
symlinkSync('app.js', join(site, 'alias.js')); // a link that stays inside: served
spawnSync('mkfifo', [join(site, 'pipe.js')]);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path and headers sent as written (fetch would normalise both). */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method, headers, setHost: !('host' in headers) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', fail);
    });
    req.on('error', fail);
    if ('host' in headers) req.setHeader('host', headers.host);
    req.end();
  });
}

describe('flipcert serve, hostile requests', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServer({ root: site, port: 0 });
  });
  afterAll(() => served.server.close());

  const alive = async () => expect((await get(served.url, '/')).status).toBe(200);

  it('serves its files, and links that stay inside its folder', async () => {
    expect(served.loopback).toBe(true);
    expect((await get(served.url, '/')).body).toBe('<!doctype html><title>app</title>');
    expect((await get(served.url, '/sub/inner.json')).body).toBe('{"ok":true}');
    expect((await get(served.url, '/alias.js')).body).toBe('console.log(1);');
    const empty = await get(served.url, '/empty.css');
    expect([empty.status, empty.body, empty.headers['content-length']]).toEqual([200, '', '0']);
  });

  it('follows no symbolic link out of its folder', async () => {
    for (const path of ['/x/etc/passwd', '/x/root/.bashrc', '/secret.txt', '/out/secret.txt', '/x/proc/self/environ']) {
      const answer = await get(served.url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toBe('not found\n');
    }
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fetc%2fpasswd', '/%00', '/%', '/sub/../../etc/passwd']) {
      expect((await get(served.url, path)).status, path).toBe(404);
    }
    await alive();
  });

  it('stays up after requests whose reads fail or would block: /proc/self/mem, a FIFO, a folder, a file replaced while served', async () => {
    for (const path of ['/mem', '/pipe.js', '/sub', '/sub/']) expect((await get(served.url, path)).status, path).toBe(404);
    await alive();
    // A file swapped (removed, then written again) over and over while it is requested.
    const big = 'x'.repeat(1 << 20);
    writeFileSync(join(site, 'swap.js'), big);
    let swapping = true;
    const swapper = (async () => {
      for (let i = 0; swapping; i++) {
        rmSync(join(site, 'swap.js'), { force: true });
        await new Promise((r) => setImmediate(r));
        writeFileSync(join(site, `swap-${i}.tmp`), big);
        renameSync(join(site, `swap-${i}.tmp`), join(site, 'swap.js'));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 60 }, () => get(served.url, '/swap.js').catch(() => ({ status: -1, body: '', headers: {} }))));
    swapping = false;
    await swapper;
    for (const answer of answers) {
      expect([200, 404, -1]).toContain(answer.status);
      if (answer.status === 200) expect(answer.body.length).toBeLessThanOrEqual(big.length);
    }
    const after = await get(served.url, '/swap.js');
    expect([after.status, after.body.length]).toEqual([200, big.length]);
    await alive();
  });

  it('answers only Host names of this machine (DNS rebinding), with 421 otherwise', async () => {
    const port = new URL(served.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `app.localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, `127.0.0.1.:${port}`]) {
      expect((await get(served.url, '/', { host })).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `192.0.2.1:${port}`, '']) {
      const answer = await get(served.url, '/', { host });
      expect(answer.status, host).toBe(421);
      expect(answer.body).toMatch(/Host header refused/);
    }
  });

  it('sends nosniff, a CSP with frame-ancestors none and X-Frame-Options DENY on every response', async () => {
    const port = new URL(served.url).port;
    const answers = [
      await get(served.url, '/'),
      await get(served.url, '/app.js'),
      await get(served.url, '/nope.js'),
      await get(served.url, '/', {}, 'POST'),
      await get(served.url, '/', {}, 'DELETE'),
      await get(served.url, '/', { host: `evil.example:${port}` }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 405, 405, 421]);
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['content-security-policy']).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
      expect(answer.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    }
    expect(answers[3].headers.allow).toBe('GET, HEAD');
  });
});

describe('flipcert serve, where it listens', () => {
  /** The first stdout line and the stderr of `flipcert serve` started with `args`. */
  async function serve(args: string[]): Promise<{ line: string; stderr: string }> {
    const { child, line, stderr } = await startServeCli(args);
    const closed = once(child, 'close'); // all it wrote has been read
    child.kill();
    await closed;
    return { line, stderr: stderr() };
  }

  it('loopback by default, without a warning', async () => {
    const { line, stderr } = await serve([]);
    expect(line).toMatch(/^flipcert: serving the web app at http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl\+C to stop\)\n$/);
    expect(stderr).toBe('');
  });

  it('--host 0.0.0.0 serves the network, with one warning line on stderr', async () => {
    const { line, stderr } = await serve(['--host', '0.0.0.0']);
    expect(line).toMatch(/^flipcert: serving the web app at http:\/\/0\.0\.0\.0:\d+\//);
    expect(stderr).toBe(
      'flipcert: warning: --host 0.0.0.0 serves the app to other machines: anyone who can reach this address can open it (the default, 127.0.0.1, serves this machine only)\n',
    );
  });
});
