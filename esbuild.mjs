// Builds dist/: the extension (Node, CommonJS, vscode and the native better-sqlite3 left external),
// the CLI and the Claude hook helper when their sources exist, benchmarks, and the webview bundle.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: !production, minify: production,
  // better-sqlite3 loads a .node binary next to its own files: it ships in node_modules, not in the bundle.
  external: ['vscode', 'better-sqlite3'], logLevel: 'info',
};
const shebang = { js: '#!/usr/bin/env node' };

// The extension's engine side is its own bundle (dist/engine.js), required lazily after activate()
// returned (src/vscode/engineModule.ts), so every window loads only the small vscode-side bundle.
const lazyEngine = {
  name: 'lazy-engine',
  setup(build) {
    build.onResolve({ filter: /(^|\/)engineBundle$/ }, () => ({ path: './engine.js', external: true }));
  },
};

// The CLI's commands are bundles of their own (dist/cli-<command>.js), required by dist/cli.js when
// named (src/cli/main.ts), so `flightdeck import` does not parse and start the engine `serve` needs;
// the import's rare talk to a running engine is one more (importViaEngine).
const LAZY_CLI = {
  'src/cli/main.ts': { './import': 'cli-import.js', './usage': 'cli-usage.js', './serveCommand': 'cli-serve.js' },
  'src/cli/import.ts': { './importViaEngine': 'cli-import-via-engine.js' },
};
const lazyCliModules = {
  name: 'lazy-cli-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/\w+$/ }, args => {
      const importer = path.relative(process.cwd(), args.importer).split(path.sep).join('/');
      const file = LAZY_CLI[importer]?.[args.path];
      return file ? { path: `./${file}`, external: true } : undefined;
    });
  },
};

/** [entry, options]; entries whose source does not exist (yet) are skipped. */
const builds = [
  // Banner and footer mark when the host began and finished evaluating the bundle (activationMarks, for the activation bench).
  ['src/extension.ts', { ...node, outfile: 'dist/extension.js', plugins: [lazyEngine], metafile: true, banner: { js: '"use strict";\nvar __flightdeckEvalStart = performance.now();' }, footer: { js: 'var __flightdeckEvalEnd = performance.now();' } }],
  ['src/engineBundle.ts', { ...node, outfile: 'dist/engine.js' }],
  // The history import's thread (src/engine/history/workerImport.ts loads it from next to engine.js / cli.js).
  ['src/engine/history/importWorker.ts', { ...node, outfile: 'dist/importWorker.js' }],
  // Its writing thread (src/engine/history/importPipe.ts loads it from next to importWorker.js).
  ['src/engine/history/importWriter.ts', { ...node, outfile: 'dist/importWriter.js' }],
  ['src/cli/main.ts', { ...node, outfile: 'dist/cli.js', banner: shebang, plugins: [lazyCliModules] }],
  ['src/cli/import.ts', { ...node, outfile: 'dist/cli-import.js', plugins: [lazyCliModules] }],
  ['src/cli/importViaEngine.ts', { ...node, outfile: 'dist/cli-import-via-engine.js' }],
  ['src/cli/usage.ts', { ...node, outfile: 'dist/cli-usage.js' }],
  ['src/cli/serveCommand.ts', { ...node, outfile: 'dist/cli-serve.js' }],
  ['src/cli/hook.ts', { ...node, outfile: 'dist/hook.js', banner: shebang }],
  ['bench/main.ts', { ...node, outfile: 'dist/bench.js' }],
  ['webview/main.ts', { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, outfile: 'dist/webview.js', logLevel: 'info' }],
  // The hub's web client; its CSS import becomes dist/web.css next to it.
  // The usage report panel; its CSS import becomes dist/usage.css.
  ['webview/usage/main.ts', { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false, minify: true, outfile: 'dist/usage.js', logLevel: 'info' }],
  ['web/main.ts', { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production, outfile: 'dist/web.js', logLevel: 'info' }],
].filter(([entry]) => existsSync(entry));

const contexts = await Promise.all(builds.map(([entry, opts]) => esbuild.context({ ...opts, entryPoints: [entry] })));
if (watch) {
  await Promise.all(contexts.map(c => c.watch()));
  console.log(`esbuild: watching ${builds.map(([e]) => e).join(', ')}`);
} else {
  try {
    await Promise.all(contexts.map(c => c.rebuild()));
  } finally {
    await Promise.all(contexts.map(c => c.dispose()));
  }
}

// The session panel webview → dist/session.js + dist/session.css, always minified (options: webview/build.mjs).
if (existsSync('webview/build.mjs')) {
  const { sessionWebviewOptions } = await import('./webview/build.mjs');
  const session = await esbuild.context(sessionWebviewOptions({ production: true }));
  if (watch) await session.watch();
  else try { await session.rebuild(); } finally { await session.dispose(); }
}
