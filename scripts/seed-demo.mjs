// Fills a Flightdeck data dir with a handful of realistic sessions in different states, for
// screenshots and demos. Uses the compiled engine (run `npx tsc -p .` first).
// Usage: node scripts/seed-demo.mjs <data-dir>
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startServices } = require(path.join(root, 'out/src/engine/services.js'));
const { systemClock } = require(path.join(root, 'out/src/engine/platform/clock.js'));

const dataDir = process.argv[2];
if (!dataDir) { console.error('usage: node scripts/seed-demo.mjs <data-dir>'); process.exit(2); }

// The engine stamps activity with its clock: move it to when each thing "happened".
const realNow = Date.now();
let at = realNow;
const clock = { ...systemClock, now: () => at };
const minutesAgo = m => { at = realNow - m * 60_000; return new Date(at).toISOString(); };

const services = await startServices({ dataDir, version: 'seed', log: () => {}, clock });
const { engine } = services;
const home = '/home/dev/src';
let msg = 0;
const say = (id, kind, text, extra = {}) => engine.appendMessage(id, { id: `demo-${++msg}`, kind, text, createdAt: new Date(at).toISOString(), ...extra });

// 1. Codex, driven by Flightdeck, waiting for approval of a command.
minutesAgo(9);
const api = engine.createSession({ provider: 'codex', mode: 'direct', cwd: `${home}/storefront-api`, model: 'gpt-5-codex', approvalPolicy: 'on-request', sandboxMode: 'workspace-write', autonomy: 'autoEdit' });
say(api.id, 'user', 'Add rate limiting to the public API: 100 requests per minute per API key, 429 with a Retry-After header.');
minutesAgo(8);
say(api.id, 'agent', 'I will add a sliding-window limiter as Express middleware, keyed by the `X-Api-Key` header, and cover it with tests.\n\n1. Add `express-rate-limit`\n2. Mount it before the `/v1` router\n3. Return **429** with `Retry-After`');
minutesAgo(7);
say(api.id, 'command', '', { command: 'rg -n "app.use\\(" src/server.ts', output: '14:app.use(helmet());\n15:app.use(express.json());\n16:app.use("/v1", v1Router);', exitCode: 0, status: 'completed' });
engine.apply(api.id, { type: 'turnTokens', input: 38_400, output: 2_150, cached: 21_000, contextWindow: 272_000 });
const serverDiff = [
  '--- a/src/server.ts', '+++ b/src/server.ts', '@@ -1,5 +1,6 @@',
  ' import express from "express";', ' import helmet from "helmet";', '+import { apiKeyLimiter } from "./rateLimit";',
  ' import { v1Router } from "./v1";', ' ', ' const app = express();', '@@ -14,3 +15,3 @@',
  ' app.use(helmet());', ' app.use(express.json());', '-app.use("/v1", v1Router);', '+app.use("/v1", apiKeyLimiter, v1Router);', '',
].join('\n');
const limiterDiff = [
  '--- /dev/null', '+++ b/src/rateLimit.ts', '@@ -0,0 +1,9 @@',
  '+import rateLimit from "express-rate-limit";', '+', '+/** 100 requests per minute per API key; 429 with Retry-After beyond. */',
  '+export const apiKeyLimiter = rateLimit({', '+  windowMs: 60_000,', '+  limit: 100,', '+  keyGenerator: req => String(req.header("x-api-key") ?? req.ip),',
  '+  standardHeaders: "draft-7",', '+});', '',
].join('\n');
const changes = [{ path: 'src/rateLimit.ts', kind: 'add', diff: limiterDiff }, { path: 'src/server.ts', kind: 'update', diff: serverDiff }];
say(api.id, 'fileChange', '', { changes, status: 'completed', turnId: 'demo-turn1' });
engine.apply(api.id, { type: 'turnDiff', changes });
minutesAgo(1);
engine.apply(api.id, {
  type: 'approvalRequested',
  approval: { approvalId: 'demo-ap1', version: 0, kind: 'exec', command: 'pnpm add express-rate-limit', cwd: `${home}/storefront-api`, reason: 'Install the rate limiting middleware', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: new Date(at).toISOString() },
});

// 2. Claude Code in a terminal, asking a question.
minutesAgo(6);
const dash = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `${home}/dashboard`, model: 'claude-sonnet-4-5' });
say(dash.id, 'user', 'Migrate the settings page to the new form components');
engine.apply(dash.id, { type: 'turnTokens', input: 61_000, output: 4_800, cached: 40_000 });
minutesAgo(3);
engine.apply(dash.id, {
  type: 'questionAsked',
  question: { questionId: 'demo-q1', questions: [{ id: 'q1', question: 'Keep the legacy validation messages, or use the design-system ones?', options: [{ label: 'Legacy' }, { label: 'Design system' }] }], requestedAt: new Date(at).toISOString() },
});

// 3. Codex, renamed by the user, waiting for the next prompt.
minutesAgo(14);
// It runs in a git worktree Flightdeck made for it (issue 18): branch and worktree in the row and header.
const ordersWorktree = `${home}/storefront-api-worktrees/orders-status-enum`;
const orders = engine.createSession({ provider: 'codex', mode: 'direct', cwd: ordersWorktree, model: 'gpt-5-codex', autonomy: 'fullAuto' });
engine.apply(orders.id, {
  type: 'metadata', gitBranch: 'orders-status-enum',
  worktree: { path: ordersWorktree, mainRepoPath: `${home}/storefront-api`, branch: 'orders-status-enum', baseRef: 'main', createdByFlightdeck: true },
});
say(orders.id, 'user', 'Write a migration that turns orders.status into a Postgres enum and backfills it');
engine.apply(orders.id, { type: 'turnTokens', input: 22_000, output: 3_900, cached: 9_000 });
minutesAgo(12);
engine.apply(orders.id, { type: 'turnCompleted', status: 'completed' });
engine.apply(orders.id, { type: 'renamed', name: 'Orders status enum migration' });

// 4. Claude Code, done with its turn.
minutesAgo(31);
const ws = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `${home}/realtime-gateway`, model: 'claude-opus-4-1' });
say(ws.id, 'user', 'Explain why the websocket reconnect test is flaky on CI');
engine.apply(ws.id, { type: 'turnTokens', input: 15_500, output: 1_200, cached: 8_000 });
minutesAgo(27);
engine.apply(ws.id, { type: 'turnCompleted', status: 'completed' });

// 5. A Codex CLI session that ended a while ago.
minutesAgo(140);
const deps = engine.createSession({ provider: 'codex', mode: 'passive', cwd: `${home}/mobile-app`, model: 'gpt-5' });
say(deps.id, 'user', 'Bump dependencies and fix the type errors');
minutesAgo(118);
engine.apply(deps.id, { type: 'ended', reason: 'timeout' });

// 6. A Claude Code session ended by the user yesterday.
minutesAgo(26 * 60);
const docs = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `${home}/docs-site`, model: 'claude-sonnet-4-5' });
say(docs.id, 'user', 'Write a getting-started guide for the CLI');
// Agent text with HTML in it: the UI test checks that none of it runs in the session panel.
say(docs.id, 'agent', 'The guide shows raw HTML as text, e.g. <img src=x onerror="window.__flightdeckXss=1"> and <script>window.__flightdeckXss=2</script>; nothing of it runs.');
minutesAgo(25 * 60);
engine.apply(docs.id, { type: 'ended', reason: 'user' });

// 7. Codex, driven by Flightdeck, waiting for approval of a patch (the palette's Approve picker shows its file).
minutesAgo(4);
const billing = engine.createSession({ provider: 'codex', mode: 'direct', cwd: `${home}/billing-service`, model: 'gpt-5-codex', approvalPolicy: 'on-request', sandboxMode: 'workspace-write', autonomy: 'autoEdit' });
say(billing.id, 'user', 'Retry failed invoice webhooks with backoff');
engine.apply(billing.id, { type: 'turnStarted', turnId: 'demo-turn-b1' });
engine.apply(billing.id, {
  type: 'approvalRequested',
  approval: { approvalId: 'demo-ap2', version: 0, kind: 'fileChange', changes: [{ path: `${home}/billing-service/src/webhooks/retry.ts`, kind: 'add', diff: '@@ -0,0 +1,3 @@\n+export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000];\n+export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;\n+export const isRetryable = (status: number) => status >= 500;\n' }], options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: new Date(at).toISOString() },
});

// Token usage of the last 30 days for the usage report: one record per model call, a working-week
// rhythm (quiet weekends), several projects and models. Deterministic: a fixed pseudo-random walk.
let seed = 7;
const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
const calls = [[api, 'gpt-5-codex'], [dash, 'claude-sonnet-4-5'], [orders, 'gpt-5-codex'], [ws, 'claude-opus-4-1'], [deps, 'gpt-5'], [docs, 'claude-sonnet-4-5'], [billing, 'gpt-5-codex']];
for (let day = 29; day >= 0; day--) {
  const date = new Date(realNow - day * 86_400_000);
  const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const count = Math.round((weekend ? 4 : 14) * (0.5 + rnd()));
  for (let i = 0; i < count; i++) {
    const [session, model] = calls[Math.floor(rnd() * calls.length)];
    const claude = model.startsWith('claude');
    const input = Math.round(2_000 + rnd() * 12_000);
    services.store.recordTokenUsage({
      sessionId: session.id, messageKey: claude ? `msg_demo_${day}_${i}` : `codex:demo-${day}-${i}`, model,
      at: new Date(date.getTime() - Math.round(rnd() * 8 * 3_600_000)).toISOString(),
      input: claude ? Math.round(input * 0.05) : Math.round(input * 0.4), cacheCreation: claude ? Math.round(input * 0.3) : 0,
      cacheRead: claude ? Math.round(input * 4) : Math.round(input * 0.6), output: Math.round(200 + rnd() * 2_500),
      reasoning: claude ? 0 : Math.round(rnd() * 800),
    });
  }
}

at = realNow;
await services.stop();
console.log(`seeded ${engine.listSessions().length} sessions into ${dataDir}`);
