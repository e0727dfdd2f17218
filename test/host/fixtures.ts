// Sessions in every state the sidebar distinguishes, put into the engine of the window under test.
// Only extension.ts and tests may touch the engine directly; views see these through the protocol.
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Session } from '../../src/engine/protocol';
import type { FlightdeckApi } from '../../src/extension';
import { activateFlightdeck, waitFor } from './helpers';

export interface StateSessions {
  waiting: Session; needsApproval: Session; needsAnswer: Session; working: Session; ended: Session;
}

export function putStateSessions(engine: SessionEngine, tag: string): StateSessions {
  const now = new Date(engine.clock.now()).toISOString();
  const waiting = engine.createSession({ provider: 'codex', mode: 'direct', cwd: `/work/${tag}/api`, model: 'gpt-5-codex', firstPrompt: `${tag} fix the flaky login test` });
  const approval = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `/work/${tag}/billing`, model: 'claude-sonnet-4-5', firstPrompt: `${tag} refactor billing` });
  engine.apply(approval.id, {
    type: 'approvalRequested',
    approval: { approvalId: `${tag}-ap1`, version: 0, kind: 'exec', command: 'npm test -- billing', options: ['approved', 'denied', 'abort'], requestedAt: now },
  });
  const question = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `/work/${tag}/docs`, firstPrompt: `${tag} write the docs` });
  engine.apply(question.id, {
    type: 'questionAsked',
    question: { questionId: `${tag}-q1`, questions: [{ id: 'q', question: 'Which audience?', options: [{ label: 'users' }, { label: 'devs' }] }], requestedAt: now },
  });
  const working = engine.createSession({ provider: 'codex', mode: 'direct', cwd: `/work/${tag}/web`, model: 'gpt-5-codex', firstPrompt: `${tag} speed up the build` });
  engine.apply(working.id, { type: 'turnStarted', turnId: `${tag}-turn1` });
  engine.apply(working.id, { type: 'turnTokens', input: 42_000, output: 3_100, cached: 20_000 });
  const ended = engine.createSession({ provider: 'codex', mode: 'passive', cwd: `/work/${tag}/old`, firstPrompt: `${tag} old experiment` });
  engine.apply(ended.id, { type: 'ended', reason: 'user' });
  const get = (s: Session) => engine.getSession(s.id)!;
  return { waiting: get(waiting), needsApproval: get(approval), needsAnswer: get(question), working: get(working), ended: get(ended) };
}

/** Activates Flightdeck, waits for its engine, puts one session per state into it and waits for the tree to list them. */
export async function startWithStateSessions(tag: string): Promise<{ api: FlightdeckApi; engine: SessionEngine; s: StateSessions }> {
  const { api } = await activateFlightdeck();
  await api.ready();
  const engine = api.runtime!.engine!;
  const s = putStateSessions(engine, tag);
  await waitFor('the sessions in the tree', () => Object.values(s).every(x => api.tree.getSession(x.id)));
  return { api, engine, s };
}
