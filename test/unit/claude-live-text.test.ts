// Claude's reply as it is written: MessageDisplay deltas (out of order, as concurrent hook processes
// deliver them) grow one live agent item, broadcast at most every 50 ms; the transcript item that
// follows replaces it in place, without a second copy. Real engine + SQLite, fake clock.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HookPayload } from '../../src/engine/claude/hookPayload';
import { HookSessions } from '../../src/engine/claude/hookSessions';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import type { Message, ServerMessage } from '../../src/engine/protocol';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

describe('Claude text as it is written (MessageDisplay)', () => {
  let t: TestEngine;
  let tailer: TranscriptTailer;
  let hooks: HookSessions;
  let transcript: string;

  beforeEach(() => {
    t = makeEngine();
    tailer = new TranscriptTailer({ engine: t.engine, store: t.store, clock: t.clock, log: () => {}, watch: false });
    hooks = new HookSessions({ engine: t.engine, clock: t.clock, log: () => {}, tailer, approvalsFromFlightdeck: true, approvalTimeoutMs: 600_000 });
    transcript = path.join(tmpDir(), 'c1.jsonl');
    fs.writeFileSync(transcript, '');
  });
  afterEach(() => { hooks.stop(); tailer.stop(); t.close(); cleanupTmpDirs(); });

  const send = (p: Record<string, unknown>) =>
    hooks.handle({ session_id: 'c1', cwd: '/w/proj', transcript_path: transcript, prompt_id: 'p1', ...p } as HookPayload, { projectDir: '/w/proj', signal: new AbortController().signal });
  const delta = (index: number, text: string, final = false, messageId = 'm1') =>
    send({ hook_event_name: 'MessageDisplay', turn_id: 'turn-local', message_id: messageId, index, final, delta: text });
  const agentLine = (uuid: string, text: string) => JSON.stringify({
    type: 'assistant', uuid, promptId: 'p1', timestamp: '2026-01-01T00:00:01.000Z',
    message: { id: `msg_${uuid}`, model: 'claude-opus-5-5', content: [{ type: 'text', text }] },
  }) + '\n';
  /** A prompt as Claude submits it: the hook, and its line in the transcript (read at the next hook). */
  const submit = async (prompt: string) => {
    await send({ hook_event_name: 'UserPromptSubmit', prompt });
    fs.appendFileSync(transcript, JSON.stringify({
      type: 'user', uuid: `u-${prompt}`, promptId: 'p1', timestamp: '2026-01-01T00:00:00.000Z', message: { role: 'user', content: prompt },
    }) + '\n');
  };
  const session = () => t.engine.findByProviderId('claude', 'c1')!;
  const agents = (): Message[] => t.engine.getMessages(session().id, { limit: 100 }).filter(m => m.kind === 'agent');
  const broadcasts = () => t.events.filter((e): e is Extract<ServerMessage, { type: 'message_updated' }> => e.type === 'message_updated');

  it('deltas grow one live item in index order, coalesced at 50 ms; the transcript item replaces it in place', async () => {
    await submit('Explain');
    await delta(0, 'First line.\n');
    assert.deepEqual(agents().map(m => [m.text, m.status]), [['First line.\n', 'inProgress']], 'shown at once');
    const live = agents()[0]!.id;

    // Out of order: index 2 waits for index 1.
    await delta(2, 'Third line.\n');
    t.clock.advance(50);
    assert.equal(agents()[0]!.text, 'First line.\n');
    await delta(1, 'Second line.\n');
    const before = broadcasts().length;
    await delta(3, 'Fourth', true);
    assert.equal(broadcasts().length, before, 'nothing broadcast before the 50 ms window closes');
    t.clock.advance(50);
    assert.equal(broadcasts().length, before + 1, 'one coalesced update for two deltas');
    assert.equal(broadcasts().at(-1)!.message.text, 'First line.\nSecond line.\nThird line.\nFourth');

    fs.appendFileSync(transcript, agentLine('u-1', 'First line.\nSecond line.\nThird line.\nFourth'));
    await send({ hook_event_name: 'Stop' });
    const all = agents();
    assert.equal(all.length, 1, 'no second copy');
    assert.equal(all[0]!.id, live, 'the transcript item took over the live item');
    assert.equal(all[0]!.status, 'completed');
    assert.equal(all[0]!.text, 'First line.\nSecond line.\nThird line.\nFourth');

    // A straggler delta of the finished message changes nothing.
    await delta(4, ' extra');
    t.clock.advance(100);
    assert.equal(agents().length, 1);
    assert.equal(agents()[0]!.text, 'First line.\nSecond line.\nThird line.\nFourth');
  });

  it('a reply comes after its prompt even when its deltas come before the transcript holds the prompt', async () => {
    const promptLine = JSON.stringify({
      type: 'user', uuid: 'u-0', promptId: 'p1', timestamp: '2026-01-01T00:00:00.000Z', message: { role: 'user', content: 'Explain' },
    }) + '\n';
    const items = () => t.engine.getMessages(session().id, { limit: 100 }).map(m => [m.kind, m.text, m.seq]);
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'Explain' });
    // Claude Code writes its transcript a little later: the reply's first lines are displayed first.
    await delta(0, 'First line.\n');
    await delta(1, 'Second line.\n');
    assert.deepEqual(items(), [], 'the reply waits for its prompt');
    fs.appendFileSync(transcript, promptLine);
    tailer.readNow(session().id);
    const [user, agent] = items();
    assert.deepEqual([user?.[0], user?.[1], agent?.[0], agent?.[1]], ['user', 'Explain', 'agent', 'First line.\nSecond line.\n']);
    assert.ok(Number(agent![2]) > Number(user![2]), 'after its prompt');
    // The rest streams as before; the transcript's item completes it in place.
    await delta(2, 'Third.', true);
    t.clock.advance(50);
    fs.appendFileSync(transcript, agentLine('u-1', 'First line.\nSecond line.\nThird.'));
    tailer.readNow(session().id);
    assert.deepEqual(items().map(i => [i[0], i[1]]), [['user', 'Explain'], ['agent', 'First line.\nSecond line.\nThird.']]);

    // A prompt whose line was read before its submit hook came: its reply shows at once.
    fs.appendFileSync(transcript, promptLine.replace('"u-0"', '"u-2"').replace('"p1"', '"p2"').replace('Explain', 'Again'));
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'Again', prompt_id: 'p2' });
    await send({ hook_event_name: 'MessageDisplay', prompt_id: 'p2', message_id: 'm2', index: 0, final: false, delta: 'Sure.' });
    assert.deepEqual(items().map(i => [i[0], i[1]]).slice(2), [['user', 'Again'], ['agent', 'Sure.']]);
  });

  it('deltas that arrive after their transcript line show nothing twice', async () => {
    await submit('Quick');
    fs.appendFileSync(transcript, agentLine('u-2', 'All done.'));
    await send({ hook_event_name: 'Stop' });
    await delta(0, 'All done.', true, 'm2');
    t.clock.advance(100);
    assert.deepEqual(agents().map(m => m.text), ['All done.']);
  });

  it('an interrupted turn keeps the live text, marked interrupted', async () => {
    await submit('Long answer');
    await delta(0, 'Half of it');
    fs.appendFileSync(transcript, JSON.stringify({
      type: 'user', uuid: 'u-int', promptId: 'p1', message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] },
    }) + '\n');
    await send({ hook_event_name: 'Notification', message: 'x' });
    const [m] = agents();
    assert.equal(m!.text, 'Half of it');
    assert.equal(m!.status, 'interrupted');
  });
});
