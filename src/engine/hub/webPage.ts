// The web client's files, served by the hub at `/` (SPEC §8, issue 8). The page is a fixed shell: the
// script and the stylesheet come from the same origin, and the CSP allows nothing inline or remote.
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/web.js': { file: 'web.js', type: 'text/javascript; charset=utf-8' },
  '/web.css': { file: 'web.css', type: 'text/css; charset=utf-8' },
};

/** Where the bundle is: next to this file when bundled into dist/, else the repo's dist/ (tsc output). */
export function defaultWebRoot(): string {
  const candidates = [__dirname, path.resolve(__dirname, '../../../../dist')];
  return candidates.find(d => fs.existsSync(path.join(d, 'web.js'))) ?? candidates[candidates.length - 1];
}

function csp(req: IncomingMessage): string {
  // connect-src 'self' covers same-origin ws: in current browsers; the explicit ws:// origin is for
  // older ones. The Host header is only echoed when it looks like a host.
  const host = req.headers.host && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(req.headers.host) ? ` ws://${req.headers.host} wss://${req.headers.host}` : '';
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", `connect-src 'self'${host}`,
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "manifest-src 'none'",
  ].join('; ');
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Flightdeck</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/web.css">
<script src="/web.js" defer></script>
</head>
<body><div id="app" class="app"><p class="muted pad">Loading…</p></div><noscript>Flightdeck needs JavaScript.</noscript></body>
</html>
`;

const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0e639c"/>'
  + '<path d="M3 9.5 13 4l-2.5 9-2.2-3.1L6 12V8.6z" fill="#fff"/></svg>';

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Answers `/` and the bundle files; false when the path is not one of them. */
export function serveWeb(req: IncomingMessage, res: ServerResponse, webRoot: string): boolean {
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname === '/' || pathname === '/index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp(req), ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : PAGE);
    return true;
  }
  if (pathname === '/favicon.svg' || pathname === '/favicon.ico') {
    res.writeHead(200, { 'Content-Type': 'image/svg+xml', ...SECURITY_HEADERS, 'Cache-Control': 'max-age=86400' });
    res.end(req.method === 'HEAD' ? undefined : FAVICON);
    return true;
  }
  const asset = ASSETS[pathname];
  if (!asset) return false;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  loadAsset(path.join(webRoot, asset.file)).then(({ raw, gzipped }) => {
    const body = gzip ? gzipped : raw;
    res.writeHead(200, {
      'Content-Type': asset.type, 'Content-Length': body.length, Vary: 'Accept-Encoding', ...SECURITY_HEADERS,
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }, () => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end('the web client is not built (npm run build)\n');
  });
  return true;
}

/** The bundle is large (zod, markdown-it) and phones may be on slow links: compress once per build. */
const assetCache = new Map<string, { mtimeMs: number; raw: Buffer; gzipped: Buffer }>();

async function loadAsset(file: string): Promise<{ raw: Buffer; gzipped: Buffer }> {
  const { mtimeMs } = await fs.promises.stat(file);
  const hit = assetCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit;
  const raw = await fs.promises.readFile(file);
  const gzipped = await new Promise<Buffer>((resolve, reject) => zlib.gzip(raw, { level: 9 }, (e, b) => (e ? reject(e) : resolve(b))));
  const entry = { mtimeMs, raw, gzipped };
  assetCache.set(file, entry);
  return entry;
}
