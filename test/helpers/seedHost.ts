// Seeds a Flightdeck data folder with the sessions of one "machine" (issue 20 tests and screenshots:
// several real `flightdeck serve` processes stand in for a laptop, a dev box and a build server).
// Runs the real engine on the folder with every provider off, so nothing of this machine's ~/.codex
// or ~/.claude is read; `flightdeck serve` started on the folder afterwards lists these sessions.
// Only sessions Flightdeck drives (direct Codex) stay live across that start: passive ones whose
// agent process is not there are ended by the lifecycle checks, as they should be.
//   node out/test/helpers/seedHost.js <data-dir> <laptop|devbox|buildbox> [<changed-file>]
import { startServices } from '../../src/engine/services';
import { type Clock, systemClock } from '../../src/engine/platform/clock';

export type HostProfile = 'laptop' | 'devbox' | 'buildbox';

/**
 * Each machine's sessions. `changedFile`: an absolute path the devbox's approval session changed (its
 * turn diff), so a test can put a file at the same path on this machine and see it is never read.
 */
export async function seedHost(dataDir: string, profile: HostProfile, changedFile = '/srv/app/src/retry.ts'): Promise<{ sessions: number }> {
  const realNow = Date.now();
  let at = realNow;
  const clock: Clock = { ...systemClock, now: () => at };
  const ago = (minutes: number) => { at = realNow - minutes * 60_000; return new Date(at).toISOString(); };
  const services = await startServices({
    dataDir, version: 'seed', log: () => {}, clock,
    providers: { codexDirect: false, codexWatcher: false, claude: false, history: false, git: false }, historyAtFirstStart: false,
  });
  const { engine } = services;
  let n = 0;
  const say = (id: string, kind: 'user' | 'agent', text: string) => engine.appendMessage(id, { id: `${profile}-${++n}`, kind, text, createdAt: new Date(at).toISOString() });

  if (profile === 'laptop') {
    ago(5);
    const docs = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/Users/me/src/website', model: 'gpt-5-codex', autonomy: 'autoEdit' });
    say(docs.id, 'user', 'Update the pricing page copy');
    engine.apply(docs.id, { type: 'turnStarted', turnId: 'l-t1' });
    ago(22);
    const cli = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/Users/me/src/cli', model: 'gpt-5-codex', autonomy: 'autoEdit' });
    say(cli.id, 'user', 'Add a --json flag to the status command');
    engine.apply(cli.id, { type: 'turnCompleted', status: 'completed' });
  } else if (profile === 'devbox') {
    ago(2);
    const api = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/srv/app', model: 'gpt-5-codex', autonomy: 'autoEdit' });
    say(api.id, 'user', 'Retry failed invoice webhooks with backoff');
    engine.apply(api.id, { type: 'turnStarted', turnId: 'd-t1' });
    const diff = '@@ -1,2 +1,2 @@\n-export const RETRIES = 1;\n+export const RETRIES = 3;\n export const BASE_MS = 1_000;\n';
    engine.apply(api.id, { type: 'turnDiff', changes: [{ path: changedFile, kind: 'update', diff }] });
    engine.apply(api.id, {
      type: 'approvalRequested',
      approval: {
        approvalId: 'devbox-ap1', version: 0, kind: 'exec', command: 'pnpm test webhooks', cwd: '/srv/app', reason: 'Run the webhook tests',
        options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: new Date(at).toISOString(),
      },
    });
    ago(8);
    const infra = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/srv/infra', model: 'gpt-5-codex', autonomy: 'fullAuto' });
    say(infra.id, 'user', 'Tighten the staging firewall rules');
    engine.apply(infra.id, { type: 'turnStarted', turnId: 'd-t2' });
  } else {
    ago(12);
    const flaky = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/build/monorepo', model: 'gpt-5-codex' });
    say(flaky.id, 'user', 'Find the flaky integration test on main');
    engine.apply(flaky.id, { type: 'workStatus', workStatus: 'waiting' });
    ago(95);
    const release = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/build/monorepo', model: 'gpt-5-codex' });
    say(release.id, 'user', 'Draft the release notes for 2.4');
    engine.apply(release.id, { type: 'ended', reason: 'user' });
  }
  at = realNow;
  const sessions = engine.listSessions().length;
  await services.stop();
  return { sessions };
}

if (require.main === module) {
  const [dir, profile, file] = process.argv.slice(2);
  if (!dir || !['laptop', 'devbox', 'buildbox'].includes(profile)) {
    console.error('usage: node seedHost.js <data-dir> <laptop|devbox|buildbox> [<changed-file>]');
    process.exit(2);
  }
  seedHost(dir, profile as HostProfile, file).then(r => console.log(`seeded ${r.sessions} sessions (${profile}) into ${dir}`), e => { console.error(e); process.exit(1); });
}
