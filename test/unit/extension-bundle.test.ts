// Issue 16: every VS Code window loads dist/extension.js at startup, so it must stay the small
// vscode-side bundle; the engine (zod schemas, SQLite, chokidar, ws, providers) is dist/engine.js,
// required only after activate() returned (src/vscode/engineModule.ts, esbuild.mjs).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIST = path.join(__dirname, '..', '..', '..', 'dist');
/** esbuild heads each bundled module with a `// <path>` comment line. */
const bundles = (code: string, part: string) => code.split('\n').some(l => l.startsWith('// ') && l.includes(part));

describe('extension bundle split (activation cost)', () => {
  const ext = fs.readFileSync(path.join(DIST, 'extension.js'), 'utf8');
  const engine = fs.readFileSync(path.join(DIST, 'engine.js'), 'utf8');

  it('dist/extension.js holds none of the engine\'s heavy modules and requires dist/engine.js lazily', () => {
    for (const heavy of ['node_modules/zod/', 'node_modules/ws/', 'node_modules/chokidar/', 'src/engine/runtime.ts', 'src/engine/store/', 'src/engine/codex/rollout']) {
      assert.ok(!bundles(ext, heavy), `dist/extension.js bundles ${heavy}`);
    }
    assert.match(ext, /require\("\.\/engine\.js"\)/);
    assert.ok(ext.length < 200_000, `dist/extension.js is ${ext.length} bytes`);
  });

  it('dist/engine.js carries the engine', () => {
    for (const part of ['node_modules/zod/', 'src/engine/runtime.ts', 'src/engine/hub/server.ts']) {
      assert.ok(bundles(engine, part), `dist/engine.js lacks ${part}`);
    }
  });
});
