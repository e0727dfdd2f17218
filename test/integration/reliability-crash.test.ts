// Crash safety of the headless engine (SPEC §7): `flightdeck serve` follows a Codex rollout and a
// Claude transcript that keep growing (some lines written in two pieces) while it receives hook
// events, and is killed with SIGKILL at seeded random moments. After every restart the persisted
// offsets sit on a line boundary at or before what was on disk, no session is restored as working,
// and at the end every line that was written is in the store exactly once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { openDatabase } from '../../src/engine/store/driver';
import { DB_FILE } from '../../src/engine/services';
import { generateToken } from '../../src/engine/hub/token';
import { HOOK_PATH, TOKEN_HEADER } from '../../src/engine/claude/hookWire';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';
import { between, seededRng } from '../fixtures/bench/rng';
import { type ClaudeCtx, type CodexCtx, claude, codex, textBlock } from '../fixtures/bench/shapes';

const SEED = Number(process.env.FD_CRASH_SEED ?? 20261125);
const ITERATIONS = 5;
const THREAD = '01a21287-d365-7980-ae07-436af9b6c7a5';
const CLAUDE_SESSION = 'c0ffee00-1111-4222-8333-444455556666';

/** Appends whole lines to both files on a timer; a line is sometimes written in two pieces. */
class Writers {
  codexLines = 0;
  claudeLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private pendingCodex: string | null = null;
  private codexCtx: CodexCtx;
  private claudeCtx: ClaudeCtx;

  constructor(readonly rollout: string, readonly transcript: string, private rng: () => number) {
    const now = Date.now();
    this.codexCtx = { threadId: THREAD, cwd: '/work/crash', turnId: 'turn-crash-1', ordinal: -1, at: now };
    this.claudeCtx = { sessionId: CLAUDE_SESSION, cwd: '/work/crash', promptId: 'prompt-crash-1', parent: null, at: now, n: 0 };
    fs.mkdirSync(path.dirname(rollout), { recursive: true });
    fs.mkdirSync(path.dirname(transcript), { recursive: true });
    const c = this.codexCtx;
    fs.writeFileSync(rollout, codex.meta(c) + codex.taskStarted(c) + codex.turnContext(c) + codex.user(c, 'crash test: keep writing'));
    fs.writeFileSync(transcript, claude.user(this.claudeCtx, 'claude crash test prompt'));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), 4);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    if (this.pendingCodex !== null) { fs.appendFileSync(this.rollout, this.pendingCodex); this.pendingCodex = null; }
    // The turn ends: from here the rollout itself says the session is no longer working.
    fs.appendFileSync(this.rollout, codex.taskComplete(this.codexCtx));
  }

  private tick(): void {
    // Finish a half-written line first, so the partial tail is on disk across at least one tick.
    if (this.pendingCodex !== null) { fs.appendFileSync(this.rollout, this.pendingCodex); this.pendingCodex = null; }
    const i = this.codexLines++;
    // Now and then a long line, like a big tool output.
    const pad = this.rng() < 0.05 ? ' ' + 'output '.repeat(between(this.rng, 2_000, 9_000)) : '';
    const line = codex.agent(this.codexCtx, `codex line #${i}${pad}`);
    if (this.rng() < 0.3) {
      const cut = between(this.rng, 1, line.length - 1);
      fs.appendFileSync(this.rollout, line.slice(0, cut));
      this.pendingCodex = line.slice(cut);
    } else {
      fs.appendFileSync(this.rollout, line);
    }
    const j = this.claudeLines++;
    fs.appendFileSync(this.transcript, claude.assistant(this.claudeCtx, `msg_crash_${j}`, textBlock(`claude line #${j}`)));
  }
}

function postHook(socketPath: string, token: string, payload: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(payload);
    const req = http.request({
      socketPath, path: HOOK_PATH, method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [TOKEN_HEADER]: token },
    }, res => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(body);
  });
}

function listSessions(url: string, token: string): Promise<{ workStatus: string; provider: string; mode: string }[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    const t = setTimeout(() => { ws.terminate(); reject(new Error('no sessions_list')); }, 10_000);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe_list', requestId: 'l' })));
    ws.on('message', d => {
      const m = JSON.parse(String(d));
      if (m.type === 'sessions_list') { clearTimeout(t); ws.close(); resolve(m.sessions); }
    });
    ws.once('error', e => { clearTimeout(t); reject(e); });
  });
}

describe('reliability: SIGKILL while ingesting (flightdeck serve)', function () {
  this.timeout(120_000);
  let dir: string;
  let proc: ServeProcess | undefined;
  let writers: Writers | undefined;
  // The writers stop here too: a failed assertion must not leave them appending into a removed folder.
  after(() => { writers?.stop(); proc?.child.kill('SIGKILL'); cleanupTmpDirs(); });

  it(`loses and duplicates no line over ${ITERATIONS} kills at random points (seed ${SEED})`, async () => {
    console.log(`      crash seed: ${SEED} (FD_CRASH_SEED to repeat)`);
    const rng = seededRng(SEED);
    dir = tmpDir('fd-crash-');
    const dataDir = path.join(dir, 'data');
    const leaderDir = path.join(dir, 'run');
    const codexHome = path.join(dir, 'codex');
    const rollout = path.join(codexHome, 'sessions', '2026', '11', '25', `rollout-2026-11-25T12-00-00-${THREAD}.jsonl`);
    const transcript = path.join(dir, 'claude', 'projects', '-work-crash', `${CLAUDE_SESSION}.jsonl`);
    const token = generateToken();
    writers = new Writers(rollout, transcript, rng);
    const dbFile = path.join(dataDir, DB_FILE);
    const args = ['--port', '0', '--data-dir', dataDir, '--codex-home', codexHome, '--token', token, '--log-level', 'debug'];
    // No codex on PATH: the direct connector stays off and the run depends on nothing outside the test.
    const env = { FLIGHTDECK_LEADER_DIR: leaderDir, HOME: dir, PATH: path.dirname(process.execPath) };
    const hook = (socket: string, hookToken: string, event: string, extra: Record<string, unknown> = {}) => postHook(socket, hookToken, {
      session_id: CLAUDE_SESSION, transcript_path: transcript, cwd: '/work/crash', hook_event_name: event, ...extra,
    });

    async function boot(): Promise<{ url: string; hookSocket: string; hookToken: string }> {
      proc = startServe(args, env);
      const m = await proc.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
      const endpoint = await waitFor(() => {
        try { return JSON.parse(fs.readFileSync(path.join(leaderDir, 'claude-hook.json'), 'utf8')) as { socket: string; token: string; pid: number }; } catch { return undefined; }
      }, 'the hook endpoint file');
      assert.equal(endpoint.pid, proc.child.pid, 'the endpoint file is the new process\'s');
      return { url: m[1], hookSocket: endpoint.socket, hookToken: endpoint.token };
    }

    function checkOffsets(when: string): void {
      const db = openDatabase(dbFile);
      try {
        for (const r of db.prepare('SELECT path, offset FROM sources').all()) {
          const file = String(r.path);
          const offset = Number(r.offset);
          const bytes = fs.readFileSync(file);
          assert.ok(offset <= bytes.length, `${when}: offset ${offset} of ${file} is within the file (${bytes.length})`);
          if (offset > 0) assert.equal(bytes[offset - 1], 0x0a, `${when}: offset ${offset} of ${path.basename(file)} is on a line boundary`);
        }
      } finally { db.close(); }
    }

    writers.start();
    let kills = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const { url, hookSocket, hookToken } = await boot();
      if (i > 0) {
        const sessions = await listSessions(url, token);
        assert.ok(sessions.length >= 1, 'sessions were restored');
        // SPEC §2 / issue 15: a passive Codex session follows its file (a turn the file shows open keeps it
        // working); every other session that was working is never restored as working.
        for (const s of sessions.filter(x => !(x.provider === 'codex' && x.mode === 'passive'))) {
          assert.notEqual(s.workStatus, 'working', `restart ${i}: a ${s.provider} session was restored as working`);
        }
      }
      // Claude reports activity (the prompt makes the session work), which also (re)starts the transcript tail.
      assert.equal(await hook(hookSocket, hookToken, 'SessionStart', { source: i ? 'resume' : 'startup', model: 'claude-opus-5-5' }), 200);
      assert.equal(await hook(hookSocket, hookToken, 'UserPromptSubmit', { prompt: `keep going ${i}` }), 200);
      // A wrong token on the hook channel is refused and changes nothing.
      assert.equal(await hook(hookSocket, 'x'.repeat(64), 'Stop'), 401);
      const delay = between(rng, 150, 1_200);
      await new Promise(r => setTimeout(r, delay)); // the random kill point (a load pattern, not a synchronisation)
      proc!.child.kill('SIGKILL');
      const exit = await proc!.exited;
      assert.equal(exit.signal, 'SIGKILL');
      kills++;
      checkOffsets(`after kill ${kills} (${delay} ms in)`);
    }
    writers.stop();
    const codexSize = fs.statSync(rollout).size;
    const claudeSize = fs.statSync(transcript).size;

    // The last run catches up on everything, then stops cleanly.
    const { url, hookSocket, hookToken } = await boot();
    for (const s of (await listSessions(url, token)).filter(x => !(x.provider === 'codex' && x.mode === 'passive'))) {
      assert.notEqual(s.workStatus, 'working', 'the final restart restored no working session');
    }
    assert.equal(await hook(hookSocket, hookToken, 'Notification', { message: 'catch up' }), 200);
    const db = openDatabase(dbFile);
    try {
      await waitFor(() => {
        const rows = db.prepare('SELECT path, offset FROM sources').all();
        const at = new Map(rows.map(r => [String(r.path), Number(r.offset)]));
        return at.get(rollout) === codexSize && at.get(transcript) === claudeSize;
      }, 'both files read to their end', 30_000, 50);
      proc!.child.kill('SIGTERM');
      assert.equal((await proc!.exited).code, 0);

      const texts = (prefix: string) => db.prepare('SELECT text FROM messages WHERE text LIKE ?').all(`${prefix}%`).map(r => String(r.text));
      for (const [prefix, written] of [['codex line #', writers.codexLines], ['claude line #', writers.claudeLines]] as const) {
        const counts = new Map<number, number>();
        for (const t of texts(prefix)) {
          const n = Number(/^\S+ line #(\d+)/.exec(t)![1]);
          counts.set(n, (counts.get(n) ?? 0) + 1);
        }
        const missing = [];
        const twice = [];
        for (let n = 0; n < written; n++) {
          const c = counts.get(n) ?? 0;
          if (c === 0) missing.push(n);
          if (c > 1) twice.push(n);
        }
        assert.deepEqual({ missing: missing.slice(0, 10), twice: twice.slice(0, 10) }, { missing: [], twice: [] }, `${prefix}: every line exactly once`);
        assert.equal(counts.size, written, `${prefix}: ${written} lines written, ${counts.size} stored`);
      }
      const ids = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM messages').get();
      assert.equal(ids?.n, ids?.d, 'message ids are unique');
      const working = db.prepare("SELECT id FROM sessions WHERE json_extract(data, '$.workStatus') = 'working' AND provider = 'codex'").all();
      assert.deepEqual(working, [], 'the Codex session is not left working once its rollout ended the turn');
      console.log(`      ${kills} kills; ${writers.codexLines} rollout lines and ${writers.claudeLines} transcript lines, each stored once`);
    } finally {
      db.close();
    }
  });
});
