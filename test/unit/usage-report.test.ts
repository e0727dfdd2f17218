// The usage report on a real SQLite file: per-call records from the real provider paths (Claude
// transcript tailer on a real capture, Codex rollout ingest), counted once across re-reads and
// restarts, then summed per day / project / model / session with a date range, a timezone and
// costs from the price table (unknown models cost "unknown", not 0).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { RolloutIngest } from '../../src/engine/codex/rollout/rolloutIngest';
import { costOf, priceOf } from '../../src/engine/history/pricing';
import { startOfDay, usageReport } from '../../src/engine/history/usage';
import { ClientConnection } from '../../src/engine/clients/connection';
import { ReplayBuffer } from '../../src/engine/clients/replay';
import type { ServerMessage } from '../../src/engine/protocol';
import type { TokenUsageRecord } from '../../src/engine/store/types';
import { REPO_ROOT } from '../fixtures/claudeEnv';
import { codex } from '../fixtures/bench/shapes';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs } from '../helpers/tmp';

const MAIN = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'claude', 'transcripts', 'main-bash-write-edit-resume.jsonl'), 'utf8');

describe('usage report', () => {
  let t: TestEngine;
  beforeEach(() => { t = makeEngine(); });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  const session = (cwd: string, provider: 'claude' | 'codex' = 'claude', name?: string) => {
    const s = t.engine.createSession({ provider, mode: 'passive', providerSessionId: `p-${cwd}-${name ?? ''}`, cwd });
    if (name) t.engine.apply(s.id, { type: 'renamed', name });
    return s.id;
  };
  const rec = (sessionId: string, messageKey: string, at: string, model: string | null, tokens: Partial<TokenUsageRecord> = {}): TokenUsageRecord => ({
    sessionId, messageKey, at, model, input: 10, cacheCreation: 100, cacheRead: 1000, output: 1, reasoning: 0, ...tokens,
  });

  describe('records from the provider paths', () => {
    it('Claude: one record per API message of a real transcript, equal to Claude Code\'s own cost-state, also after a re-read from 0 and a restart', () => {
      const file = path.join(t.dir, 'session.jsonl');
      fs.writeFileSync(file, MAIN);
      const sid = session('/work/proj');
      const follow = () => {
        const tailer = new TranscriptTailer({ engine: t.engine, store: t.store, clock: t.clock, log: () => {}, watch: false });
        tailer.follow(sid, file);
        tailer.stop();
      };
      follow();
      // cost-state.modelUsage of the capture: input 3050, cache creation 2480, cache read 26800, output 581.
      const expected = { input: 3050, cacheCreation: 2480, cacheRead: 26800, output: 581, reasoning: 0, total: 3050 + 2480 + 26800 + 581 };
      const totals = () => {
        const r = usageReport(t.store, { timezone: 'UTC' }).totals;
        return { input: r.input, cacheCreation: r.cacheCreation, cacheRead: r.cacheRead, output: r.output, reasoning: r.reasoning, total: r.total };
      };
      assert.deepEqual(totals(), expected);
      const records = usageReport(t.store, { timezone: 'UTC' }).totals.records;
      // The file is read again from the start (a lost offset, a re-import): nothing is added.
      t.store.setOffset({ path: file, sessionId: sid, providerSessionId: t.engine.getSession(sid)!.providerSessionId, offset: 0 });
      t.store.flush();
      follow();
      assert.deepEqual(totals(), expected);
      t = t.restart();
      t.store.setOffset({ path: file, sessionId: sid, providerSessionId: null, offset: 0 });
      follow();
      assert.deepEqual(totals(), expected);
      assert.equal(usageReport(t.store, { timezone: 'UTC' }).totals.records, records);
      const byModel = usageReport(t.store, { by: 'model' });
      assert.deepEqual(byModel.rows.map(r => r.key), ['claude-opus-5-5']);
      assert.equal(byModel.rows[0].cost, null, 'a model without a price costs unknown');
      assert.deepEqual(byModel.totals.unpricedModels, ['claude-opus-5-5']);
    });

    it('Codex: one record per token_count, a repeated record (same cumulative total) counted once, cached input apart from input', () => {
      const file = path.join(t.dir, 'rollout-2026-11-25T10-00-00-019a0000-0000-7000-8000-000000000001.jsonl');
      const c = { threadId: '019a0000-0000-7000-8000-000000000001', cwd: '/work/api', turnId: 'turn-1', ordinal: 0, at: Date.parse('2026-11-25T10:00:00.000Z') };
      const lines = [codex.meta(c), codex.taskStarted(c), codex.turnContext(c), codex.tokens(c, 7860, 10), codex.tokens(c, 7860, 10), codex.tokens(c, 16000, 30)];
      fs.writeFileSync(file, lines.join(''));
      const ingest = () => new RolloutIngest({ engine: t.engine, store: t.store, log: () => {}, maxLineBytes: 1 << 20, nameFor: () => null }).process(file);
      ingest();
      const check = () => {
        const r = usageReport(t.store, { by: 'project', timezone: 'UTC' });
        assert.equal(r.rows.length, 1);
        assert.equal(r.rows[0].key, '/work/api');
        assert.equal(r.rows[0].label, 'api');
        assert.deepEqual(r.rows[0].models, ['gpt-5.5']);
        // Each record's last_token_usage: input 7860 (none cached), output 10; two distinct records.
        assert.equal(r.totals.records, 2);
        assert.equal(r.totals.input, 2 * 7860);
        assert.equal(r.totals.output, 2 * 10);
      };
      check();
      t.store.setOffset({ path: file, sessionId: null, providerSessionId: null, offset: 0 });
      t = t.restart();
      ingest();
      check();
    });
  });

  describe('aggregation', () => {
    it('sums per day in the given timezone, with since/until as whole days of that timezone', () => {
      const a = session('/w/a');
      for (const [key, at] of [['m1', '2026-11-30T12:00:00.000Z'], ['m2', '2026-11-30T23:30:00.000Z'], ['m3', '2026-12-01T08:00:00.000Z']]) {
        t.store.recordTokenUsage(rec(a, key, at, 'claude-sonnet-4-5-20250929'));
      }
      const utc = usageReport(t.store, { timezone: 'UTC' });
      assert.deepEqual(utc.rows.map(r => [r.key, r.records]), [['2026-11-30', 2], ['2026-12-01', 1]]);
      // 23:30 UTC is 00:30 the next day in Berlin (UTC+1 in winter).
      const berlin = usageReport(t.store, { timezone: 'Europe/Berlin' });
      assert.deepEqual(berlin.rows.map(r => [r.key, r.records]), [['2026-11-30', 1], ['2026-12-01', 2]]);
      assert.deepEqual(usageReport(t.store, { timezone: 'Europe/Berlin', since: '2026-12-01' }).rows.map(r => [r.key, r.records]), [['2026-12-01', 2]]);
      assert.deepEqual(usageReport(t.store, { timezone: 'UTC', until: '2026-11-30' }).rows.map(r => [r.key, r.records]), [['2026-11-30', 2]]);
      assert.deepEqual(usageReport(t.store, { timezone: 'UTC', since: '2026-12-02' }).rows, []);
      assert.equal(startOfDay('2026-12-01', 'Europe/Berlin'), '2026-11-30T23:00:00.000Z');
      assert.equal(startOfDay('2026-07-01', 'America/New_York'), '2026-07-01T04:00:00.000Z');
    });

    it('groups by project, model and session (largest first) with cost per model; unknown models make the cost partial or unknown', () => {
      const a = session('/w/alpha', 'claude', 'Fix the login');
      const b = session('/w/beta', 'codex', 'Add search');
      const at = '2026-12-01T10:00:00.000Z';
      t.store.recordTokenUsage(rec(a, 'a1', at, 'claude-sonnet-4-5', { input: 1_000_000, cacheCreation: 0, cacheRead: 0, output: 0 }));
      t.store.recordTokenUsage(rec(a, 'a2', at, 'claude-sonnet-4-5', { input: 0, cacheCreation: 1_000_000, cacheRead: 1_000_000, output: 1_000_000 }));
      t.store.recordTokenUsage(rec(b, 'codex:1', at, 'gpt-5', { input: 2_000_000, cacheCreation: 0, cacheRead: 1_000_000, output: 100_000, reasoning: 40_000 }));
      t.store.recordTokenUsage(rec(b, 'codex:2', at, 'mystery-model', { input: 5, cacheCreation: 0, cacheRead: 0, output: 5 }));
      // The same key again (a re-read) is ignored.
      t.store.recordTokenUsage(rec(a, 'a1', at, 'claude-sonnet-4-5', { input: 999 }));

      const sonnet = 3 + 3.75 + 0.3 + 15;
      const gpt5 = 2 * 1.25 + 0.125 + 0.1 * 10;
      const byModel = usageReport(t.store, { by: 'model', timezone: 'UTC' });
      assert.deepEqual(byModel.rows.map(r => r.key), ['claude-sonnet-4-5', 'gpt-5', 'mystery-model']);
      assert.ok(Math.abs(byModel.rows[0].cost! - sonnet) < 1e-9, `sonnet cost ${byModel.rows[0].cost}`);
      assert.ok(Math.abs(byModel.rows[1].cost! - gpt5) < 1e-9);
      assert.equal(byModel.rows[1].reasoning, 40_000);
      assert.equal(byModel.rows[2].cost, null);
      assert.deepEqual(byModel.totals.unpricedModels, ['mystery-model']);
      assert.ok(Math.abs(byModel.totals.cost! - (sonnet + gpt5)) < 1e-9);
      assert.equal(byModel.totals.total, 1_000_000 + 3_000_000 + 3_100_000 + 10);

      const byProject = usageReport(t.store, { by: 'project', timezone: 'UTC' });
      assert.deepEqual(byProject.rows.map(r => [r.label, r.total, r.unpricedModels]), [['alpha', 4_000_000, []], ['beta', 3_100_010, ['mystery-model']]]);
      const bySession = usageReport(t.store, { by: 'session', timezone: 'UTC' });
      assert.deepEqual(bySession.rows.map(r => [r.key, r.label]), [[a, 'Fix the login'], [b, 'Add search']]);
    });

    it('counts a Claude message id once across sessions (a fork repeats its parent\'s messages), a Codex key per session', () => {
      const parent = session('/w/a', 'claude', 'parent');
      const fork = session('/w/a', 'claude', 'fork');
      const x = session('/w/x', 'codex', 'x');
      const y = session('/w/y', 'codex', 'y');
      const at = '2026-12-01T10:00:00.000Z';
      t.store.recordTokenUsage(rec(parent, 'msg_1', at, 'claude-haiku-4-5'));
      t.store.recordTokenUsage(rec(fork, 'msg_1', at, 'claude-haiku-4-5'));
      t.store.recordTokenUsage(rec(fork, 'msg_2', at, 'claude-haiku-4-5'));
      t.store.recordTokenUsage(rec(x, 'codex:100', at, 'gpt-5'));
      t.store.recordTokenUsage(rec(y, 'codex:100', at, 'gpt-5'));
      const r = usageReport(t.store, { by: 'model', timezone: 'UTC' });
      assert.deepEqual(r.rows.map(row => [row.key, row.records]), [['claude-haiku-4-5', 2], ['gpt-5', 2]]);
    });

    it('refuses a malformed date, an inverted range and an unknown timezone with a clear message', () => {
      assert.throws(() => usageReport(t.store, { since: '2026-13-01' }), /since must be a date YYYY-MM-DD/);
      assert.throws(() => usageReport(t.store, { since: '2026-12-02', until: '2026-12-01' }), /is after until/);
      assert.throws(() => usageReport(t.store, { timezone: 'Mars/Olympus' }), /unknown timezone/);
    });
  });

  describe('protocol', () => {
    it('answers usage_report with a usage report, and a bad timezone with bad_request', async () => {
      const a = session('/w/alpha');
      t.store.recordTokenUsage(rec(a, 'a1', '2026-12-01T10:00:00.000Z', 'claude-haiku-4-5'));
      const sent: ServerMessage[] = [];
      const conn = new ClientConnection({ engine: t.engine, replay: new ReplayBuffer(), serverVersion: 'test', send: m => sent.push(m) });
      await conn.handle({ type: 'usage_report', requestId: 'u1', by: 'project', since: '2026-12-01', timezone: 'UTC' });
      await conn.handle({ type: 'usage_report', requestId: 'u2', timezone: 'Nowhere/Land' });
      conn.close();
      const [ok, bad] = sent;
      assert.equal(ok.type, 'usage');
      if (ok.type !== 'usage') return;
      assert.equal(ok.requestId, 'u1');
      assert.deepEqual(ok.report.rows.map(r => [r.label, r.total]), [['alpha', 1111]]);
      assert.deepEqual(bad.type === 'error' && [bad.requestId, bad.code], ['u2', 'bad_request']);
    });
  });

  describe('live', () => {
    it('a transcript line with usage reaches list subscribers as a tokenUsage delta (what the panel refreshes on), and the next report has it', async () => {
      const file = path.join(t.dir, 'live.jsonl');
      const lines = MAIN.split('\n').filter(Boolean);
      const firstUsage = lines.findIndex(l => l.includes('"usage"') && l.includes('"type":"assistant"'));
      fs.writeFileSync(file, lines.slice(0, firstUsage).join('\n') + '\n');
      const sid = session('/work/live');
      const tailer = new TranscriptTailer({ engine: t.engine, store: t.store, clock: t.clock, log: () => {}, watch: false });
      tailer.follow(sid, file);
      const sent: ServerMessage[] = [];
      const conn = new ClientConnection({ engine: t.engine, replay: new ReplayBuffer(), serverVersion: 'test', send: m => sent.push(m) });
      await conn.handle({ type: 'subscribe_list', requestId: 'l1' });
      await conn.handle({ type: 'usage_report', requestId: 'u0', timezone: 'UTC' });
      const before = sent.find(m => m.type === 'usage' && m.requestId === 'u0');
      assert.equal(before?.type === 'usage' && before.report.totals.records, 0);
      fs.appendFileSync(file, lines[firstUsage] + '\n');
      tailer.readNow(sid);
      assert.ok(sent.some(m => m.type === 'session_delta' && m.sessionId === sid && m.changes.tokenUsage), 'a session_delta with tokenUsage');
      await conn.handle({ type: 'usage_report', requestId: 'u1', timezone: 'UTC' });
      const after = sent.find(m => m.type === 'usage' && m.requestId === 'u1');
      assert.equal(after?.type === 'usage' && after.report.totals.records, 1);
      conn.close();
      tailer.stop();
    });
  });

  describe('price table', () => {
    it('prices dated snapshots like their model and nothing else by prefix', () => {
      assert.deepEqual(priceOf('claude-sonnet-4-5-20250929'), priceOf('claude-sonnet-4-5'));
      assert.deepEqual(priceOf('gpt-5-2025-08-07'), priceOf('gpt-5'));
      assert.equal(priceOf('gpt-5.5'), null, 'gpt-5.5 is not gpt-5');
      assert.equal(priceOf(null), null);
      assert.equal(costOf('claude-opus-4-1', { input: 1_000_000, cacheCreation: 0, cacheRead: 0, output: 0 }), 15);
    });
  });
});
