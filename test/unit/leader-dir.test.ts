// FLIGHTDECK_DATA_DIR moves all of Flightdeck's files: the leader socket's folder too (issue 15),
// for the engine and for the Claude hook looking for the engine's endpoint.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { endpointDirsOf } from '../../src/engine/claude/hookCommand';
import { defaultLeaderDir, tryBecomeLeader } from '../../src/engine/leader/election';

describe('where the leader socket lives', () => {
  it('FLIGHTDECK_LEADER_DIR, else run/ in FLIGHTDECK_DATA_DIR, else ~/.flightdeck/run', () => {
    assert.equal(defaultLeaderDir({ FLIGHTDECK_LEADER_DIR: '/x/lead', FLIGHTDECK_DATA_DIR: '/x/data' }), '/x/lead');
    assert.equal(defaultLeaderDir({ FLIGHTDECK_DATA_DIR: '/x/data' }), path.join('/x/data', 'run'));
    assert.equal(defaultLeaderDir({}), path.join(os.homedir(), '.flightdeck', 'run'));
  });

  it('the Claude hook looks in the same folder', () => {
    assert.deepEqual(endpointDirsOf([], { FLIGHTDECK_DATA_DIR: '/x/data' }).at(-1), path.join('/x/data', 'run'));
    assert.deepEqual(endpointDirsOf([], {}), [path.join(os.homedir(), '.flightdeck', 'run')]);
    assert.deepEqual(endpointDirsOf([], { FLIGHTDECK_LEADER_DIR: '/x/lead' }), ['/x/lead']);
  });

  it('a leader folder too long for a Unix socket is refused with a clear error, not bound cut short', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-long-'));
    const long = path.join(base, 'x'.repeat(120 - base.length), 'run');
    const server = net.createServer();
    try {
      await assert.rejects(tryBecomeLeader(long, server), /over the 107 a Unix socket allows: set FLIGHTDECK_LEADER_DIR to a shorter folder/);
      assert.equal(server.listening, false);
    } finally {
      server.close();
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
