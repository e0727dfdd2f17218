// Issue 19, "small but real": hostile request fields. Any search query (a lone quote, `*`, `NEAR(`,
// control characters, random unicode) answers results or a protocol error code, never SQLite's own;
// every code an error carries is one of the protocol's wire error codes (WireErrorCode). create_session resolves
// its cwd and requires an existing directory, and says which rule failed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import { ErrorCode, type ServerMessage, type Session, WireErrorCode } from '../../src/engine/protocol';
import type { CreateRequest, ProviderController } from '../../src/engine/sessions/provider';
import { toFtsQuery } from '../../src/engine/store/sqliteStore';
import { FUZZ_SEED, type FuzzRig, fuzzRig } from '../fixtures/bench/fuzz';
import { cleanupTmpDirs } from '../helpers/tmp';

const CODES = new Set<string>(Object.values(WireErrorCode));

describe('hostile request fields (issue 19)', function () {
  this.timeout(60_000);
  let r: FuzzRig;
  let conn: ClientConnection;
  const sent: ServerMessage[] = [];
  const created: CreateRequest[] = [];
  before(() => {
    r = fuzzRig('fd-hreq-');
    const s = r.engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: 'th-h', cwd: r.dir });
    for (let i = 0; i < 20; i++) r.engine.appendMessage(s.id, { id: `m${i}`, kind: 'agent', text: `alpha "beta" NEAR(gamma) ${i} * x`, createdAt: new Date().toISOString() });
    const provider: ProviderController = {
      handles: () => true, provider: 'codex',
      async sendMessage() {}, async interrupt() {}, async rename() {}, async decideApproval() {}, async answerQuestion() {},
      async updateConfig() {}, async resume() {}, async takeover() {}, async end() {},
      async createSession(req) { created.push(req); return r.engine.createSession({ provider: 'codex', mode: 'direct', cwd: req.cwd }) as Session; },
    };
    r.engine.registerProvider(provider);
    conn = new ClientConnection({ engine: r.engine, replay: attachReplay(r.engine), serverVersion: 't', log: r.log.fn, send: m => sent.push(m) });
  });
  after(() => { conn.close(); r.engine.stop(); r.store.close(); cleanupTmpDirs(); });

  const ask = async (msg: object): Promise<ServerMessage> => {
    sent.length = 0;
    await conn.handle(JSON.stringify(msg));
    assert.equal(sent.length, 1, `one answer to ${JSON.stringify(msg).slice(0, 200)}`);
    return sent[0];
  };

  it('search: FTS syntax and control characters answer results, never an SQLite error', async () => {
    for (const query of ['"', '""', '*', 'NEAR(', 'NEAR(a b', 'a OR', 'AND', '-x', '^', 'col:x', '\u0000', '\u0001\u001f', '"beta', 'gamma)', '\ud800']) {
      const m = await ask({ type: 'search', requestId: 'q', query });
      assert.equal(m.type, 'search_results', `${JSON.stringify(query)} → ${JSON.stringify(m).slice(0, 300)}`);
    }
    const hit = await ask({ type: 'search', requestId: 'q', query: '"beta" NEAR(' });
    assert.ok(hit.type === 'search_results' && hit.results.length > 0, 'a query with syntax characters still finds its words');
  });

  it(`search fuzz: any string answers results or a protocol error code (seed ${FUZZ_SEED})`, async () => {
    const syntax = fc.constantFrom('"', '*', '(', ')', ':', '^', '-', '+', 'NEAR', 'AND', 'OR', 'NOT', '{', '}', '\u0000', '\n', ' ');
    const query = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.oneof(syntax, fc.string({ maxLength: 4 })), { maxLength: 12 }).map(a => a.join('')));
    await fc.assert(fc.asyncProperty(query, async q => {
      const m = await ask({ type: 'search', requestId: 'f', query: q });
      if (m.type === 'error') assert.ok(CODES.has(m.code), `protocol code, not ${m.code}: ${m.message}`);
      else assert.equal(m.type, 'search_results');
    }), { seed: FUZZ_SEED, numRuns: 600 });
  });

  it('toFtsQuery: quoted terms only, or nothing to search for', () => {
    assert.equal(toFtsQuery('"'), undefined);
    assert.equal(toFtsQuery('  * '), undefined);
    assert.equal(toFtsQuery('NEAR( "b'), '"NEAR(" "b"*');
  });

  it('an error thrown with a foreign code (SQLITE_ERROR, ENOENT) is answered as internal', async () => {
    const original = r.engine.search.bind(r.engine);
    r.engine.search = () => { throw Object.assign(new Error('boom'), { code: 'SQLITE_ERROR' }); };
    try {
      const m = await ask({ type: 'search', requestId: 'x', query: 'a' });
      assert.ok(m.type === 'error' && m.code === ErrorCode.internal, JSON.stringify(m));
    } finally { r.engine.search = original; }
  });

  it('create_session: a cwd that does not exist, is a file, or is relative is refused clearly; ../.. is resolved', async () => {
    const file = path.join(r.dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const base = { type: 'create_session', requestId: 'c', provider: 'codex', prompt: 'hi' };
    const cases: [string, RegExp][] = [
      [path.join(r.dir, 'nope'), /does not exist/],
      [file, /not a directory/],
      ['relative/dir', /absolute/],
    ];
    for (const [cwd, why] of cases) {
      const m = await ask({ ...base, cwd });
      assert.ok(m.type === 'error' && m.code === ErrorCode.badRequest && why.test(m.message), `${cwd}: ${JSON.stringify(m)}`);
    }
    assert.equal(created.length, 0, 'the provider was never asked');
    const sub = path.join(r.dir, 'sub');
    fs.mkdirSync(sub);
    const m = await ask({ ...base, cwd: `${sub}/../sub/./` });
    assert.equal(m.type, 'result', JSON.stringify(m));
    assert.equal(created[0].cwd, sub, 'the provider gets the resolved directory');
  });
});
