// The benchmark corpus: Codex rollouts and Claude Code transcripts of a given total size, half each,
// with the line shapes of the real captures (test/fixtures/bench/shapes.ts), in two shapes:
// - large: fewer, longer sessions (20 KB – 4 MB) with long tool outputs (0.1–200 KB);
// - short: many sessions of ~200 short messages each (tool outputs 0.1–0.6 KB), the shape of a real
//   year of Claude history (~800 sessions × ~200 messages in 200 MB), where per-item cost dominates.
// Seeded, so the same size and shape give the same bytes; cached under .cache/bench/ (never committed)
// and reused when its manifest exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Rng, between, seededRng } from '../test/fixtures/bench/rng';
import { type ClaudeCtx, type CodexCtx, bashBlock, claude, codex, textBlock } from '../test/fixtures/bench/shapes';

export type CorpusShape = 'large' | 'short';

export interface Corpus {
  dir: string;
  shape?: CorpusShape;
  codexHome: string;
  /** CLAUDE_CONFIG_DIR: holds projects/<folder>/<session>.jsonl */
  claudeHome: string;
  codexFiles: string[];
  claudeFiles: string[];
  codexBytes: number;
  claudeBytes: number;
  lines: number;
}

const VERSION = 4;
const SEED = 9;
const PROJECTS = ['api-server', 'web-app', 'mobile', 'infra', 'data-pipeline', 'docs-site', 'cli-tools', 'billing'];
const WORDS = ('the a to of and in is for that with on this be it as are function return const value error test file '
  + 'module import export type interface class async await promise request response server client session token cache '
  + 'index query database schema migration handler route config build deploy lint format commit branch merge review '
  + 'refactor rename update delete create insert select where order limit offset page cursor stream buffer parse json '
  + 'yaml http https socket retry timeout backoff rate limiter login logout auth user account payment invoice order').split(' ');

function words(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rng() * WORDS.length)]);
  return out.join(' ');
}

/** A long tool output: compiler/test output lines, `bytes` long. */
function toolOutput(rng: Rng, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const l = rng() < 0.5
      ? `src/${words(rng, 1)}/${words(rng, 1)}_${between(rng, 1, 999)}.ts:${between(rng, 1, 900)}:${between(rng, 1, 80)} - warning: ${words(rng, 8)}`
      : `  ✓ ${words(rng, 6)} (${between(rng, 1, 400)} ms)`;
    lines.push(l);
    size += l.length + 1;
  }
  return lines.join('\n');
}

function outputSize(rng: Rng, shape: CorpusShape): number {
  if (shape === 'short') return between(rng, 100, 600);
  const r = rng();
  return r < 0.7 ? between(rng, 100, 2_000) : r < 0.95 ? between(rng, 2_000, 20_000) : between(rng, 20_000, 200_000);
}

function uuid(rng: Rng): string {
  const h = () => Math.floor(rng() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-7${h().slice(1)}-8${h().slice(1)}-${h()}${h()}${h()}`;
}

function codexSession(rng: Rng, file: string, target: number, project: string, at: number, shape: CorpusShape): { bytes: number; lines: number } {
  const c: CodexCtx = { threadId: path.basename(file, '.jsonl').slice(-36), cwd: `/home/dev/${project}`, turnId: '', ordinal: -1, at };
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let lines = 0;
  const put = (l: string) => { fs.writeSync(fd, l); bytes += Buffer.byteLength(l); lines++; };
  put(codex.meta(c));
  let input = 0;
  for (let turn = 0; bytes < target; turn++) {
    c.turnId = uuid(rng);
    put(codex.taskStarted(c));
    put(codex.turnContext(c));
    put(codex.user(c, `${words(rng, between(rng, 5, 40))} (turn ${turn})`));
    const steps = between(rng, 3, 12);
    for (let s = 0; s < steps && bytes < target; s++) {
      put(codex.reasoning(c, words(rng, between(rng, 10, 60))));
      // Many small messages: progress notes between tool calls.
      for (let k = between(rng, 1, 4); k > 0; k--) put(codex.agent(c, words(rng, between(rng, 4, 60))));
      if (rng() < 0.7) {
        const call = `call_${turn}_${s}`;
        const cmd = `npm run ${words(rng, 1)} -- --${words(rng, 1)}`;
        const out = toolOutput(rng, outputSize(rng, shape));
        put(codex.exec(c, call, cmd));
        put(codex.execOutput(c, call, out));
        put(codex.execDone(c, call, cmd, out));
      }
      input += between(rng, 2_000, 9_000);
      put(codex.tokens(c, input, input >> 4));
    }
    put(codex.agent(c, words(rng, between(rng, 20, 200))));
    put(codex.taskComplete(c));
  }
  fs.closeSync(fd);
  return { bytes, lines };
}

function claudeSession(rng: Rng, file: string, target: number, project: string, at: number, shape: CorpusShape): { bytes: number; lines: number } {
  // Line uuids random as Claude's: items keyed by them land all over the store's indexes, as on a user's machine.
  const c: ClaudeCtx = { sessionId: path.basename(file, '.jsonl'), cwd: `/home/dev/${project}`, promptId: '', parent: null, at, n: 0, rng };
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let lines = 0;
  const put = (l: string) => { fs.writeSync(fd, l); bytes += Buffer.byteLength(l); lines++; };
  put(claude.attachment(c));
  for (let turn = 0; bytes < target; turn++) {
    c.promptId = uuid(rng);
    put(claude.user(c, `${words(rng, between(rng, 5, 40))} (turn ${turn})`));
    const steps = between(rng, 3, 12);
    for (let s = 0; s < steps && bytes < target; s++) {
      const messageId = `msg_${uuid(rng).replace(/-/g, '')}`;
      const tokens = { input: between(rng, 1_000, 9_000), output: between(rng, 50, 900) };
      for (let k = between(rng, 1, 4); k > 0; k--) put(claude.assistant(c, messageId, textBlock(words(rng, between(rng, 4, 60))), tokens));
      if (rng() < 0.7) {
        const toolId = `toolu_${uuid(rng).replace(/-/g, '')}`;
        put(claude.assistant(c, messageId, bashBlock(toolId, `npm run ${words(rng, 1)}`), tokens));
        put(claude.toolResult(c, toolId, toolOutput(rng, outputSize(rng, shape))));
      }
    }
  }
  fs.closeSync(fd);
  return { bytes, lines };
}

/** Builds (or reuses) the corpus of about `totalBytes` and `shape` under `cacheDir`. */
export function ensureCorpus(cacheDir: string, totalBytes: number, log: (m: string) => void, shape: CorpusShape = 'large'): Corpus {
  const dir = path.join(cacheDir, `corpus-${Math.round(totalBytes / 1048576)}MB-v${VERSION}${shape === 'large' ? '' : `-${shape}`}`);
  const manifest = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8')) as Corpus;
  fs.rmSync(dir, { recursive: true, force: true });
  const rng = seededRng(shape === 'large' ? SEED : SEED + 1);
  const size = shape === 'large' ? sessionSize : shortSessionSize;
  const corpus: Corpus = {
    dir, shape, codexHome: path.join(dir, 'codex'), claudeHome: path.join(dir, 'claude'), codexFiles: [], claudeFiles: [], codexBytes: 0, claudeBytes: 0, lines: 0,
  };
  const half = totalBytes / 2;
  const t0 = Date.now();
  const base = Date.parse('2026-11-01T08:00:00.000Z');
  for (let i = 0; corpus.codexBytes < half; i++) {
    const day = String(1 + (i % 24)).padStart(2, '0');
    const file = path.join(corpus.codexHome, 'sessions', '2026', '11', day, `rollout-2026-11-${day}T10-00-00-${uuid(rng)}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const r = codexSession(rng, file, Math.min(half - corpus.codexBytes + 1, size(rng)), PROJECTS[i % PROJECTS.length], base + i * 3_600_000, shape);
    corpus.codexFiles.push(file);
    corpus.codexBytes += r.bytes;
    corpus.lines += r.lines;
  }
  for (let i = 0; corpus.claudeBytes < half; i++) {
    const project = PROJECTS[i % PROJECTS.length];
    const file = path.join(corpus.claudeHome, 'projects', `-home-dev-${project}`, `${uuid(rng)}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const r = claudeSession(rng, file, Math.min(half - corpus.claudeBytes + 1, size(rng)), project, base + i * 3_600_000, shape);
    corpus.claudeFiles.push(file);
    corpus.claudeBytes += r.bytes;
    corpus.lines += r.lines;
  }
  fs.writeFileSync(manifest, JSON.stringify(corpus));
  log(`corpus (${shape}): wrote ${corpus.codexFiles.length + corpus.claudeFiles.length} files, ${((corpus.codexBytes + corpus.claudeBytes) / 1048576).toFixed(0)} MB, ${corpus.lines} lines in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return corpus;
}

/** Session sizes: mostly small, some large (a long day of work), 20 KB – 4 MB. */
function sessionSize(rng: Rng): number {
  const r = rng();
  return r < 0.5 ? between(rng, 20_000, 200_000) : r < 0.9 ? between(rng, 200_000, 1_200_000) : between(rng, 1_200_000, 4_000_000);
}

/** The short shape: ~200 lines of ~1.2 KB each per session (150–350 KB). */
function shortSessionSize(rng: Rng): number {
  return between(rng, 150_000, 350_000);
}
