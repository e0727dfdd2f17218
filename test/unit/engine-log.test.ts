// Every session and approval is in the Flightdeck log, whichever agent it belongs to (issue 15).
import * as assert from 'node:assert/strict';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { tmpDir } from '../helpers/tmp';
import * as path from 'node:path';

describe('engine log', () => {
  it('logs new sessions, approvals asked, decided and withdrawn, for Claude as for Codex', async () => {
    const clock = new FakeClock();
    const store = openStore({ file: path.join(tmpDir(), 'flightdeck.db'), clock, driver: TEST_DRIVER });
    const lines: string[] = [];
    const engine = new SessionEngine({ store, clock, openFiles: () => null, log: (_level, msg) => lines.push(msg) });
    engine.start();
    try {
      for (const provider of ['claude', 'codex'] as const) {
        const s = engine.createSession({ provider, mode: 'passive', cwd: `/w/${provider}`, providerSessionId: `${provider}-1` });
        engine.registerProvider({ handles: x => x.id === s.id, decideApproval: async () => {} });
        const ask = (id: string) => engine.apply(s.id, { type: 'approvalRequested', approval: { approvalId: id, version: 0, kind: 'exec', command: 'make test', cwd: '/w', options: ['approved', 'denied'], requestedAt: iso(clock.now()) } });
        ask(`${provider}-a1`);
        await engine.decideApproval(s.id, `${provider}-a1`, 'approved');
        ask(`${provider}-a2`);
        engine.apply(s.id, { type: 'ended', reason: 'user' });
        const mine = lines.filter(l => l.includes(s.id));
        assert.ok(mine.some(l => l.includes(`new ${provider} passive session`) && l.includes(`/w/${provider}`)), mine.join('\n'));
        assert.ok(mine.some(l => l.includes(`asks approval ${provider}-a1: make test (in /w)`)), mine.join('\n'));
        assert.ok(mine.some(l => l.includes(`approval ${provider}-a1 approved`)), mine.join('\n'));
        assert.ok(mine.some(l => l.includes(`approval ${provider}-a2 no longer pending`)), mine.join('\n'));
      }
    } finally {
      engine.stop();
      store.close();
    }
  });
});
