// The history import (SPEC §11) over real files written by the real codex and claude binaries
// (test/fixtures/rollouts, test/fixtures/claude/transcripts), into a real SQLite file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { historySessionId } from '../../src/engine/history/historySession';
import { type ImportSummary, importHistory } from '../../src/engine/history/importer';
import type { Session } from '../../src/engine/protocol';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { CLAUDE_FIXTURES, MAIN_CLAUDE, NEW_ROLLOUTS, PARENT_CLAUDE, RENAMED_THREAD, type World, dumpStore, world } from '../fixtures/history/world';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs } from '../helpers/tmp';

const LOG = () => {};

function open(w: World): Store {
  return openStore({ file: path.join(w.dataDir, 'flightdeck.db'), clock: new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')), driver: TEST_DRIVER });
}

function run(w: World, store: Store, extra: Partial<Parameters<typeof importHistory>[0]> = {}): Promise<ImportSummary> {
  return importHistory({ store, log: LOG, codexHome: w.codexHome, claudeHome: w.claudeHome, ...extra });
}

/** Everything an import leaves in the store, in a stable order, for exact comparisons. */
function dump(store: Store): { sessions: unknown[]; messages: unknown[]; offsets: unknown[] } {
  store.flush();
  const db = store;
  const sessions: Session[] = [];
  for (const off of db.listOffsets()) {
    if (!off.sessionId) continue;
    const s = db.getSession(off.sessionId);
    if (s && !sessions.some(x => x.id === s.id)) sessions.push(s);
  }
  sessions.sort((a, b) => a.id.localeCompare(b.id));
  const messages = sessions.flatMap(s => db.getMessages(s.id, { limit: 10_000 }));
  const offsets = db.listOffsets().sort((a, b) => a.path.localeCompare(b.path));
  return { sessions: sessions.map(({ revision: _r, ...rest }) => rest), messages, offsets };
}

function session(store: Store, provider: 'codex' | 'claude', id: string): Session {
  const s = store.findSessionByProviderId(provider, id);
  assert.ok(s, `a ${provider} session for ${id}`);
  return s;
}

describe('history import (SPEC §11)', () => {
  after(cleanupTmpDirs);

  it('lands every past rollout and transcript as an ended session named, dated and counted from its file', async () => {
    const w = world();
    const store = open(w);
    const sum = await run(w, store);
    assert.equal(sum.counts.sessionsCreated, NEW_ROLLOUTS.length + 1 + 3, JSON.stringify(sum.counts));
    assert.equal(sum.counts.orphans, 0);
    assert.ok(sum.counts.items > 50);
    assert.equal(sum.filesDone, sum.filesTotal);

    const plain = session(store, 'codex', '01a2127c-2199-77c2-87c0-2cf3dd62a1ba');
    assert.equal(plain.status, 'ended');
    assert.equal(plain.endReason, 'history');
    assert.equal(plain.workStatus, 'idle');
    assert.equal(plain.id, historySessionId('codex', plain.providerSessionId!));
    assert.equal(plain.cwd, '/home/dev/codex-lab/ws1');
    assert.ok(plain.model, 'model from turn_context');
    assert.ok(plain.firstPrompt, 'named from the first real prompt');
    assert.ok(plain.tokenUsage.input > 0 && plain.tokenUsage.output > 0, 'tokens from token_count');
    assert.ok(plain.createdAt.startsWith('2026-11-25T11:34'), `createdAt from session_meta: ${plain.createdAt}`);
    assert.ok(plain.lastActivityAt.startsWith('2026-11-25T11:3'), `lastActivityAt from the last line: ${plain.lastActivityAt}`);
    assert.equal(plain.endedAt, plain.lastActivityAt);
    assert.deepEqual(plain.pendingApprovals, []);

    const buckets = store.usageBuckets({ by: 'session' });
    assert.ok(buckets.some(b => b.key === plain.id && b.records > 0 && b.output > 0), 'Codex token records for the usage report');
    assert.ok(buckets.some(b => b.key === historySessionId('claude', MAIN_CLAUDE) && b.records === 6), 'one Claude record per API message');

    const renamed = session(store, 'codex', RENAMED_THREAD);
    assert.equal(renamed.customName, 'Renamed by Flightdeck', 'name from session_index.jsonl');
    assert.equal(renamed.displayName, 'Renamed by Flightdeck');

    const approval = session(store, 'codex', '01a2127e-4ef2-7190-a468-1f53245d01ce');
    assert.equal(approval.gitBranch, 'main', 'git branch from session_meta');
    assert.equal(approval.pendingApproval, null, 'a past request never needs attention');

    const archived = session(store, 'codex', '01a21288-5223-7502-9617-0cba146a0f1f');
    assert.equal(archived.endReason, 'archived');

    const claude = session(store, 'claude', MAIN_CLAUDE);
    assert.equal(claude.status, 'ended');
    assert.equal(claude.endReason, 'history');
    assert.ok(claude.cwd, 'cwd from the transcript lines');
    assert.ok(claude.gitBranch, 'gitBranch from the transcript lines');
    assert.ok(claude.model?.startsWith('claude'), `model: ${claude.model}`);
    assert.ok(claude.firstPrompt, 'named from its prompt');
    const msgs = store.getMessages(claude.id, { limit: 1000 });
    assert.ok(msgs.some(m => m.kind === 'command' && m.status === 'completed' && m.output), 'a Bash call with its result');
  });

  it('counts Claude tokens once per API message id, subagent usage added to its parent', async () => {
    const w = world();
    const store = open(w);
    await run(w, store);
    const expected = (file: string) => {
      const seen = new Set<string>();
      const sum = { input: 0, output: 0 };
      for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!l) continue;
        const v = JSON.parse(l);
        if (v.type !== 'assistant' || !v.message?.usage || seen.has(v.message.id)) continue;
        seen.add(v.message.id);
        const u = v.message.usage;
        sum.input += u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
        sum.output += u.output_tokens;
      }
      return { ...sum, ids: [...seen] };
    };
    const main = expected(path.join(CLAUDE_FIXTURES, 'main-bash-write-edit-resume.jsonl'));
    const s = session(store, 'claude', MAIN_CLAUDE);
    for (const id of main.ids) assert.ok(store.hasTokenUsage(s.id, id), `usage of ${id} recorded (for the usage report)`);
    assert.equal(s.tokenUsage.input, main.input);
    assert.equal(s.tokenUsage.output, main.output);
    const parent = expected(path.join(CLAUDE_FIXTURES, 'subagent-and-compact-parent.jsonl'));
    const sub = expected(path.join(CLAUDE_FIXTURES, 'subagents-agent-a3a93b9dfb6dd0302.jsonl'));
    const p = session(store, 'claude', PARENT_CLAUDE);
    assert.equal(p.tokenUsage.output, parent.output + sub.output);
    assert.equal(p.tokenUsage.input, parent.input + sub.input);
  });

  it('re-import adds nothing; a grown file is read only for its new bytes', async () => {
    const w = world();
    const store = open(w);
    await run(w, store);
    const before = dump(store);
    const again = await run(w, store);
    assert.equal(again.filesTotal, 0, 'every file is known at its size');
    assert.equal(again.counts.unchanged, NEW_ROLLOUTS.length + 1 + 4);
    assert.deepEqual(dump(store), before);

    const claude = session(store, 'claude', MAIN_CLAUDE);
    const file = path.join(w.claudeHome, 'projects', '-home-dev-claude-lab-ws', `${MAIN_CLAUDE}.jsonl`);
    const count = store.countMessages(claude.id);
    fs.appendFileSync(file, JSON.stringify({
      parentUuid: null, isSidechain: false, type: 'user', uuid: 'a1b2c3d4-0000-4000-8000-000000000001', timestamp: '2026-11-26T09:00:00.000Z',
      sessionId: MAIN_CLAUDE, cwd: claude.cwd, message: { role: 'user', content: 'one more thing' },
    }) + '\n');
    const grown = await run(w, store);
    assert.equal(grown.filesTotal, 1);
    assert.ok(grown.bytesTotal < 400, `only the new line is read (${grown.bytesTotal} bytes)`);
    assert.equal(store.countMessages(claude.id), count + 1);
    const after = session(store, 'claude', MAIN_CLAUDE);
    assert.equal(after.lastActivityAt, '2026-11-26T09:00:00.000Z');
    assert.equal(after.endReason, 'history');
    assert.equal(after.id, claude.id);
  });

  it('is stable across stores: the same files give the same session ids and items', async () => {
    const w1 = world();
    const w2 = world();
    const a = open(w1);
    const b = open(w2);
    await run(w1, a);
    await run(w2, b);
    const strip = (d: ReturnType<typeof dump>) => JSON.parse(JSON.stringify(d).split(w1.codexHome).join('<C>').split(w2.codexHome).join('<C>')
      .split(w1.claudeHome).join('<H>').split(w2.claudeHome).join('<H>'));
    assert.deepEqual(strip(dump(a)).sessions.map((s: Session) => s.id), strip(dump(b)).sessions.map((s: Session) => s.id));
    assert.equal(dump(a).messages.length, dump(b).messages.length);
  });

  it('reads large tool results from their tool_result block: toolUseResult, which repeats them, is never parsed', async () => {
    // Every tool result of the main transcript made large (over the 4 KB the cut starts at), with
    // quotes, backslashes, non-ASCII and the member's own key as text in it.
    const big = (n: number) => `out ${n} "quoted" \\ ✓ é ,"toolUseResult":{ `.repeat(200);
    const file = (w: World) => path.join(w.claudeHome, 'projects', '-home-dev-claude-lab-ws', `${MAIN_CLAUDE}.jsonl`);
    const withMember = world();
    const without = world();
    let n = 0;
    const lines = fs.readFileSync(file(withMember), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, any>);
    for (const l of lines) {
      const block = Array.isArray(l.message?.content) ? l.message.content.find((b: { type?: string }) => b.type === 'tool_result') : undefined;
      if (!block || !l.toolUseResult) continue;
      block.content = big(++n);
      l.toolUseResult = { stdout: block.content, stderr: '', interrupted: false, isImage: false };
    }
    assert.ok(n >= 2, `tool results made large: ${n}`);
    fs.writeFileSync(file(withMember), lines.map(l => JSON.stringify(l) + '\n').join(''));
    fs.writeFileSync(file(without), lines.map(({ toolUseResult: _t, ...l }) => JSON.stringify(l) + '\n').join(''));
    const a = open(withMember);
    const b = open(without);
    const sa = await run(withMember, a);
    await run(without, b);
    assert.equal(sa.counts.invalidJson, 0);
    // the same sessions and items (the files' lengths, so their offsets, differ)
    const items = (store: Store, w: World) => { const { sessions, messages } = JSON.parse(dumpStore(store, w)) as Record<string, unknown>; return { sessions, messages }; };
    assert.deepEqual(items(a, withMember), items(b, without));
    const outputs = a.getMessages(session(a, 'claude', MAIN_CLAUDE).id, { limit: 1000 }).map(m => (m as { output?: string }).output).filter(Boolean);
    assert.ok(outputs.includes(big(1)) && outputs.includes(big(n)), 'the outputs are stored whole');

    // Never parsed: a line whose toolUseResult alone is not valid JSON is still read (before, it was
    // counted as invalid JSON and its tool result lost).
    const broken = world();
    const text = fs.readFileSync(file(withMember), 'utf8').replace(/"toolUseResult":\{"stdout":/, '"toolUseResult":{stdout:');
    fs.writeFileSync(file(broken), text);
    const c = open(broken);
    const sc = await run(broken, c);
    assert.equal(sc.counts.invalidJson, 0);
    assert.deepEqual(items(c, broken), items(a, withMember));
  });

  it('commits a slice of large lines after 256 KB of them, whatever the time and item limits (large outputs die young)', async () => {
    const w = world();
    const file = path.join(w.claudeHome, 'projects', '-home-dev-claude-lab-ws', `${MAIN_CLAUDE}.jsonl`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const prompt = lines.find(l => l.includes('"type":"user"') && l.includes('"content":"use bash, write and edit"'))!;
    // ten prompts of ~100 KB each (large lines), then the transcript's own small lines
    const big = Array.from({ length: 10 }, (_, i) => prompt.replace(/"uuid":"[^"]+"/, `"uuid":"big-${i}"`).replace('use bash, write and edit', `big ${i} ${'x'.repeat(100_000)}`));
    fs.writeFileSync(file, [...big, ...lines].map(l => l + '\n').join(''));
    const store = open(w);
    const commits: number[] = [];
    const orig = store.saveImportBatch.bind(store);
    store.saveImportBatch = b => { if (b.offsets[0]?.path === file) commits.push(b.messages.length); orig(b); };
    await run(w, store, { sliceMs: 1e9, commitItems: 1e9 });
    // 3 large lines pass 256 KB: commits of 3, 3, 3 (without the rule the first would hold all that one
    // read of 1 MB holds), then the rest (a read's end commits too)
    assert.deepEqual(commits.slice(0, 3), [3, 3, 3], JSON.stringify(commits));
    assert.equal(commits.reduce((a, b) => a + b, 0), store.countMessages(session(store, 'claude', MAIN_CLAUDE).id));
  });

  it('goes on after an interruption from the last commit and ends equal to an uninterrupted import', async () => {
    const clean = world();
    const cs = open(clean);
    await run(clean, cs, { commitItems: 1 });
    const w = world();
    fs.rmSync(w.codexHome, { recursive: true });
    fs.cpSync(clean.codexHome, w.codexHome, { recursive: true });
    fs.rmSync(w.claudeHome, { recursive: true });
    fs.cpSync(clean.claudeHome, w.claudeHome, { recursive: true });
    // Stop after one to three commits, over and over, until nothing is left to read.
    let stops = 0;
    for (let left = Infinity; left > 0 && stops < 500; stops++) {
      const store = open(w);
      const ac = new AbortController();
      let commits = 0;
      const orig = store.saveImportBatch.bind(store);
      store.saveImportBatch = b => { orig(b); if (++commits === 1 + (stops % 3)) ac.abort(); };
      left = (await run(w, store, { commitItems: 1, signal: ac.signal })).filesTotal;
      store.close();
    }
    assert.ok(stops > 20, `stopped ${stops} times`);
    const store = open(w);
    await run(w, store, { commitItems: 1 });
    assert.equal(dumpStore(store, w), dumpStore(cs, clean));
  });

  it('leaves files of sessions the engine holds (live) to the live rules, and history out of the startup restore', async () => {
    const w = world();
    const store = open(w);
    const clock = new FakeClock(Date.parse('2026-12-03T12:00:00.000Z'));
    const engine = new SessionEngine({ store, clock });
    engine.start();
    const live = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: MAIN_CLAUDE });
    const sum = await run(w, store, { isLoaded: (p, id) => !!engine.findLoaded(p, id) });
    assert.equal(sum.counts.live, 1);
    assert.equal(store.countMessages(live.id), 0, 'the live session got nothing from the import');
    engine.stop();
    const again = new SessionEngine({ store, clock });
    again.start();
    assert.deepEqual(again.listSessions().map(s => s.id), [live.id], 'history sessions are not restored at startup');
    // A history session that becomes live again is found by its thread and reactivated by activity.
    const past = again.findByProviderId('codex', RENAMED_THREAD)!;
    assert.equal(past.endReason, 'history');
    again.apply(past.id, { type: 'activity' });
    assert.equal(again.getSession(past.id)!.status, 'active');
    again.stop();
    store.flush();
    assert.equal(store.getSession(past.id)!.status, 'active');
    store.close();
  });
});

describe('history import: bad input (issue 14)', () => {
  after(cleanupTmpDirs);

  it('logs and counts unreadable, partial, invalid, huge, non-regular and looping entries, and goes on', async function () {
    this.timeout(60_000);
    const w = world();
    const project = path.join(w.claudeHome, 'projects', '-home-dev-bad');
    fs.mkdirSync(project, { recursive: true });
    const good = JSON.stringify({ type: 'user', uuid: 'u-1', sessionId: 'bad-1', timestamp: '2026-11-20T10:00:00.000Z', cwd: '/w', message: { role: 'user', content: 'hello there' } });
    // Invalid JSON, invalid UTF-8, a line over the cap, and a partial last line, around one good line.
    fs.writeFileSync(path.join(project, 'bad-1.jsonl'), Buffer.concat([
      Buffer.from('{not json\n'), Buffer.concat([Buffer.from('{"type":"x","t":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]), Buffer.from(good + '\n'),
      Buffer.from('"' + 'x'.repeat(3 * 1024 * 1024) + '"\n'), Buffer.from('{"type":"user","uuid":"u-2"'),
    ]));
    const unreadable = path.join(project, 'locked.jsonl');
    fs.writeFileSync(unreadable, good + '\n', { mode: 0o000 });
    const fifo = path.join(project, 'pipe.jsonl');
    require('node:child_process').execFileSync('mkfifo', [fifo]);
    fs.symlinkSync(project, path.join(project, 'loop'));
    const logs: string[] = [];
    const store = open(w);
    const sum = await importHistory({
      store, log: (_l, m) => logs.push(m), codexHome: w.codexHome, claudeHome: w.claudeHome, maxLineBytes: 1024 * 1024,
    });
    const c = sum.counts;
    assert.equal(c.invalidJson, 1);
    assert.equal(c.invalidUtf8, 1);
    assert.equal(c.oversizedLines, 1);
    assert.equal(c.partialLastLines, 1);
    assert.equal(c.notRegular, 1, 'the FIFO is never opened');
    assert.equal(c.symlinksSkipped, 1, 'the loop is walked once');
    // Root reads it anyway; test/integration/history-unreadable.test.ts imports without root's capabilities.
    if (process.getuid?.() !== 0) assert.equal(c.unreadable, 1);
    assert.ok(logs.some(l => /not a regular file/.test(l)));
    assert.ok(logs.some(l => /over the 1048576-byte cap/.test(l)));
    const s = session(store, 'claude', 'bad-1');
    assert.equal(s.firstPrompt, 'hello there', 'the good line between bad ones is imported');
    // The rest of the machine is imported all the same.
    assert.ok(store.findSessionByProviderId('claude', MAIN_CLAUDE));
    // The partial line completes later: only it is read, nothing is lost.
    fs.appendFileSync(path.join(project, 'bad-1.jsonl'), `,"sessionId":"bad-1","timestamp":"2026-11-20T10:05:00.000Z","message":{"role":"user","content":"second"}}\n`);
    fs.rmSync(fifo);
    const again = await importHistory({ store, log: () => {}, codexHome: w.codexHome, claudeHome: w.claudeHome, maxLineBytes: 1024 * 1024 });
    assert.equal(again.counts.invalidJson, 0);
    assert.deepEqual(store.getMessages(s.id).map(m => m.text), ['hello there', 'second']);
    store.close();
  });

  it('a file that vanishes or shrinks between runs: counted, the rest stays', async () => {
    const w = world();
    const store = open(w);
    await run(w, store);
    const file = path.join(w.claudeHome, 'projects', '-home-dev-claude-lab-ws', `${MAIN_CLAUDE}.jsonl`);
    const id = session(store, 'claude', MAIN_CLAUDE).id;
    const before = store.countMessages(id);
    const text = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, text.slice(0, 5).join('\n') + '\n');
    const shrunk = await run(w, store);
    assert.equal(shrunk.counts.shrank + shrunk.counts.unchanged >= 1, true);
    assert.equal(store.countMessages(id), before, 'nothing stored is lost when a file shrinks');
    fs.rmSync(file);
    const gone = await run(w, store);
    assert.equal(gone.counts.vanished + gone.filesTotal, 0, 'a file gone before the scan is simply not there');
    assert.equal(store.countMessages(id), before);
    store.close();
  });
});
