// The hooks installer on real settings files in a temp Claude home: fresh install, merge with the
// user's own hooks and settings, idempotence, exact uninstall, and a broken file left untouched.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HOOK_EVENTS } from '../../src/engine/claude/hookPayload';
import {
  ClaudeSettingsError, buildHookCommand, installClaudeHooks, installedHookCount, uninstallClaudeHooks,
} from '../../src/engine/claude/installer';

const USER_SETTINGS = {
  model: 'opus',
  permissions: { allow: ['Bash(ls:*)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'my-linter --check', timeout: 5 }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
    FileChanged: [{ matcher: 'notes.txt', hooks: [{ type: 'command', command: 'echo changed' }] }],
  },
};

describe('claude hooks installer', () => {
  let dir: string;
  let claudeHome: string;
  let settingsFile: string;
  const hookCommand = buildHookCommand({ hookScript: "/opt/flight deck/dist/hook.js", dataDir: "/home/u/.flightdeck's data" });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-installer-'));
    claudeHome = path.join(dir, '.claude');
    settingsFile = path.join(claudeHome, 'settings.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = () => JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  const writeUser = (v: unknown) => { fs.mkdirSync(claudeHome, { recursive: true }); fs.writeFileSync(settingsFile, JSON.stringify(v, null, 4), { mode: 0o640 }); };

  it('fresh: creates settings.json with one command hook per event, mode 0600, valid JSON', () => {
    const r = installClaudeHooks({ claudeHome, hookCommand });
    assert.equal(r.changed, true);
    assert.equal(r.backupFile, null);
    assert.equal(r.hooks, HOOK_EVENTS.length);
    const s = read();
    assert.deepEqual(Object.keys(s.hooks).sort(), [...HOOK_EVENTS].sort());
    for (const e of HOOK_EVENTS) {
      // MessageDisplay (the reply's text as it is written) only reports: Claude must not wait for it.
      const extra = e === 'MessageDisplay' ? { async: true } : {};
      assert.deepEqual(s.hooks[e], [{ matcher: '*', hooks: [{ type: 'command', command: hookCommand, timeout: e === 'PermissionRequest' ? 660 : 10, ...extra }] }]);
    }
    assert.ok(HOOK_EVENTS.includes('MessageDisplay'), 'live text needs the MessageDisplay hook');
    assert.equal(fs.statSync(settingsFile).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(claudeHome), ['settings.json'], 'no temp file left behind');
    // The quoting survives the shell Claude runs hooks with: the paths come back whole.
    const argv = execFileSync('bash', ['-c', hookCommand.replace(/^node /, `printf '%s\\n' `)], { encoding: 'utf8' });
    assert.deepEqual(argv.split('\n').slice(0, 3), ['/opt/flight deck/dist/hook.js', '--flightdeck-hook', "/home/u/.flightdeck's data"]);
    assert.equal(hookCommand, `node '/opt/flight deck/dist/hook.js' --flightdeck-hook '/home/u/.flightdeck'\\''s data'`);
    assert.equal(
      buildHookCommand({ hookScript: '/x/hook.js', dataDir: '/d', nodePath: '/usr/share/code/code', electronRunAsNode: true }),
      `ELECTRON_RUN_AS_NODE=1 '/usr/share/code/code' '/x/hook.js' --flightdeck-hook '/d'`,
    );
  });

  it("keeps the user's own hooks and settings, adds ours after them, and writes a backup", () => {
    writeUser(USER_SETTINGS);
    const before = fs.readFileSync(settingsFile, 'utf8');
    const r = installClaudeHooks({ claudeHome, hookCommand, permissionTimeoutSec: 1200 });
    assert.equal(fs.readFileSync(r.backupFile!, 'utf8'), before);
    const s = read();
    assert.equal(s.model, 'opus');
    assert.deepEqual(s.permissions, USER_SETTINGS.permissions);
    assert.deepEqual(s.hooks.FileChanged, USER_SETTINGS.hooks.FileChanged);
    assert.deepEqual(s.hooks.PreToolUse[0], USER_SETTINGS.hooks.PreToolUse[0]);
    assert.equal(s.hooks.PreToolUse[1].hooks[0].command, hookCommand);
    assert.deepEqual(s.hooks.Stop[0], USER_SETTINGS.hooks.Stop[0]);
    assert.equal(s.hooks.PermissionRequest[0].hooks[0].timeout, 1200);
    installClaudeHooks({ claudeHome, hookCommand, approvalTimeoutMs: 30 * 60_000 });
    assert.equal(read().hooks.PermissionRequest[0].hooks[0].timeout, 1860, "Claude's timeout stays above the engine's wait");
    assert.equal(fs.statSync(settingsFile).mode & 0o777, 0o640, 'the file keeps its mode');
  });

  it('is idempotent: a second install changes nothing; a new hook path replaces the old entries', () => {
    writeUser(USER_SETTINGS);
    installClaudeHooks({ claudeHome, hookCommand });
    const once = fs.readFileSync(settingsFile, 'utf8');
    const again = installClaudeHooks({ claudeHome, hookCommand });
    assert.equal(again.changed, false);
    assert.equal(fs.readFileSync(settingsFile, 'utf8'), once);
    const moved = buildHookCommand({ hookScript: '/new/version/dist/hook.js', dataDir: '/d' });
    installClaudeHooks({ claudeHome, hookCommand: moved });
    const s = read();
    assert.equal(installedHookCount({ claudeHome }), HOOK_EVENTS.length);
    assert.equal(s.hooks.PreToolUse.length, 2);
    assert.equal(s.hooks.PreToolUse[1].hooks[0].command, moved);
  });

  it('uninstall removes exactly its own entries and restores the user file', () => {
    writeUser(USER_SETTINGS);
    installClaudeHooks({ claudeHome, hookCommand });
    // A group the user made that mixes their hook and ours: only ours goes.
    const s = read();
    s.hooks.Notification[0].hooks.unshift({ type: 'command', command: 'say hi' });
    fs.writeFileSync(settingsFile, JSON.stringify(s));
    const r = uninstallClaudeHooks({ claudeHome });
    assert.equal(r.changed, true);
    assert.deepEqual(read(), {
      ...USER_SETTINGS,
      hooks: { ...USER_SETTINGS.hooks, Notification: [{ matcher: '*', hooks: [{ type: 'command', command: 'say hi' }] }] },
    });
    assert.equal(installedHookCount({ claudeHome }), 0);
    assert.equal(uninstallClaudeHooks({ claudeHome }).changed, false);
  });

  it('uninstall after a fresh install leaves no hooks key at all', () => {
    installClaudeHooks({ claudeHome, hookCommand });
    uninstallClaudeHooks({ claudeHome });
    assert.deepEqual(read(), {});
  });

  it('a settings file that is not valid JSON is left untouched with a clear error', () => {
    fs.mkdirSync(claudeHome, { recursive: true });
    const broken = '{ "model": "opus", "hooks": { ,,, }\n';
    fs.writeFileSync(settingsFile, broken);
    assert.throws(() => installClaudeHooks({ claudeHome, hookCommand }), (e: unknown) =>
      e instanceof ClaudeSettingsError && /not valid JSON/.test(e.message) && /left untouched/.test(e.message) && e.file === settingsFile);
    assert.throws(() => uninstallClaudeHooks({ claudeHome }), ClaudeSettingsError);
    assert.equal(fs.readFileSync(settingsFile, 'utf8'), broken);
    assert.deepEqual(fs.readdirSync(claudeHome), ['settings.json'], 'no backup or temp file written');
  });

  it('refuses settings whose hooks key is not an object, and commands without the marker', () => {
    writeUser({ hooks: ['nope'] });
    assert.throws(() => installClaudeHooks({ claudeHome, hookCommand }), /"hooks" .* is not an object/);
    assert.throws(() => installClaudeHooks({ claudeHome, hookCommand: 'node /x/hook.js' }), /must contain --flightdeck-hook/);
  });
});
