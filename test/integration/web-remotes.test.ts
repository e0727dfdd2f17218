// The web client of an engine that joined two others (issue 20), in a real headless Chromium: three
// real `flightdeck serve` processes with their own data folders, homes and leader folders stand in
// for a laptop, a dev box and a build server (each seeded with its own sessions); the laptop's serve
// joins the other two with --remote and tokens from the environment. Its page lists every machine's
// sessions, a remote one with its host's name, the remote approval in the attention count; after
// kill -9 of the build server its live session is shown unreachable (own group, no message box).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { type HostProfile, seedHost } from '../helpers/seedHost';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { screenshotPath } from '../helpers/screenshots';

const WAIT = { timeout: 20_000 };

interface Machine { name: HostProfile; dir: string; serve: ServeProcess; url: string; httpUrl: string; token: string }

describe('web client of an engine that joined two remote engines (three serve processes, Chromium)', function () {
  this.timeout(120_000);
  const machines: Machine[] = [];
  let browser: Browser | undefined;

  async function machine(name: HostProfile, remotes: Machine[] = []): Promise<Machine> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fd-web-remotes-${name}-`));
    for (const d of ['codex-home', 'claude-home']) fs.mkdirSync(path.join(dir, d));
    await seedHost(path.join(dir, 'data'), name);
    const env: Record<string, string> = { FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), FLIGHTDECK_DATA_DIR: path.join(dir, 'data') };
    for (const r of remotes) env[`FLIGHTDECK_REMOTE_${r.name.toUpperCase()}_TOKEN`] = r.token;
    const serve = startServe([
      '--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex-home'), '--claude-home', path.join(dir, 'claude-home'),
      ...remotes.flatMap(r => ['--remote', `${r.name}=${r.url}`]),
    ], env);
    const m = await serve.waitForLine(/serving (\S+) \(WebSocket (ws:\/\/\S+)\)/, 30_000);
    const created: Machine = { name, dir, serve, httpUrl: m[1], url: m[2], token: fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim() };
    machines.push(created);
    return created;
  }

  after(async () => {
    await browser?.close();
    for (const m of machines) { m.serve.child.kill('SIGKILL'); await m.serve.exited; fs.rmSync(m.dir, { recursive: true, force: true }); }
  });

  it('lists the sessions of all three machines, remote ones with their host; a killed remote\'s live session turns unreachable', async () => {
    const devbox = await machine('devbox');
    const buildbox = await machine('buildbox');
    const laptop = await machine('laptop', [devbox, buildbox]);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', e => problems.push(e.message));
    await page.goto(`${laptop.httpUrl}#token=${laptop.token}`);
    // laptop 2 + devbox 2 + buildbox 2 (one ended).
    await page.waitForFunction(() => document.querySelectorAll('.live .row').length === 6, undefined, WAIT);
    const rows = await page.$$eval('.live .row', els => els.map(e => ({
      id: e.getAttribute('data-session') ?? '', host: e.querySelector('.host')?.textContent ?? null, title: e.querySelector('.title')?.textContent ?? '',
    })));
    const byHost = (h: string | null) => rows.filter(r => r.host === h).map(r => r.id.split('/')[0]).sort();
    assert.deepEqual(byHost(null).length, 2, 'this machine\'s sessions carry no host');
    assert.ok(byHost(null).every(id => !id.includes('/')));
    assert.deepEqual(byHost('devbox'), ['devbox', 'devbox']);
    assert.deepEqual(byHost('buildbox'), ['buildbox', 'buildbox']);
    // The dev box's approval comes first and is counted.
    assert.equal(rows[0].host, 'devbox');
    assert.equal(rows[0].title, 'Retry failed invoice webhooks with backoff');
    assert.equal(await page.textContent('.count'), '1');

    // The remote session's page names its machine in the header.
    await page.click(`.row[data-session="${rows[0].id}"]`);
    await page.waitForSelector('.session-title .host', WAIT);
    assert.equal(await page.textContent('.session-title .host'), 'devbox');
    await page.waitForSelector('.approval button[data-decision="approved"]', WAIT);
    await page.screenshot({ path: screenshotPath('web-three-hosts.png') });
    await page.goto(`${laptop.httpUrl}#/`);

    // The build server goes away: its live session is listed as unreachable, not ended, not working.
    buildbox.serve.child.kill('SIGKILL');
    await buildbox.serve.exited;
    await page.waitForSelector('.row .host.unreachable', WAIT);
    const sections = await page.$$eval('.live section', els => els.map(s => ({
      title: s.querySelector('h2')?.firstChild?.textContent ?? '', hosts: [...s.querySelectorAll('.row')].map(r => r.querySelector('.host')?.textContent ?? null),
    })));
    const unreachable = sections.find(s => s.title === 'Unreachable');
    assert.deepEqual(unreachable?.hosts, ['buildbox'], JSON.stringify(sections));
    assert.ok(sections.find(s => s.title === 'Ended')?.hosts.includes('buildbox'), 'its ended session stays ended');
    assert.equal(await page.textContent('.count'), '1', 'the dev box approval still counts');
    const lost = await page.$eval('.row .host.unreachable', e => e.closest('.row')!.getAttribute('data-session'));
    await page.click(`.row[data-session="${lost}"]`);
    await page.waitForSelector('.unreachable-note', WAIT);
    assert.match(await page.textContent('.unreachable-note') ?? '', /On buildbox, whose engine cannot be reached/);
    assert.equal(await page.$('.composer'), null, 'no message box for a session nobody can reach');
    await page.screenshot({ path: screenshotPath('web-remote-unreachable.png') });
    assert.deepEqual(problems, []);
    await context.close();
  });
});

// Browser globals of callbacks that run inside Chromium; the root tsconfig has no DOM lib.
declare const document: any;
