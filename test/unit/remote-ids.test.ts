// Remote engines (issue 20), the pure parts: ids in a host's space, what a mirrored session may carry,
// the retry waits, the --remote argument and where its token may come from, and routing by id.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRemoteArg, remoteToken, remoteTokenEnv, resolveRemotes } from '../../src/cli/remoteTokens';
import { attachReplay } from '../../src/engine/clients/connection';
import type { ServerMessage, Session } from '../../src/engine/protocol';
import { Backoff } from '../../src/engine/remotes/backoff';
import { mapChanges, mapMessage, mapSession, splitId, toLocalId } from '../../src/engine/remotes/ids';
import { RemoteEngines, checkRemoteSpec } from '../../src/engine/remotes';
import { makeEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const TOKEN = 'a'.repeat(24);

describe('remote engines: ids, retries, tokens, routing', () => {
  after(() => cleanupTmpDirs());
  it('ids: <host>/<remote id>, split back; a local UUID is never taken for a remote one', () => {
    const id = toLocalId('box', '6f1c0c7e-1b2a-4e0b-9d6f-0a1b2c3d4e5f');
    assert.equal(id, 'box/6f1c0c7e-1b2a-4e0b-9d6f-0a1b2c3d4e5f');
    assert.deepEqual(splitId(id), { host: 'box', remoteId: '6f1c0c7e-1b2a-4e0b-9d6f-0a1b2c3d4e5f' });
    assert.equal(splitId('6f1c0c7e-1b2a-4e0b-9d6f-0a1b2c3d4e5f'), null);
    assert.equal(splitId('/x'), null);
    assert.equal(splitId('box/'), null);
    assert.equal(splitId('bad name/x'), null);
    // The same inputs give the same id: stable across reconnects and restarts.
    assert.equal(toLocalId('box', 'r1'), toLocalId('box', 'r1'));
  });

  it('a mirrored session names its host, keeps no file path, and maps ids inside it', () => {
    const engine = makeEngine();
    const s = engine.engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/srv/x', sourcePath: '/srv/.codex/sessions/r.jsonl' });
    const withConflict: Session = { ...s, conflicts: [{ sessionId: 'other', displayName: 'o', files: ['/srv/x/a'] }], host: { name: 'spoof', reachable: true } };
    const m = mapSession('box', true, withConflict);
    assert.equal(m.id, `box/${s.id}`);
    assert.equal(m.sourcePath, null);
    assert.equal(m.cwd, '/srv/x', 'the folder is shown (it is on the other machine)');
    assert.deepEqual(m.host, { name: 'box', reachable: true });
    assert.equal(m.conflicts![0].sessionId, 'box/other');
    const ch = mapChanges('box', { id: 'x', host: { name: 'spoof', reachable: true }, sourcePath: '/etc/passwd', displayName: 'n' });
    assert.deepEqual(ch, { sourcePath: null, displayName: 'n' });
    assert.equal(mapMessage('box', { id: 'm', sessionId: 'r1' }).sessionId, 'box/r1');
    engine.close();
  });

  it('backoff: 1 s doubling to 30 s while unreachable, 5 min after a refused token, reset on success', () => {
    const b = new Backoff();
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => b.next('unreachable')), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    assert.equal(b.next('unauthorized'), 300_000);
    b.reset();
    assert.equal(b.next('unreachable'), 1_000);
  });

  it('--remote and its token: name=url, env FLIGHTDECK_REMOTE_<NAME>_TOKEN, else a 0600 file; never a loose one', () => {
    assert.deepEqual(parseRemoteArg('box=ws://127.0.0.1:7777/ws'), { name: 'box', url: 'ws://127.0.0.1:7777/ws' });
    assert.throws(() => parseRemoteArg('ws://x'), /expected <name>=<ws-url>/);
    assert.throws(() => parseRemoteArg('a/b=ws://x'), /a name is 1-32/);
    assert.equal(remoteTokenEnv('build-box'), 'FLIGHTDECK_REMOTE_BUILD_BOX_TOKEN');
    const dir = tmpDir();
    assert.equal(remoteToken('box', dir, { FLIGHTDECK_REMOTE_BOX_TOKEN: TOKEN }), TOKEN);
    assert.throws(() => remoteToken('box', dir, {}), /set FLIGHTDECK_REMOTE_BOX_TOKEN or write it to .*box\.token/);
    fs.mkdirSync(path.join(dir, 'remotes'));
    const file = path.join(dir, 'remotes', 'box.token');
    fs.writeFileSync(file, `${TOKEN}\n`, { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    assert.throws(() => remoteToken('box', dir, {}), /readable by other users \(mode 640\); run chmod 600/);
    fs.chmodSync(file, 0o600);
    assert.equal(remoteToken('box', dir, {}), TOKEN);
    assert.throws(() => resolveRemotes([{ name: 'box', url: 'http://x' }], dir, {}), /must start with ws:\/\/ or wss:\/\//);
    assert.deepEqual(resolveRemotes([{ name: 'box', url: 'wss://proxy.example/ws' }], dir, {}), [{ name: 'box', url: 'wss://proxy.example/ws', token: TOKEN }]);
    assert.throws(() => resolveRemotes([{ name: 'box', url: 'ws://a/ws' }, { name: 'box', url: 'ws://b/ws' }], dir, {}), /given twice/);
    assert.throws(() => checkRemoteSpec({ name: 'box', url: 'ws://u:p@h/ws', token: TOKEN }), /not in the URL/);
  });

  it('routing: ids with a host go to that remote; an unknown host is not_found; local ids stay local', () => {
    const t = makeEngine();
    const remotes = new RemoteEngines({ engine: t.engine, replay: attachReplay(t.engine), clock: t.clock, log: () => {}, version: 't' });
    assert.equal(remotes.owns('nobox/r1'), true);
    assert.equal(remotes.owns('6f1c0c7e-1b2a-4e0b-9d6f-0a1b2c3d4e5f'), false);
    const answers: ServerMessage[] = [];
    remotes.forward({ type: 'send_message', sessionId: 'nobox/r1', text: 'hi' }, m => answers.push(m));
    remotes.forwardToHost('nobox', { type: 'list_models', provider: 'codex', host: 'nobox' }, m => answers.push(m));
    assert.deepEqual(answers.map(m => m.type === 'error' && m.code), ['not_found', 'not_found']);
    // A remote that cannot be reached answers `unreachable` at once, without waiting.
    remotes.add({ name: 'box', url: 'ws://127.0.0.1:9/ws', token: TOKEN });
    remotes.forward({ type: 'send_message', sessionId: 'box/r1', text: 'hi' }, m => answers.push(m));
    assert.equal(answers[2].type === 'error' && answers[2].code, 'unreachable');
    assert.deepEqual(remotes.list().map(r => [r.name, r.state]), [['box', 'connecting']]);
    assert.equal(remotes.remove('box'), true);
    assert.deepEqual(remotes.list(), []);
    remotes.stop();
    t.close();
  });
});
