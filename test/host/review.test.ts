// Review comments in Flightdeck's diff editor (issue 18), in the real workbench: comments are added
// through the review comment controller's own commands (what the comment widget's Add Comment button
// runs; the typing and clicking itself is checked by the workbench UI checks in shots.cjs), Send to
// Agent sends them as one message naming file and line, and the panel receives the one review item.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerMessage, Session } from '../../src/engine/protocol';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { ProviderController } from '../../src/engine/sessions/provider';
import type { FlightdeckApi } from '../../src/extension';
import type { Outcome } from '../../src/vscode/commands';
import { activateFlightdeck, waitFor } from './helpers';

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);

suite('review comments back to the agent', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let session: Session;
  let cwd: string;
  const sent: string[] = [];

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-review-'));
    const file = path.join(cwd, 'src', 'limiter.ts');
    fs.mkdirSync(path.dirname(file));
    const after = Array.from({ length: 30 }, (_, i) => (i === 13 ? 'export const LIMIT = 100;' : `// line ${i + 1}`)).join('\n') + '\n';
    fs.writeFileSync(file, after);
    const diff = ['--- a/src/limiter.ts', '+++ b/src/limiter.ts', '@@ -13,3 +13,3 @@', ' // line 13', '-export const LIMIT = 50;', '+export const LIMIT = 100;', ' // line 15', ''].join('\n');
    session = engine.createSession({ provider: 'codex', mode: 'direct', cwd, firstPrompt: 'review me' });
    engine.appendMessage(session.id, { id: 'rev-change', kind: 'fileChange', text: '', createdAt: new Date().toISOString(), status: 'completed', changes: [{ path: file, kind: 'update', diff }] });
    // The agent's side: takes the message and echoes it back as a user item, as Codex does.
    const agent: ProviderController = {
      handles: s => s.id === session.id,
      async sendMessage(s, text) {
        sent.push(text);
        engine.appendMessage(s.id, { id: `rev-echo-${sent.length}`, kind: 'user', text, createdAt: new Date().toISOString() });
      },
    };
    engine.registerProvider(agent);
    // First in line: the Codex controller registered at start would claim this direct session.
    const controllers = (engine as unknown as { controllers: ProviderController[] }).controllers;
    controllers.unshift(controllers.pop()!);
    await waitFor('the session in the tree', () => !!api.tree.getSession(session.id));
  });

  suiteTeardown(async () => { await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  const addComment = async (uri: vscode.Uri, line: number, text: string) => {
    // What VS Code hands the Add Comment button: the thread the gutter's + opened, and the typed text.
    const thread = api.reviews.controller.createCommentThread(uri, new vscode.Range(line, 0, line, 0), []);
    await vscode.commands.executeCommand('flightdeck.reviewAddComment', { thread, text });
    return thread;
  };

  test('comments on both sides are sent as ONE message naming file and line; the panel gets one review item', async () => {
    const host = api.panels.open(session.id);
    const posts: { channel: string; message?: ServerMessage }[] = [];
    host.onDidPost(e => posts.push(e as { channel: string; message?: ServerMessage }));
    await waitFor('the page to subscribe', () => host.fromPage.some(m => m.type === 'subscribe_session'), 20_000);
    const o = await run('openDiff', session.id, 'rev-change', path.join(cwd, 'src', 'limiter.ts'));
    assert.ok(o.ok, JSON.stringify(o));
    const { before, after } = o.data as { before: string; after: string };
    const thread = await addComment(vscode.Uri.parse(after), 13, 'Keep 50 for anonymous callers');
    assert.strictEqual(thread.comments.length, 1, 'the comment is shown in its thread');
    await vscode.commands.executeCommand('flightdeck.reviewAddComment', { thread, text: 'and document the new limit' });
    await addComment(vscode.Uri.parse(before), 13, 'Why was 50 chosen before?');
    assert.deepStrictEqual(api.reviews.drafts(session.id), [
      { path: 'src/limiter.ts', line: 14, body: 'Keep 50 for anonymous callers' },
      { path: 'src/limiter.ts', line: 14, body: 'and document the new limit' },
      { path: 'src/limiter.ts', line: 14, side: 'original', body: 'Why was 50 chosen before?' },
    ]);

    const sentOutcome = await run('sendReview', thread);
    assert.ok(sentOutcome.ok, JSON.stringify(sentOutcome));
    assert.strictEqual(sent.length, 1, 'one message');
    assert.ok(sent[0].includes('- src/limiter.ts:14 — Keep 50 for anonymous callers'), sent[0]);
    assert.ok(sent[0].includes('- src/limiter.ts:14 (before the change) — Why was 50 chosen before?'), sent[0]);
    assert.deepStrictEqual(api.reviews.drafts(session.id), [], 'sent comments leave the editor');
    const item = await waitFor('the review item in the panel', () => posts.map(p => p.message).find(m => m?.type === 'message_appended' && m.message.review));
    assert.strictEqual(item.type === 'message_appended' && item.message.review?.length, 3);
    assert.strictEqual(posts.filter(p => p.message?.type === 'message_appended' && p.message.message.kind === 'user').length, 1, 'one item, no second copy');
  });

  test('a line the diff does not show cannot take a comment; nothing to send says so', async () => {
    const file = path.join(cwd, 'src', 'limiter.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('// line 15\n', '// line fifteen\n'));
    // The file changed since: the editor shows the changed lines only, with a marker for the rest.
    const o = await run('openDiff', session.id, 'rev-change', file);
    assert.strictEqual((o as { data: { source: string } }).data.source, 'changedSince');
    const after = vscode.Uri.parse((o as { data: { after: string } }).data.after);
    await addComment(after, 0, 'on the gap marker');
    assert.deepStrictEqual(api.reviews.drafts(session.id), [], 'the gap marker is no line of the file');
    await addComment(after, 2, 'on the changed line');
    assert.deepStrictEqual(api.reviews.drafts(session.id), [{ path: 'src/limiter.ts', line: 14, body: 'on the changed line' }], 'the file\'s line, not the editor\'s');
    api.reviews.clear(session.id);
    const none = await run('sendReview', session.id);
    assert.ok(!none.ok && none.code === 'nothing_pending', JSON.stringify(none));
  });
});
