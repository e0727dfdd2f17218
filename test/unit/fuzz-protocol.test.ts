// Fuzz (fast-check, fixed seed) of the engine's other edges: Claude hook payloads posted to the real
// hook receiver over HTTP, client messages through ClientConnection and over a real hub WebSocket,
// and Codex app-server notifications and server requests into the direct connector's event mapper.
// Inputs are real captures with one node changed or removed, random JSON, garbage and invalid
// UTF-8. Nothing throws out of an edge, nothing is caught as an internal error, every answer is a
// valid protocol message, and the store stays intact.
import * as assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import { type ClaudeIntegration, createClaudeIntegration } from '../../src/engine/claude/integration';
import { HOOK_PATH, TOKEN_HEADER } from '../../src/engine/claude/hookWire';
import { AppServerClient } from '../../src/engine/codex/appServer/client';
import { DirectEvents } from '../../src/engine/codex/appServer/directEvents';
import { DirectState } from '../../src/engine/codex/appServer/directState';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import { type HubHandle, startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import { type Session, ServerMessage } from '../../src/engine/protocol';
import { SessionEngine } from '../../src/engine/sessions/engine';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { FUZZ_SEED, FIXTURES_DIR, assertStoreIntact, deeplyNested, invalidUtf8, mutatedJson, sampleJson, type FuzzRig, fuzzRig } from '../fixtures/bench/fuzz';
import { cleanupTmpDirs } from '../helpers/tmp';

type Json = Parameters<typeof mutatedJson>[0][number];

type Rig = FuzzRig;
const rig = (): Rig => fuzzRig('fd-fuzzp-');

/** Raw bodies: mostly mutated samples, some random JSON, garbage and broken UTF-8. */
function bodies(samples: Json[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...samples).map(s => Buffer.from(JSON.stringify(s))) },
    { weight: 8, arbitrary: mutatedJson(samples).map(v => Buffer.from(JSON.stringify(v))) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(v => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map(a => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...samples), invalidUtf8).map(([s, bad]) => Buffer.concat([Buffer.from(JSON.stringify(s).slice(0, -1) + ',"x":"'), bad, Buffer.from('"}')])) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(deeplyNested(10_000))) },
  );
}

/** A provider that accepts every operation, so valid requests reach as deep into the engine as they can. */
const acceptAll: ProviderController = {
  handles: () => true,
  provider: 'codex',
  async sendMessage() {}, async interrupt() {}, async rename() {}, async decideApproval() {}, async answerQuestion() {},
  async updateConfig() {}, async resume() {}, async takeover() {}, async end() {},
  async listModels() { return [{ id: 'm', displayName: 'M' }]; },
  async createSession(req) { return fakeCreated!(req.cwd); },
};
let fakeCreated: ((cwd: string) => Session) | null = null;

/** One valid message of every client type about session `sid`: the seeds the mutations start from. */
function clientSamples(sid: string): Json[] {
  const ref = { sessionId: sid, requestId: 'r1' };
  return [
    { type: 'hello', requestId: 'r1', protocolVersion: 1, client: 'fuzz' }, { type: 'subscribe_list', requestId: 'r1' },
    { type: 'unsubscribe_list' }, { type: 'subscribe_session', ...ref, sinceRevision: 1 }, { type: 'unsubscribe_session', ...ref },
    { type: 'load_messages', ...ref, beforeSeq: 5, limit: 10 }, { type: 'get_message', ...ref, messageId: 'm1' },
    { type: 'create_session', requestId: 'r1', provider: 'codex', cwd: '/w', model: 'gpt', autonomy: 'autoEdit', prompt: 'hi' },
    { type: 'send_message', ...ref, text: 'hello' }, { type: 'approve_tool', ...ref, approvalId: 'ap1', version: 0, decision: 'approved' },
    { type: 'answer_question', ...ref, questionId: 'q1', answers: { a: 'b', c: ['d'] } }, { type: 'interrupt_session', ...ref },
    { type: 'end_session', ...ref }, { type: 'update_session_config', ...ref, autonomy: 'fullAuto', planMode: true },
    { type: 'rename_session', ...ref, name: 'x' }, { type: 'resume_session', ...ref }, { type: 'takeover_session', ...ref, force: true },
    { type: 'list_models', requestId: 'r1', provider: 'claude' }, { type: 'search', requestId: 'r1', query: 'hello wor', limit: 5 },
    { type: 'ping', requestId: 'r1' },
  ];
}

function seedSession(engine: SessionEngine): Session {
  const s = engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: 'th-fuzz', cwd: '/w' });
  for (let i = 0; i < 30; i++) engine.appendMessage(s.id, { id: `m${i}`, kind: i % 2 ? 'agent' : 'user', text: `hello world ${i}`, createdAt: new Date().toISOString() });
  engine.apply(s.id, {
    type: 'approvalRequested',
    approval: { approvalId: 'ap1', version: 0, kind: 'exec', command: 'ls', cwd: '/w', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
  });
  return engine.requireSession(s.id);
}

describe('fuzz: hook payloads, client messages, app-server notifications', function () {
  this.timeout(60_000);
  after(() => cleanupTmpDirs());

  describe('Claude hook payloads → receiver (HTTP)', () => {
    let r: Rig;
    let claude: ClaudeIntegration;
    let socketPath: string;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    before(async () => {
      r = rig();
      claude = createClaudeIntegration({
        engine: r.engine, store: r.store, dataDir: path.join(r.dir, 'run'), clock: r.clock, log: r.log.fn,
        approvalsFromFlightdeck: false, watchTranscripts: false,
      });
      r.engine.registerProvider(claude.controller);
      ({ socketPath } = await claude.start());
    });
    after(async () => { agent.destroy(); await claude.stop(); r.engine.stop(); r.store.close(); });

    const post = (body: Buffer, token: string) => new Promise<number>((resolve, reject) => {
      const req = http.request({
        socketPath, path: HOOK_PATH, method: 'POST', agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length, [TOKEN_HEADER]: token },
      }, res => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
      req.end(body);
    });

    it(`1,500 payloads: answered 200 or 400, never 500, nothing thrown inside (seed ${FUZZ_SEED})`, async () => {
      console.log(`      fuzz seed: ${FUZZ_SEED} (FD_FUZZ_SEED to repeat)`);
      const samples = sampleJson('claude/hooks') as Json[];
      // Pointed at transcripts that do not exist (the captures' paths): hooks must not depend on them.
      const statuses = new Map<number, number>();
      await fc.assert(fc.asyncProperty(bodies(samples), async body => {
        const status = await post(body, claude.receiver.secretForTests);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        assert.ok(status === 200 || status === 400, `status ${status} for ${body.subarray(0, 200).toString()}`);
        assert.deepEqual(r.log.thrown(), []);
      }), { seed: FUZZ_SEED, numRuns: 1_500 });
      assert.equal(await post(Buffer.from(JSON.stringify(samples[0])), 'wrong-token'), 401);
      r.store.flush();
      const stats = assertStoreIntact(r.file);
      console.log(`      statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${stats.sessions} sessions, ${stats.messages} items`);
    });
  });

  describe('client messages → ClientConnection and the hub socket', () => {
    let r: Rig;
    let session: Session;
    before(() => {
      r = rig();
      session = seedSession(r.engine);
      fakeCreated = cwd => r.engine.createSession({ provider: 'codex', mode: 'direct', cwd });
      r.engine.registerProvider(acceptAll);
    });
    after(() => { r.engine.stop(); r.store.close(); });

    it(`3,000 messages in process: every answer is a valid server message, no internal error (seed ${FUZZ_SEED})`, async () => {
      const replay = attachReplay(r.engine);
      const sent: unknown[] = [];
      const conn = new ClientConnection({ engine: r.engine, replay, serverVersion: 'fuzz', log: r.log.fn, send: m => sent.push(m) });
      const samples = clientSamples(session.id);
      await fc.assert(fc.asyncProperty(bodies(samples), async body => {
        sent.length = 0;
        await conn.handle(body.toString('utf8'));
        for (const m of sent) {
          const ok = ServerMessage.safeParse(JSON.parse(JSON.stringify(m)));
          assert.ok(ok.success, `a valid server message: ${JSON.stringify(m).slice(0, 300)}`);
        }
        assert.deepEqual(r.log.thrown(), []);
      }), { seed: FUZZ_SEED, numRuns: 3_000 });
      conn.close();
      r.store.flush();
      assertStoreIntact(r.file);
    });

    it('500 raw frames over a real socket (text, binary, broken UTF-8, 2 MiB): the connection answers a ping after them', async () => {
      const token = generateToken();
      const hub: HubHandle = await startHub({ engine: r.engine, replay: attachReplay(r.engine), port: 0, token, log: r.log.fn, version: 'fuzz' });
      const ws = new WebSocket(hub.url, { headers: { Authorization: `Bearer ${token}` } });
      try {
        await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
        const got: string[] = [];
        ws.on('message', d => got.push(String(d)));
        const frames = fc.sample(fc.tuple(bodies(clientSamples(session.id)), fc.boolean()), { seed: FUZZ_SEED, numRuns: 500 });
        frames.push([Buffer.alloc(2 * 1024 * 1024, 0x20), false]);
        let closeCode = 0;
        ws.once('close', code => { closeCode = code; });
        // A text frame must be UTF-8 (RFC 6455 §8.1: ws closes with 1007 otherwise; checked below), so
        // bodies that are not go as binary frames here.
        for (const [body, binary] of frames) ws.send(body, { binary: binary || !isUtf8(body) });
        ws.send(JSON.stringify({ type: 'ping', requestId: 'after-fuzz' }));
        const deadline = Date.now() + 20_000;
        while (!got.some(g => g.includes('"after-fuzz"'))) {
          assert.ok(Date.now() < deadline && ws.readyState === WebSocket.OPEN, `the socket stays open and answers the final ping (closed ${closeCode}, state ${ws.readyState}, ${got.length} answers, ${deadline - Date.now()} ms left)`);
          await new Promise(resolve => ws.once('message', resolve));
        }
        for (const g of got) assert.ok(ServerMessage.safeParse(JSON.parse(g)).success, `valid: ${g.slice(0, 200)}`);
        assert.ok(got.some(g => g.includes('frame_too_large')), 'the 2 MiB frame is refused with an error');
        assert.deepEqual(r.log.thrown(), []);

        // A text frame that is not UTF-8 fails that connection (1007) and no other.
        const bad = new WebSocket(hub.url, { headers: { Authorization: `Bearer ${token}` } });
        await new Promise((resolve, reject) => { bad.once('open', resolve); bad.once('error', reject); });
        const closed = new Promise<number>(resolve => bad.once('close', code => resolve(code)));
        bad.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
        assert.equal(await closed, 1007);
        ws.send(JSON.stringify({ type: 'ping', requestId: 'after-1007' }));
        while (!got.some(g => g.includes('"after-1007"'))) {
          assert.ok(Date.now() < deadline && ws.readyState === WebSocket.OPEN, 'the other connection still answers');
          await new Promise(resolve => ws.once('message', resolve));
        }
      } finally {
        ws.terminate();
        await hub.close();
      }
    });
  });

  describe('Codex app-server notifications and requests → direct connector', () => {
    it(`3,000 messages mutated from captured app-server traffic (seed ${FUZZ_SEED})`, () => {
      const r = rig();
      const client = new AppServerClient({ binary: '/nonexistent/codex', env: {}, clock: r.clock, log: r.log.fn, clientInfo: { name: 'f', title: 'f', version: '0' } });
      const state = new DirectState();
      const events = new DirectEvents(r.engine, state, client, r.log.fn, r.clock);
      const captured = fs.readdirSync(path.join(FIXTURES_DIR, 'codex-app-server')).flatMap(f => fs.readFileSync(path.join(FIXTURES_DIR, 'codex-app-server', f), 'utf8')
        .split('\n').filter(Boolean).map(l => JSON.parse(l) as { dir: string; msg: { method?: string; id?: number; params?: Json } }))
        .filter(x => x.dir === 's2c' && x.msg.method);
      // Point every capture at one thread the connector tracks, so the mutations reach the handlers.
      const threadIds = new Set<string>();
      JSON.stringify(captured, (k, v) => { if (k === 'threadId' && typeof v === 'string') threadIds.add(v); return v; });
      const samples = captured.map(x => JSON.parse(JSON.stringify(x.msg).split([...threadIds][0] ?? '\u0000').join('th-fuzz')) as Json);
      const s = r.engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: 'th-fuzz', cwd: '/w' });
      state.track('th-fuzz', s.id).loadedGen = client.generation;
      let handled = 0;
      fc.assert(fc.property(mutatedJson(samples), fc.nat({ max: 40 }), (m, advance) => {
        const msg = (m && typeof m === 'object' && !Array.isArray(m) ? m : {}) as { method?: unknown; id?: unknown; params?: unknown };
        const method = typeof msg.method === 'string' ? msg.method : 'item/completed';
        if (typeof msg.id === 'number' || typeof msg.id === 'string') events.onServerRequest(msg.id, method, msg.params, client.generation);
        else events.onNotification(method, msg.params, client.generation);
        r.clock.advance(advance);
        handled++;
        assert.deepEqual(r.log.thrown(), []);
      }), { seed: FUZZ_SEED, numRuns: 3_000 });
      r.clock.advance(1_000);
      r.store.flush();
      const stats = assertStoreIntact(r.file);
      console.log(`      ${handled} messages from ${samples.length} captures → ${stats.messages} transcript items`);
      r.engine.stop();
      r.store.close();
    });
  });
});
