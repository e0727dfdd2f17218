// Bundles the session webview: webview/session/main.ts → <outdir>/session.js (IIFE, browser) and
// <outdir>/session.css (the CSS it imports). The VS Code panel host links both from dist/.
// Usage: node webview/build.mjs [--dev] [--outdir <dir>]      (default: minified into dist/;
// FD_WEBVIEW_NO_MINIFY=1 keeps names readable for profiling)
// From another build script: import { buildSessionWebview } from './webview/build.mjs'.
import * as esbuild from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function sessionWebviewOptions({ production = true, outdir = path.join(root, 'dist') } = {}) {
  return {
    entryPoints: { session: path.join(root, 'webview/session/main.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: production && !process.env.FD_WEBVIEW_NO_MINIFY,
    sourcemap: production ? false : 'inline',
    tsconfig: path.join(root, 'webview/tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export async function buildSessionWebview(opts = {}) {
  return esbuild.build(sessionWebviewOptions(opts));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--outdir');
  await buildSessionWebview({ production: !process.argv.includes('--dev'), outdir: i > 0 ? path.resolve(process.argv[i + 1]) : undefined });
}
