// `flipcert serve`: the web app's static files (dist/app/) over local HTTP.
// Nothing is computed here; the page runs certify in its own Web Workers.
// What it serves is confined to its folder by real paths (a symbolic link out of
// it is not followed); it answers only Host names that name this machine (DNS
// rebinding), every response says the page may not be framed or sniffed, and a
// failed read ends that one response, never the server.
import { constants, existsSync, realpathSync } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
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
 * Wasm compilation and Blob-URL workers are what the library needs. No other
 * page may frame it (clickjacking).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' blob: data:",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response, errors included. */
const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Never waits in open() (a named pipe in the folder), never follows a link swapped in after the check. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

export interface ServeOptions {
  /** Folder to serve; default dist/app next to the running CLI bundle. */
  root?: string;
  port?: number;
  host?: string;
}

/** A running server: its page's URL, and whether only this machine can reach it. */
export interface Served {
  server: Server;
  url: string;
  loopback: boolean;
}

/** dist/app/ beside dist/cli.js (this module is bundled into the CLI). */
export function defaultAppRoot(): string {
  return fileURLToPath(new URL('./app/', import.meta.url));
}

/** Starts serving and resolves once listening, with the page's URL. */
export async function startServer(opts: ServeOptions = {}): Promise<Served> {
  const given = resolve(opts.root ?? defaultAppRoot());
  if (!existsSync(join(given, 'index.html'))) {
    throw new FlipcertError(`${given}: the web app is not built (no index.html); run npm run build`, 'EFILE');
  }
  const root = realpathSync(given); // containment is checked on real paths
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlipcertError(`--port must be an integer in 0..65535, got ${port}`, 'EOPTION', { field: 'port' });
  }
  let names = new Set<string>();
  const server = createServer((request, response) => {
    respond(root, names, request, response).catch(() => response.destroy());
  });
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
  const address = server.address() as AddressInfo;
  names = hostNames(host, address.address);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${address.port}/`, loopback: isLoopback(address.address) };
}

/** 127.0.0.0/8 and ::1 (also as IPv4-mapped IPv6). */
export function isLoopback(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, '');
  return address === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

/**
 * The Host names this server answers to: loopback names, and the address it
 * was asked to listen on and is bound to; when bound to every address
 * (0.0.0.0, ::), this machine's interface addresses. A page of another
 * site whose name was made to resolve here (DNS rebinding) sends its own
 * name, which is not among them.
 */
function hostNames(host: string, bound: string): Set<string> {
  const names = new Set(['localhost', host.toLowerCase().replace(/^\[|\]$/g, ''), bound.toLowerCase()]);
  if (bound === '0.0.0.0' || bound === '::') {
    for (const list of Object.values(networkInterfaces())) for (const item of list ?? []) names.add(item.address.toLowerCase());
  }
  return names;
}

/** The name part of a Host header (`[::1]:8080` → `::1`), lower case. */
function hostName(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  if (bracketed) return bracketed[1].toLowerCase();
  return header.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase();
}

function hostAllowed(names: Set<string>, header: string | undefined): boolean {
  if (header === undefined) return false;
  const name = hostName(header);
  return names.has(name) || name.endsWith('.localhost') || isLoopback(name);
}

function send(response: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
}

async function respond(root: string, names: Set<string>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!hostAllowed(names, request.headers.host)) {
    send(response, 421, 'this server answers only to the names of this machine (Host header refused)\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  const file = await openServedFile(root, request.url ?? '/');
  if (!file) {
    send(response, 404, 'not found\n');
    return;
  }
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(file.path)] ?? 'application/octet-stream',
    'content-length': file.size,
    'cache-control': 'no-cache',
    // Cross-origin isolation: the page may then share WebAssembly memory between
    // its workers, so a single model runs on every core (src/pool/team-protocol.ts).
    // Everything it loads is same-origin, which require-corp allows.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  if (request.method === 'HEAD' || file.size === 0) {
    await file.handle.close();
    response.end();
    return;
  }
  // At most the bytes announced; a read that fails midway (an I/O error) ends this response, cut short.
  pipeline(file.handle.createReadStream({ end: file.size - 1 }), response, () => undefined);
}

/**
 * The regular file under `root` that a URL path names, open, or undefined
 * (missing, a folder, not a regular file, or outside root by `..` or through a
 * symbolic link).
 */
async function openServedFile(root: string, url: string): Promise<{ path: string; handle: FileHandle; size: number } | undefined> {
  const named = servedPath(root, url);
  if (named === undefined) return undefined;
  let handle: FileHandle | undefined;
  try {
    const path = await realpath(named);
    if (!path.startsWith(root + sep)) return undefined;
    handle = await open(path, OPEN_FLAGS);
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return undefined;
    }
    return { path, handle, size: stat.size };
  } catch {
    await handle?.close().catch(() => undefined);
    return undefined;
  }
}

/** The path under `root` a URL names, before links are resolved; undefined if it leaves root or is not a path. */
export function servedPath(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://host').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(root, '.' + path);
  return file.startsWith(root + sep) ? file : undefined;
}
