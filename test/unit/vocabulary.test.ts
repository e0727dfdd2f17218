// One vocabulary (issue 15): the tree, the panel, the notifications and the web client name groups,
// modes, statuses and decisions with the words of src/engine/protocol/uiPolicy.ts. This reads every
// client's source and fails on a word that was retired for a second name of the same thing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DECISION_ACTIONS, RETIRED_WORDS, WORK_STATUS_LABELS } from '../../src/engine/protocol/uiPolicy';
import { statusText } from '../../src/vscode/sessionPresentation';
import type { Session } from '../../src/engine/protocol';

const ROOT = path.resolve(__dirname, '../../..');
const CLIENTS = ['src/vscode', 'webview', 'web'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap(e => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|css|html)$/.test(e.name) ? [rel] : [];
  });
}

describe('one vocabulary across the clients', () => {
  it('no client uses a retired word', () => {
    const found: string[] = [];
    for (const file of CLIENTS.flatMap(sources)) {
      fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may quote the old words
        for (const w of RETIRED_WORDS) if (w.pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)} → use ${w.use}`);
      });
    }
    assert.deepEqual(found, []);
  });

  it('the tree writes the work status with the shared words', () => {
    for (const [ws, label] of Object.entries(WORK_STATUS_LABELS)) {
      assert.equal(statusText({ status: 'active', workStatus: ws } as Session), label.toLowerCase());
    }
  });

  it('"for session" and "always" are explained where they are offered', () => {
    const bySession = DECISION_ACTIONS.find(a => a.decision === 'approved_for_session')!;
    const always = DECISION_ACTIONS.find(a => a.decision === 'approved_always')!;
    assert.equal(always.label, 'Always approve');
    assert.match(bySession.description, /until this session ends/);
    assert.match(always.description, /future sessions/);
  });
});
