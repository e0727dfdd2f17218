// Unreadable files and folders in a history import (issue 14, "Bad input"): each gets a log line and a
// count in the summary, the import goes on with the rest, and what an earlier import stored stays.
// Root reads a chmod 000 file all the same (CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH), so under root
// the import runs in a child process without those two capabilities (setpriv): still uid 0, owner of
// the files, but held to their permission bits like any user. As another user the child runs as it is.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportSummary } from '../../src/engine/history/importer';
import { FakeClock } from '../../src/engine/platform/clock';
import { openStore } from '../../src/engine/store/sqliteStore';
import { MAIN_CLAUDE, world } from '../fixtures/history/world';
import { cleanupTmpDirs } from '../helpers/tmp';

const CHILD = path.join(__dirname, '..', 'helpers', 'importChild.js');
const asRoot = process.getuid?.() === 0;

function claudeLine(sessionId: string, n: number, text: string): string {
  return JSON.stringify({ type: 'user', uuid: `${sessionId}-u${n}`, sessionId, timestamp: `2026-11-20T10:0${n}:00.000Z`, cwd: '/home/dev/locked', message: { role: 'user', content: text } });
}

/** One import in a child process that cannot read what chmod 000 closes; its log lines and summary. */
function importUnprivileged(codexHome: string, claudeHome: string, db: string): Promise<{ logs: string[]; summary: ImportSummary }> {
  const [cmd, args] = asRoot
    ? ['setpriv', ['--bounding-set=-dac_override,-dac_read_search', process.execPath, CHILD, codexHome, claudeHome, db]]
    : [process.execPath, [CHILD, codexHome, claudeHome, db]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { err += d; });
    child.on('exit', code => {
      if (code !== 0) { reject(new Error(`import child exited ${code}: ${err}`)); return; }
      const lines = out.trim().split('\n').map(l => JSON.parse(l) as { log?: string; summary?: ImportSummary; canReadLocked?: boolean });
      const end = lines.find(l => l.summary);
      if (!end) { reject(new Error(`no summary: ${out} ${err}`)); return; }
      resolve({ logs: lines.flatMap(l => (l.log ? [l.log] : [])), summary: end.summary! });
    });
  });
}

describe('history import: unreadable files and folders (issue 14)', function () {
  this.timeout(120_000);
  after(cleanupTmpDirs);

  it('counts and logs a file and a folder it may not read, goes on with the rest, and keeps what was stored before', async () => {
    const w = world();
    const project = path.join(w.claudeHome, 'projects', '-home-dev-locked');
    fs.mkdirSync(project, { recursive: true });
    const locked = path.join(project, 'locked-1.jsonl');
    fs.writeFileSync(locked, claudeLine('locked-1', 1, 'never readable') + '\n');
    const later = path.join(project, 'later-1.jsonl');
    fs.writeFileSync(later, [1, 2].map(n => claudeLine('later-1', n, `stored line ${n}`)).join('\n') + '\n');
    const closedDir = path.join(w.claudeHome, 'projects', '-home-dev-closed');
    fs.mkdirSync(closedDir);
    fs.writeFileSync(path.join(closedDir, 'hidden-1.jsonl'), claudeLine('hidden-1', 1, 'behind a closed folder') + '\n');
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(closedDir, 0o000);
    const db = path.join(w.dataDir, 'flightdeck.db');

    const first = await importUnprivileged(w.codexHome, w.claudeHome, db);
    assert.equal(first.summary.counts.unreadable, 2, JSON.stringify(first.summary.counts));
    assert.ok(first.logs.some(l => l.startsWith('warn ') && l.includes(locked) && /EACCES|permission denied/i.test(l)), first.logs.join('\n'));
    assert.ok(first.logs.some(l => l.startsWith('warn ') && l.includes(closedDir) && /EACCES|permission denied/i.test(l)), first.logs.join('\n'));
    assert.ok(first.logs.some(l => /import done: .*unreadable 2/.test(l)), 'the summary line counts them');

    // later-1 was read; it grows and is then closed: the next import counts it and keeps its stored items.
    fs.chmodSync(later, 0o644);
    fs.appendFileSync(later, claudeLine('later-1', 3, 'appended, then locked') + '\n');
    fs.chmodSync(later, 0o000);
    const second = await importUnprivileged(w.codexHome, w.claudeHome, db);
    assert.equal(second.summary.counts.unreadable, 3, JSON.stringify(second.summary.counts));
    assert.ok(second.logs.some(l => l.includes(later) && /EACCES|permission denied/i.test(l)), second.logs.join('\n'));

    const store = openStore({ file: db, clock: new FakeClock() });
    try {
      const s = store.findSessionByProviderId('claude', 'later-1');
      assert.ok(s, 'the file read before it was locked is stored');
      assert.deepEqual(store.getMessages(s.id).map(m => m.text), ['stored line 1', 'stored line 2'], 'nothing stored is lost');
      assert.equal(store.findSessionByProviderId('claude', 'locked-1'), undefined);
      assert.equal(store.findSessionByProviderId('claude', 'hidden-1'), undefined);
      assert.ok(store.findSessionByProviderId('claude', MAIN_CLAUDE), 'the rest of the machine is imported');
      assert.ok(store.listOffsets().length >= 5);
    } finally {
      store.close();
      // Let the cleanup (as root or the owner) remove what was closed.
      fs.chmodSync(closedDir, 0o755);
    }
  });
});
