// The Sessions tree's History node over 10,000 past sessions (issue 14: "expanding a project node
// ≤ 50 ms"). A real store (the store's own schema, sessions written the way the importer leaves them:
// ended, reason `history`, a year of days over 40 projects, the biggest holding a quarter of them),
// a real engine and protocol connection (in-process transport, as the leading VS Code window uses),
// and the tree's own provider code (src/vscode/historyTree.ts) loaded against a stand-in `vscode`
// module. Measured in this process, each a median:
// - expand a project: HistorySection.children(project) + getTreeItem of each row (list_history_groups
//   round trip: request validated, answered from SQLite, serialized, delivered);
// - expand a day: the same for the day's first page (list_history_sessions, 100 sessions);
// - protocol round trip alone: the same requests through a bare ProtocolClient;
// - floor: the bare SQL of each (prepared statement, no JSON), on the same connection.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inProcessTransport } from '../src/engine/clients/inProcess';
import { attachReplay } from '../src/engine/clients/connection';
import { ProtocolClient } from '../src/engine/protocol';
import { systemClock } from '../src/engine/platform/clock';
import { SessionEngine } from '../src/engine/sessions/engine';
import { newSession } from '../src/engine/sessions/model';
import { openDatabase } from '../src/engine/store/driver';
import { openStore } from '../src/engine/store/sqliteStore';
import { installVscodeStandIn } from './activation';
import { median, ms, now } from './stats';

export interface HistoryTreeRun {
  sessions: number; projectSessions: number; days: number; pageRows: number;
  expandProjectMs: number; expandDayMs: number; rpcProjectMs: number; rpcDayMs: number; floorProjectMs: number; floorDayMs: number;
}

const PROJECTS = 40;
const DAY_MS = 86_400_000;

/** 10,000 past sessions: project-0 holds every 4th one, the rest spread over 39 projects; a year of days. */
function seed(file: string, sessions: number): void {
  openStore({ file, clock: systemClock }).close();
  const db = openDatabase(file);
  const insert = db.prepare('INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const end = Date.parse('2026-12-01T18:00:00.000Z');
  db.transaction(() => {
    for (let i = 0; i < sessions; i++) {
      const at = end - Math.floor((i / sessions) * 365 * DAY_MS);
      const project = i % 4 === 0 ? 0 : 1 + (i % (PROJECTS - 1));
      const s = newSession({
        id: `hist-${i}`, provider: i % 3 ? 'codex' : 'claude', mode: 'passive', providerSessionId: `thread-${i}`,
        cwd: `/home/dev/project-${project}`, firstPrompt: `past session ${i} of project ${project}`, createdAt: at - 600_000,
      }, at);
      const past = { ...s, status: 'ended' as const, workStatus: 'idle' as const, endedAt: new Date(at).toISOString(), endReason: 'history' };
      insert.run(s.id, s.provider, s.mode, s.providerSessionId, 'ended', s.lastActivityAt, JSON.stringify(past));
    }
  });
  db.exec('ANALYZE;');
  db.close();
}

export async function historyTreeRun(sessions = 10_000, repeats = 15): Promise<HistoryTreeRun> {
  installVscodeStandIn();
  // Loaded after the stand-in is in place: the tree's provider imports 'vscode'.
  const { HistorySection } = await import('../src/vscode/historyTree');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-tree-'));
  try {
    const file = path.join(dir, 'flightdeck.db');
    seed(file, sessions);
    const store = openStore({ file, clock: systemClock });
    const engine = new SessionEngine({ store, clock: systemClock });
    engine.start();
    const replay = attachReplay(engine);
    const connect = () => new ProtocolClient(inProcessTransport({ engine, replay, serverVersion: 'bench' }), 'b');
    const client = connect();
    const connection = { state: { kind: 'ready', client: connect() }, onDidChangeState: () => ({ dispose() {} }) };
    const log = { warn() {}, info() {}, error() {} };
    const section = new HistorySection(connection as never, { fsPath: '/', scheme: 'file', path: '/' } as never, log as never);
    await section.refresh();

    const cwd = '/home/dev/project-0';
    const projects = await section.children(section.root);
    const project = projects.find(n => n.kind === 'historyProject' && n.cwd === cwd)!;
    if (!project || project.kind !== 'historyProject') throw new Error('bench: project-0 not listed');
    const time = async (fn: () => Promise<unknown> | unknown) => {
      await fn(); // warm: prepared statements, JIT
      const out: number[] = [];
      for (let i = 0; i < repeats; i++) { const t = now(); await fn(); out.push(ms(t)); }
      return median(out);
    };
    let days: Awaited<ReturnType<typeof section.children>> = [];
    const expandProjectMs = await time(async () => { days = await section.children(project); for (const d of days) section.getTreeItem(d); });
    const day = days[0];
    if (!day || day.kind !== 'historyDay') throw new Error('bench: no day under project-0');
    let rows: Awaited<ReturnType<typeof section.children>> = [];
    const expandDayMs = await time(async () => { rows = await section.children(day); for (const r of rows) section.getTreeItem(r); });
    // A day of one project rarely holds 100 sessions; the page that shows the most is the project's whole list.
    const offset = -new Date().getTimezoneOffset();
    const rpcProjectMs = await time(() => client.request({ type: 'list_history_groups', scope: 'history', cwd, utcOffsetMinutes: offset }));
    const rpcDayMs = await time(() => client.request({ type: 'list_history_sessions', scope: 'history', cwd, day: day.day, utcOffsetMinutes: offset, limit: 100 }));

    const db = openDatabase(file);
    const mod = `${offset >= 0 ? '+' : ''}${offset} minutes`;
    const daysSql = db.prepare(`SELECT date(last_activity_at, ?) AS day, COUNT(*) AS n, MAX(last_activity_at) AS last FROM sessions
      WHERE status = 'ended' AND archived_at IS NULL AND cwd IS ? GROUP BY day ORDER BY day DESC`);
    const pageSql = db.prepare(`SELECT id, last_activity_at, data FROM sessions WHERE status = 'ended' AND archived_at IS NULL AND cwd IS ?
      AND last_activity_at >= ? AND last_activity_at < ? ORDER BY last_activity_at DESC, id DESC LIMIT 101`);
    const floorProjectMs = await time(() => daysSql.all(mod, cwd));
    const floorDayMs = await time(() => pageSql.all(cwd, `${day.day}T00:00:00.000Z`, `${day.day}T23:59:59.999Z`));
    db.close();
    section.dispose();
    engine.stop();
    store.close();
    return {
      sessions, projectSessions: project.count, days: days.length, pageRows: rows.length,
      expandProjectMs, expandDayMs, rpcProjectMs, rpcDayMs, floorProjectMs, floorDayMs,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
