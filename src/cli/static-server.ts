// `flipcert serve`: the web app's static files (dist/app/) over local HTTP.
// Nothing is computed here; the page runs certify in its own Web Workers.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlipcertError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The page may only talk to its own origin: no fonts or scripts from elsewhere.
 * Wasm compilation and Blob-URL workers are what the library needs.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' blob: data:",
].join('; ');

export interface ServeOptions {
  /** Folder to serve; default dist/app next to the running CLI bundle. */
  root?: string;
  port?: number;
  host?: string;
}

/** dist/app/ beside dist/cli.js (this module is bundled into the CLI). */
export function defaultAppRoot(): string {
  return fileURLToPath(new URL('./app/', import.meta.url));
}

/** Starts serving and resolves once listening, with the page's URL. */
export async function startServer(opts: ServeOptions = {}): Promise<{ server: Server; url: string }> {
  const root = resolve(opts.root ?? defaultAppRoot());
  if (!existsSync(join(root, 'index.html'))) {
    throw new FlipcertError(`${root}: the web app is not built (no index.html); run npm run build`, 'EFILE');
  }
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlipcertError(`--port must be an integer in 0..65535, got ${port}`, 'EOPTION', { field: 'port' });
  }
  const server = createServer((request, response) => respond(root, request, response));
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE' ? `port ${port} is already in use; choose another with --port`
        : error.code === 'EACCES' ? `no permission to listen on port ${port}; use a port above 1023`
        : `cannot listen on ${host}:${port} (${error.code ?? error.message})`;
      fail(new FlipcertError(why, 'EOPTION', { field: error.code === 'EADDRNOTAVAIL' ? 'host' : 'port' }));
    });
    server.listen(port, host, done);
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${bound}/` };
}

function respond(root: string, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolveFile(root, request.url ?? '/');
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CSP,
    // Cross-origin isolation: the page may then share WebAssembly memory between
    // its workers, so a single model runs on every core (src/pool/team-protocol.ts).
    // Everything it loads is same-origin, which require-corp allows.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}

/** The regular file under `root` that a URL path names, or undefined (missing, a folder, or outside root). */
export function resolveFile(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://host').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(root, '.' + path);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}
