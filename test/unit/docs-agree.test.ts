// Docs and code agree (issue 15): every command and setting that README.md, docs/*.md, the
// walkthrough pages or the web client's login page name exists in package.json, and every
// user-facing command and setting is documented in README.md or docs/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const mdIn = (dir: string) => fs.readdirSync(path.join(ROOT, dir)).filter(f => f.endsWith('.md')).map(f => `${dir}/${f}`);

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[];
  menus?: { commandPalette?: { command: string; when?: string }[] };
}
const contributes = (JSON.parse(read('package.json')) as { contributes: Contributes }).contributes;
const commands = contributes.commands;
const settings = [contributes.configuration].flat().flatMap(c => Object.keys(c.properties));
/** Commands kept out of the palette (`when: false`) are internal: they need no documentation. */
const internal = new Set((contributes.menus?.commandPalette ?? []).filter(m => m.when === 'false').map(m => m.command));

/** "New Codex Session…" and "New Codex Session" are one title; case is not a difference. */
const norm = (title: string) => title.replace(/(…|\.\.\.)$/, '').trim().toLowerCase();
const titles = new Map(commands.map(c => [norm(c.title), c.command]));

/** Names of `flightdeck.*` that are neither commands nor settings: the extension id, the package, the subprotocol. */
const NOT_CONTRIBUTIONS = new Set(['flightdeck.flightdeck', 'flightdeck.vsix', 'flightdeck.v1']);

/** "Flightdeck: <Title>" as written in prose, up to the closing mark (*, **, quote, backtick, bracket) or the line's end. */
function commandMentions(text: string): string[] {
  return [...text.matchAll(/Flightdeck: ([A-Z][^*"“”`)\]\n]*)/g)].map(m => m[1].replace(/[.,;:]+$/, ''));
}

function idMentions(text: string): string[] {
  return [...text.matchAll(/\bflightdeck\.[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*/g)].map(m => m[0]);
}

describe('docs and code agree', () => {
  const docs = ['README.md', ...mdIn('docs'), ...mdIn('media/walkthrough')];
  // The web client's login page tells people which command to run.
  const sources = [...docs, 'web/views.ts'];

  it('every "Flightdeck: <command>" the docs and the login page name exists', () => {
    const missing: string[] = [];
    for (const file of sources) {
      for (const title of commandMentions(read(file))) {
        if (!titles.has(norm(title))) missing.push(`${file}: "Flightdeck: ${title}"`);
      }
    }
    assert.deepEqual(missing, [], `named in the docs, but no such command (titles: ${[...titles.keys()].join(', ')})`);
  });

  it('every flightdeck.* id the docs name is a command or a setting', () => {
    const known = new Set([...commands.map(c => c.command), ...settings, ...NOT_CONTRIBUTIONS]);
    const missing: string[] = [];
    for (const file of docs) {
      for (const id of idMentions(read(file))) if (!known.has(id)) missing.push(`${file}: ${id}`);
    }
    assert.deepEqual(missing, [], 'named in the docs, but no such command or setting');
  });

  it('every user-facing command and every setting is documented in README.md or docs/', () => {
    const text = ['README.md', ...mdIn('docs')].map(read).join('\n');
    const mentioned = new Set(commandMentions(text).map(norm));
    const ids = new Set(idMentions(text));
    const undocumented = [
      ...commands.filter(c => !internal.has(c.command) && !mentioned.has(norm(c.title)) && !ids.has(c.command))
        .map(c => `command "Flightdeck: ${c.title}" (${c.command})`),
      ...settings.filter(k => !ids.has(k)).map(k => `setting ${k}`),
    ];
    assert.deepEqual(undocumented, [], 'in package.json, but not in README.md or docs/');
  });

  // In code-server (and any remote window) machine-scoped settings are editable only under the
  // Settings editor's Remote tab: a user who searches the User tab finds the hub settings greyed out.
  it('the hub settings say they are under the Remote settings tab in remote windows, and so do the README and the walkthrough', () => {
    const props = Object.assign({}, ...[contributes.configuration].flat().map(c => c.properties)) as Record<string, { scope?: string; markdownDescription?: string }>;
    const silent = Object.entries(props)
      .filter(([k, v]) => k.startsWith('flightdeck.hub.') && v.scope === 'machine' && !/\*\*Remote\*\* tab/.test(v.markdownDescription ?? ''))
      .map(([k]) => k);
    assert.deepEqual(silent, [], 'hub settings whose description does not name the Remote tab');
    for (const file of ['README.md', 'media/walkthrough/hub.md']) assert.match(read(file), /code-server[^]{0,200}Remote\*{0,2}\s+tab/, file);
  });
});
