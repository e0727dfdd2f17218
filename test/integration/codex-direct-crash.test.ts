// SPEC §7, direct sessions after an engine crash: `flightdeck serve` drives a Codex turn (real codex
// app-server, fake provider) and is killed with SIGKILL in the middle of it, right after a command
// finished. The app-server sees its stdin close and stops the turn (turn_aborted in the rollout; the
// reply it was streaming is not written). After the restart every item of that turn is in the
// session exactly once, as the rollout has it (the command finished, though the store never
// committed its end), and the turn is over.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, ServerMessage } from '../../src/engine/protocol';
import { type CodexHome, makeCodexHome, makeWorkspace } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter, startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { type ServeProcess, startServeForCodex, stopServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';
import type { TestWsClient } from '../helpers/wsClient';

describe('codex direct: kill -9 of the engine mid-turn (SPEC §7)', function () {
  this.timeout(120_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let work: { dir: string; cleanup(): void };
  let dir: string;
  let serve: ServeProcess | undefined;
  let client: TestWsClient | undefined;
  const words = Array.from({ length: 30 }, (_, i) => `part${i}`).join(' ');

  before(async () => {
    router.on('work while I crash', req => (req.step === 0
      ? { steps: [{ type: 'text', text: 'Running it first.' }, { type: 'exec', cmd: 'echo crash-proof > crash.txt' }] }
      : { steps: [{ type: 'text', text: words, chunks: 30, delayMs: 60 }], usage: { input: 900, output: 30 } }));
    fake = await startFakeOpenAI(router.handler);
    home = makeCodexHome(fake.port);
    work = makeWorkspace();
    dir = tmpDir('fd-direct-crash-');
  });
  after(async () => {
    client?.close();
    await stopServe(serve);
    await fake?.close();
    home?.cleanup();
    work?.cleanup();
    cleanupTmpDirs();
  });

  async function startAndConnect(): Promise<void> {
    ({ serve, client } = await startServeForCodex(dir, home));
  }

  it('every item of the turn is there once, as the rollout has it, and the turn is over', async () => {
    await startAndConnect();
    const created = await client!.request({ type: 'create_session', provider: 'codex', cwd: work.dir, autonomy: 'fullAuto' });
    const sessionId = (created as { sessionId: string }).sessionId;
    await client!.request({ type: 'subscribe_session', sessionId });
    await client!.request({ type: 'send_message', sessionId, text: 'work while I crash' });
    // Killed the moment the command's end is broadcast: the store commits every 100 ms, so that end
    // (and what came with it) is in Codex's rollout but most likely not in the store.
    await client!.waitFor(m => (m.type === 'message_updated' || m.type === 'message_appended') && m.sessionId === sessionId
      && m.message.kind === 'command' && m.message.status === 'completed', 'the command done', 60_000);
    serve!.child.kill('SIGKILL');
    assert.equal((await serve!.exited).signal, 'SIGKILL');
    client!.close();

    // Codex sees its stdin close: it stops the turn and writes turn_aborted after what it had.
    const rollout = await waitFor(() => {
      const files = fs.readdirSync(path.join(home.dir, 'sessions'), { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.jsonl'));
      return files.length ? path.join(home.dir, 'sessions', files[0]) : undefined;
    }, 'the rollout');
    await waitFor(() => fs.readFileSync(rollout, 'utf8').includes('"turn_aborted"'), 'codex to end the turn', 30_000, 100);
    const written = fs.readFileSync(rollout, 'utf8');
    assert.ok(written.includes('"function_call_output"') && written.includes('Running it first.'), 'the rollout holds the command and its output');

    await startAndConnect();
    const snap = await client!.request({ type: 'subscribe_session', sessionId });
    assert.ok(snap.type === 'session_snapshot');
    const final = snap as Extract<ServerMessage, { type: 'session_snapshot' }>;
    const items = final.messages;
    const count = (pred: (m: Message) => boolean) => items.filter(pred).length;
    assert.equal(count(m => m.kind === 'user' && m.text === 'work while I crash'), 1, 'the prompt once');
    assert.equal(count(m => m.kind === 'agent' && m.text === 'Running it first.'), 1, 'the first reply once');
    const commands = items.filter(m => m.kind === 'command');
    assert.equal(commands.length, 1, `the command once: ${JSON.stringify(commands)}`);
    assert.deepEqual({ status: commands[0].status, exitCode: commands[0].exitCode }, { status: 'completed', exitCode: 0 },
      'the command as the rollout has it: it finished, exit 0 (not "interrupted")');
    assert.equal(new Set(items.map(m => m.id)).size, items.length, 'no id twice');
    assert.equal(count(m => m.status === 'inProgress'), 0, 'nothing left running');
    assert.equal(final.session.currentTurnId, null, 'the turn is over');
    assert.equal(final.session.workStatus, 'waiting');
  });
});
