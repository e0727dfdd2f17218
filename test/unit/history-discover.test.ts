// Finding the history files (history/discover.ts): the engine's thread walks asynchronously, the
// import's own thread with blocking calls (~10× faster: no thread-pool round trip per stat). Both
// flavours must list the same files and count the same oddities, whatever the tree holds.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HistoryFile, discoverHistoryFiles } from '../../src/engine/history/discover';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const ROLLOUT = 'rollout-2026-11-20T10-00-00-0199a0b1-0000-7000-8000-00000000000';

function write(file: string, text = '{}\n'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A machine's history with every kind of entry the walk must sort out. */
function messyTree(): { codexHome: string; claudeHome: string; outside: string } {
  const root = tmpDir('fd-discover-');
  const codexHome = path.join(root, 'codex');
  const claudeHome = path.join(root, 'claude');
  const outside = path.join(root, 'elsewhere');
  for (let d = 1; d <= 3; d++) for (let i = 0; i < 4; i++) write(path.join(codexHome, 'sessions', '2026', '11', `0${d}`, `${ROLLOUT}${d}${i}.jsonl`));
  write(path.join(codexHome, 'sessions', '2026', '11', '01', 'notes.txt'));
  write(path.join(codexHome, 'archived_sessions', `${ROLLOUT}99.jsonl`));
  const project = path.join(claudeHome, 'projects', '-work-app');
  for (let i = 0; i < 40; i++) write(path.join(project, `s-${i}.jsonl`));
  write(path.join(project, 's-0', 'subagents', 'agent-a1.jsonl'));
  write(path.join(project, 'readme.md'));
  // A FIFO named like a transcript (never opened), a loop, a dangling link, links to a file and to a
  // folder outside the homes, and a file nobody may read (listed: reading it is the importer's part).
  execFileSync('mkfifo', [path.join(project, 'pipe.jsonl')]);
  fs.symlinkSync(project, path.join(project, 'loop'));
  fs.symlinkSync(path.join(root, 'nowhere.jsonl'), path.join(project, 'dangling.jsonl'));
  write(path.join(outside, 'linked.jsonl'));
  write(path.join(outside, 'folder', 'inside.jsonl'));
  fs.symlinkSync(path.join(outside, 'linked.jsonl'), path.join(project, 'link-to-file.jsonl'));
  fs.symlinkSync(path.join(outside, 'folder'), path.join(claudeHome, 'projects', 'linked-project'));
  write(path.join(project, 'locked.jsonl'));
  fs.chmodSync(path.join(project, 'locked.jsonl'), 0o000);
  return { codexHome, claudeHome, outside };
}

/** Parents before their subagents: the order of kinds discover.ts sorts by. */
const KIND_ORDER = ['codex', 'codexArchived', 'claude', 'claudeSubagent'];
const names = (files: HistoryFile[], home: string) => files.map(f => `${f.kind} ${path.relative(home, f.path)} ${f.size}`);

describe('history discovery', () => {
  after(cleanupTmpDirs);

  for (const blocking of [false, true]) {
    it(`${blocking ? 'blocking (the import thread)' : 'asynchronous (the engine thread)'}: every history file once, oddities counted`, async () => {
      const t = messyTree();
      const logs: string[] = [];
      const { files, stats } = await discoverHistoryFiles({ codexHome: t.codexHome, claudeHome: t.claudeHome, log: (_l, m) => logs.push(m), blocking });
      const codex = files.filter(f => f.kind === 'codex' || f.kind === 'codexArchived');
      const claude = files.filter(f => f.kind === 'claude' || f.kind === 'claudeSubagent');
      assert.equal(codex.filter(f => f.kind === 'codex').length, 12);
      assert.deepEqual(names(codex.filter(f => f.kind === 'codexArchived'), t.codexHome), [`codexArchived archived_sessions/${ROLLOUT}99.jsonl 3`]);
      const rel = names(claude, t.claudeHome);
      assert.equal(rel.length, 40 + 1 + 1 + 1 + 1, rel.join('\n'));
      assert.ok(rel.includes('claude projects/-work-app/link-to-file.jsonl 3'), 'a link to a file is read as the file');
      assert.ok(rel.includes('claude projects/linked-project/inside.jsonl 3'), 'a link to a folder is walked');
      assert.ok(rel.includes('claude projects/-work-app/locked.jsonl 3'), 'an unreadable file is listed (the import counts it)');
      assert.ok(rel.includes('claudeSubagent projects/-work-app/s-0/subagents/agent-a1.jsonl 3'));
      assert.ok(!rel.some(r => /pipe|dangling|loop\//.test(r)), rel.join('\n'));
      assert.deepEqual(stats, { notRegular: 1, symlinksSkipped: 2, unreadable: 0 }, 'the FIFO; the loop and the dangling link');
      assert.ok(logs.some(l => /pipe\.jsonl is not a regular file/.test(l)));
      // Parents before subagents, oldest first within a kind.
      const kinds = files.map(f => f.kind);
      assert.deepEqual(kinds, [...kinds].sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b)));
    });
  }

  it('both flavours list the same files in the same order', async () => {
    const t = messyTree();
    const walk = (blocking: boolean) => discoverHistoryFiles({ codexHome: t.codexHome, claudeHome: t.claudeHome, log: () => {}, blocking });
    const [a, b] = [await walk(false), await walk(true)];
    assert.deepEqual(b.files, a.files);
    assert.deepEqual(b.stats, a.stats);
  });
});
