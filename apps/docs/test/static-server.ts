import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  // Needed for WebAssembly.instantiateStreaming, which tfjs-backend-wasm uses.
  '.wasm': 'application/wasm',
  // Served as bytes, not with Content-Encoding: the page decompresses them itself.
  '.gz': 'application/gzip',
  '.safetensors': 'application/octet-stream',
};

/** A running static server for a built site. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Which file under `root` answers `pathname` (VitePress layout: `/a/b` → `a/b.html`). */
export function resolveFile(root: string, pathname: string): string | null {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  const candidates = [clean, join(clean, 'index.html'), `${clean}.html`];
  for (const candidate of candidates) {
    const file = join(root, candidate);
    if (!file.startsWith(root + sep) && file !== root) continue;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}

/**
 * Serves a directory on 127.0.0.1 at a free port. Minimal on purpose: GET and HEAD of files,
 * the right MIME types (WebAssembly included), 404 with the site's own 404 page.
 */
export async function serveStatic(root: string): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    const file = resolveFile(root, pathname);
    if (!file) {
      const notFound = join(root, '404.html');
      response.writeHead(404, { 'content-type': TYPES['.html']! });
      response.end(existsSync(notFound) ? readFileSync(notFound) : 'not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
