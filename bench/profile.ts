// Where a process spent its time: self time per function of a V8 .cpuprofile (node --cpu-prof, or
// Chromium's Profiler through CDP — the same format), for the benchmark report.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

/** Self time per function of a .cpuprofile, the top `top` of them, as "name (file:line) share%". */
export function profileSummary(fileOrProfile: string | object, top = 8): { line: string; idlePct: number } {
  const prof = (typeof fileOrProfile === 'string' ? JSON.parse(fs.readFileSync(fileOrProfile, 'utf8')) : fileOrProfile) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map(n => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const dt = prof.timeDeltas[i] ?? 0;
    if (!n) continue;
    total += dt;
    const f = n.callFrame;
    const file = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const idle = (self.get('(idle)') ?? 0) / total * 100;
  const busy = [...self].filter(([k]) => k !== '(idle)' && k !== '(program)').sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    idlePct: idle,
    line: busy.map(([k, v]) => `${k} ${(v / total * 100).toFixed(1)} %`).join('; '),
  };
}
