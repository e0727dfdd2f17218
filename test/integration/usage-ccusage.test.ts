// Correctness against a real peer (issue 14): over the same generated Claude transcripts,
// Flightdeck's daily token totals equal `ccusage daily --json --offline` number by number.
// The corpus has what makes counting hard: API messages split over several lines (each repeating
// the usage), sessions that cross midnight, several days and projects, a forked session that
// repeats earlier messages of another one, and a subagent transcript. Both sides cut days in UTC
// (ccusage uses the machine's timezone: TZ=UTC; Flightdeck: timezone UTC).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { usageReport } from '../../src/engine/history/usage';
import { REPO_ROOT } from '../fixtures/claudeEnv';
import { bashBlock, claude, type ClaudeCtx, textBlock } from '../fixtures/bench/shapes';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

/** The version the bench compares against too (bench/main.ts). */
const CCUSAGE_VERSION = '18.0.11';

/** The pinned ccusage: the devDependency, else the copy the bench installs into .cache/bench-tools. */
function ccusageBin(): string {
  const roots = [path.join(REPO_ROOT, 'node_modules', 'ccusage'), path.join(REPO_ROOT, '.cache', 'bench-tools', 'node_modules', 'ccusage')];
  for (const root of roots) {
    const pkg = path.join(root, 'package.json');
    if (!fs.existsSync(pkg)) continue;
    const version = (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
    assert.equal(version, CCUSAGE_VERSION, `${root} is ccusage ${version}; this comparison is pinned to ${CCUSAGE_VERSION}`);
    return path.join(root, 'dist', 'index.js');
  }
  throw new Error(`ccusage ${CCUSAGE_VERSION} is not installed: it is a devDependency of this repository (npm install -D ccusage@${CCUSAGE_VERSION})`);
}

interface Day { date: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; totalTokens: number }

/** Numbers that look like a real day: distinct per message so a double count shows. */
let seq = 0;
const tokens = () => { seq++; return { input: 1_000 + seq * 7, output: 50 + seq * 3 }; };

interface Written { file: string; sessionId: string; cwd: string; lines: string[] }

function writeSession(projects: string, project: string, sessionId: string, turns: { at: string; messages: number }[]): Written {
  const cwd = `/home/dev/${project}`;
  const c: ClaudeCtx = { sessionId, cwd, promptId: '', parent: null, at: 0, n: 0 };
  const lines: string[] = [claude.attachment(c)];
  turns.forEach((turn, i) => {
    c.at = Date.parse(turn.at);
    c.promptId = `${sessionId.slice(0, 8)}-prompt-${i}`;
    lines.push(claude.user(c, `Turn ${i} of ${project}`));
    for (let m = 0; m < turn.messages; m++) {
      const id = `msg_${sessionId.slice(0, 8)}_${i}_${m}`;
      const t = tokens();
      // One API message, two or three lines (one per content block), each repeating its usage.
      lines.push(claude.assistant(c, id, textBlock(`Step ${m} of turn ${i}`), t));
      if (m % 2 === 0) lines.push(claude.assistant(c, id, textBlock('and more'), t));
      const tool = `toolu_${sessionId.slice(0, 8)}_${i}_${m}`;
      lines.push(claude.assistant(c, id, bashBlock(tool, 'npm test'), t));
      lines.push(claude.toolResult(c, tool, 'ok'));
    }
  });
  const dir = path.join(projects, `-home-dev-${project}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sessionId}.jsonl`);
  fs.writeFileSync(file, lines.join(''));
  return { file, sessionId, cwd, lines };
}

describe('usage report against ccusage (same Claude files)', function () {
  this.timeout(120_000);
  let t: TestEngine;
  let claudeHome: string;
  const mains: Written[] = [];
  const subagents: { parent: Written; file: string }[] = [];

  before(() => {
    claudeHome = tmpDir('fd-ccusage-');
    const projects = path.join(claudeHome, 'projects');
    mains.push(writeSession(projects, 'shop', '11111111-1111-4111-8111-111111111111', [
      { at: '2026-11-28T09:00:00.000Z', messages: 3 }, { at: '2026-11-28T23:59:59.500Z', messages: 4 }, { at: '2026-11-29T10:00:00.000Z', messages: 2 },
    ]));
    mains.push(writeSession(projects, 'api', '22222222-2222-4222-8222-222222222222', [
      { at: '2026-11-29T00:00:00.000Z', messages: 5 }, { at: '2026-11-30T16:30:00.000Z', messages: 6 },
    ]));
    mains.push(writeSession(projects, 'shop', '33333333-3333-4333-8333-333333333333', [{ at: '2026-11-30T08:00:00.000Z', messages: 4 }]));
    // A fork: a new session file that starts with the earlier lines of session 2 (same message and
    // request ids), then goes on with its own messages.
    const forkId = '44444444-4444-4444-8444-444444444444';
    const fork = writeSession(projects, 'api', forkId, [{ at: '2026-12-01T11:00:00.000Z', messages: 3 }]);
    const copied = mains[1].lines.slice(1, 20).map(l => {
      const line = JSON.parse(l) as { uuid: string; message: { content: unknown } };
      // New line uuids (tool ids too), the same API message ids and request ids.
      const content = JSON.parse(JSON.stringify(line.message.content).replace(/toolu_/g, 'toolu_fork_'));
      return JSON.stringify({ ...line, uuid: `f${line.uuid.slice(1)}`, sessionId: forkId, message: { ...line.message, content } }) + '\n';
    });
    fs.writeFileSync(fork.file, [fork.lines[0], ...copied, ...fork.lines.slice(1)].join(''));
    mains.push(fork);
    // A subagent of session 1: its own file under <session>/subagents/, sidechain lines.
    const sub = writeSession(projects, 'shop', '55555555-5555-4555-8555-555555555555', [{ at: '2026-11-28T09:05:00.000Z', messages: 3 }]);
    const subFile = path.join(projects, '-home-dev-shop', mains[0].sessionId, 'subagents', 'agent-a1b2c3.jsonl');
    fs.mkdirSync(path.dirname(subFile), { recursive: true });
    fs.writeFileSync(subFile, sub.lines.map(l => JSON.stringify({ ...JSON.parse(l), isSidechain: true, sessionId: mains[0].sessionId }) + '\n').join(''));
    fs.rmSync(sub.file);
    subagents.push({ parent: mains[0], file: subFile });

    // Flightdeck ingests them as the engine does live: each session's transcript through the tailer
    // (hooks name the file), the subagent's file when its SubagentStop hook reports it.
    t = makeEngine();
    const tailer = new TranscriptTailer({ engine: t.engine, store: t.store, clock: t.clock, log: () => {}, watch: false });
    const ids = new Map<string, string>();
    for (const w of mains) {
      const s = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: w.sessionId, cwd: w.cwd, sourcePath: w.file });
      ids.set(w.sessionId, s.id);
      tailer.follow(s.id, w.file);
    }
    for (const s of subagents) tailer.countSubagentUsage(ids.get(s.parent.sessionId)!, s.file);
    tailer.stop();
  });
  after(() => { t?.close(); cleanupTmpDirs(); });

  it('daily input, output, cache creation, cache read and total tokens are equal, day by day', () => {
    const ours = usageReport(t.store, { by: 'day', timezone: 'UTC' }).rows
      .map(d => ({ date: d.key!, input: d.input, output: d.output, cacheCreation: d.cacheCreation, cacheRead: d.cacheRead, total: d.total }));
    assert.deepEqual(ours.map(d => d.date), ['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'], 'the corpus spans four UTC days');
    const r = spawnSync(process.execPath, [ccusageBin(), 'daily', '--json', '--offline'], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: claudeHome, TZ: 'UTC' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, `ccusage failed: ${r.stderr}`);
    const theirs = (JSON.parse(r.stdout) as { daily: Day[] }).daily
      .map(d => ({ date: d.date, input: d.inputTokens, output: d.outputTokens, cacheCreation: d.cacheCreationTokens, cacheRead: d.cacheReadTokens, total: d.totalTokens }))
      .sort((a, b) => a.date.localeCompare(b.date));
    assert.deepEqual(ours, theirs);
  });
});
