// UI checks and screenshots in the real workbench (code-server + Chromium), run by
// scripts/screenshots.sh through vscode-host.sh's screenshot hook against the seeded demo data.
// Checks: a session opens from the tree, its transcript shows the seeded items, "Open diff" opens
// VS Code's diff editor, clicking Approve on the card reaches the engine (the test-only recording
// provider writes $FLIGHTDECK_TEST_DECISIONS) and the card goes, HTML in agent text never runs, a review
// comment typed in the diff editor reaches the agent with Send to Agent (issue 18); last, a conflict
// between two sessions (radar) warns in the tree, the panel and one notification.
// Results go to $FLIGHTDECK_UI_RESULTS ({ passed, failed, failures }) for scripts/test-host.sh.
// Screenshots: $FLIGHTDECK_SHOT_FILE (docs/screenshots/sidebar.png) and vscode-*.png next to it.
const fs = require('node:fs');
const path = require('node:path');

const env = name => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };

module.exports = async ({ page, shot, log, webview }) => {
  page.setDefaultTimeout(30000);
  const sidebarFile = env('FLIGHTDECK_SHOT_FILE');
  const decisionsFile = env('FLIGHTDECK_TEST_DECISIONS');
  const resultsFile = env('FLIGHTDECK_UI_RESULTS');
  const docsDir = path.dirname(sidebarFile);
  const results = { passed: 0, failed: 0, failures: [] };
  const check = async (name, body) => {
    try { await body(); results.passed++; log(`ok: ${name}`); } catch (e) {
      results.failed++; results.failures.push(`${name}: ${e.message}`); log(`FAILED: ${name}: ${e.stack ?? e}`);
      await shot(`failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
    }
  };
  /** Clicks a tree row until `opened` shows: a click that lands while the tree re-renders selects the row without opening it. */
  const openFromTree = async (row, opened) => {
    for (let attempt = 1; ; attempt++) {
      await row.click();
      try { await opened.waitFor({ timeout: 10000 }); return; } catch (e) { if (attempt === 3) throw e; log(`no panel after click ${attempt}, clicking again`); }
    }
  };
  const save = async file => {
    await page.mouse.move(1300, 890); // no hover tooltip in the picture
    await page.screenshot({ path: file });
    log(`saved ${file}`);
  };
  const runCommand = async label => {
    // F1 inside a webview stays in its iframe: give the workbench (the sidebar's title) the focus first
    await page.locator('.part.sidebar .composite.title').first().click();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${label}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor();
    await page.keyboard.press('Enter');
  };
  /**
   * Opens a quick input with `open` and waits for `ready` (its own waits at most 5 s). A quick input can
   * close again right after it opens (a webview that finishes loading takes the focus, and a quick input
   * closes on blur; its rows then stay in the DOM, hidden): open it again, up to three times.
   */
  const openReopening = async (open, ready) => {
    for (let attempt = 1; ; attempt++) {
      await open();
      try {
        await ready();
        return;
      } catch (e) {
        if (attempt === 3) throw e;
        log(`the quick input did not show (attempt ${attempt}: ${String(e.message).split('\n')[0]}); opening it again`);
        await page.keyboard.press('Escape');
      }
    }
  };
  /** Opens a quick input with `open` and types `text` into `input`, opening it again if it closes. */
  const fillReopening = (open, input, text) => openReopening(open, async () => {
    await input.waitFor({ timeout: 5000 });
    await input.fill(text, { timeout: 5000 });
  });
  const setTheme = async theme => {
    const applied = page.locator(`.monaco-workbench.${theme.includes('Light') ? 'vs' : 'vs-dark'}`);
    // The whole pick is retried, not only the opening: under load the picker can also close without
    // taking the theme (it reverts its preview when it loses focus; the clean-clone run once waited
    // 30 s for a dark workbench that never came).
    await openReopening(async () => {
      // the theme picker (Ctrl+K Ctrl+T), with the workbench focused (keys inside a webview stay there)
      await page.locator('.part.sidebar .composite.title').first().click();
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+T');
    }, async () => {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 5000 });
      await input.fill(theme, { timeout: 5000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      await applied.waitFor({ timeout: 10000 });
    });
  };
  const closeDiff = async () => {
    await page.locator('.tab', { hasText: '(Flightdeck:' }).first().locator('.action-label.codicon-close').click();
    await page.locator('.tab', { hasText: '(Flightdeck:' }).first().waitFor({ state: 'detached' });
  };
  const sidebar = page.locator('.part.sidebar');
  const sessions = sidebar.locator('.monaco-list-row[aria-level="2"]'); // group rows are level 1
  const card = () => webview().locator('.approval-card');
  const openDiff = async file => {
    await webview().locator('.file-change .file-row', { hasText: file }).locator('button.open-diff').click();
    await page.locator('.tab', { hasText: `${file} (Flightdeck:` }).first().waitFor();
    await page.locator('.monaco-diff-editor .editor.modified .view-line', { hasText: 'apiKeyLimiter' }).first().waitFor();
  };

  await sessions.first().waitFor({ timeout: 30000 }).catch(() => {
    throw new Error('the Flightdeck tree shows no sessions (was the data dir seeded?)');
  });
  // widen the sidebar so descriptions ("needs approval · 2m") are not cut
  const box = await sidebar.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width + 1, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 160, box.y + 300, { steps: 8 });
    await page.mouse.up();
  }
  await sidebar.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Ended' }).first().click();
  await sidebar.locator('.monaco-list-row[aria-level="2"]', { hasText: 'getting-started' }).first().waitFor({ timeout: 10000 });
  const labels = await sessions.allInnerTexts();
  log(`tree shows ${labels.length} session rows:`, labels.map(l => l.replace(/\s+/g, ' ')).join(' | '));
  if (labels.length < 3) throw new Error(`expected the seeded sessions in the tree, found ${labels.length} rows`);

  await check('a click on a tree row opens the session panel', async () => {
    await sidebar.locator('.monaco-list-row', { hasText: 'Add rate limiting' }).first().click();
    await webview().locator('.session-name', { hasText: 'Add rate limiting' }).waitFor({ timeout: 30000 });
  });
  await check('the transcript renders the seeded items and the pending approval card', async () => {
    for (const text of ['100 requests per minute per API key', 'sliding-window limiter', 'Edited 2 files', 'src/rateLimit.ts']) {
      await webview().getByText(text).first().waitFor({ timeout: 15000 });
    }
    await card().getByText('pnpm add express-rate-limit').waitFor();
    await card().locator('button[data-decision="approved"]').waitFor();
  });
  await save(sidebarFile);
  await save(path.join(docsDir, 'vscode-approval-dark.png'));

  await check('"Open diff" on a file change opens VS Code\'s diff editor', () => openDiff('server.ts'));
  await save(path.join(docsDir, 'vscode-diff-dark.png'));
  await closeDiff();
  await card().waitFor();

  await check('the light theme reaches the panel (theme variables)', async () => {
    await setTheme('Light Modern');
    await webview().locator('html').evaluate(() => new Promise((resolve, reject) => {
      // the webview's <html> carries VS Code's theme kind class; wait for the light one
      const deadline = Date.now() + 10000;
      const poll = () => document.body.classList.contains('vscode-light') ? resolve(true)
        : Date.now() > deadline ? reject(new Error(`body classes: ${document.body.className}`)) : setTimeout(poll, 50);
      poll();
    }));
  });
  await check('light theme screenshots of the panel and the diff editor', async () => {
    await card().waitFor();
    await save(path.join(docsDir, 'vscode-approval-light.png'));
    await openDiff('server.ts');
    await save(path.join(docsDir, 'vscode-diff-light.png'));
    await closeDiff();
    await setTheme('Dark Modern');
    await card().waitFor();
  });

  await check('clicking Approve on the card reaches the engine as "approved" and the card goes', async () => {
    // the recording provider is registered by the extension-host entry (test/host/shotsEntry.ts)
    for (const deadline = Date.now() + 30000; !fs.existsSync(`${decisionsFile}.ready`);) {
      if (Date.now() > deadline) throw new Error('the recording provider was never registered (shotsEntry.js)');
      await page.waitForTimeout(100);
    }
    await card().locator('button[data-decision="approved"]').click();
    const deadline = Date.now() + 15000;
    for (;;) {
      const lines = fs.existsSync(decisionsFile) ? fs.readFileSync(decisionsFile, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
      if (lines.some(d => d.approvalId === 'demo-ap1' && d.decision === 'approved')) break;
      if (Date.now() > deadline) throw new Error(`no "approved" decision recorded (recorded: ${JSON.stringify(lines)})`);
      await new Promise(r => setTimeout(r, 100));
    }
    await card().waitFor({ state: 'detached', timeout: 15000 });
  });

  await check('HTML and scripts in agent text do not run in the panel', async () => {
    // the approval moved its session to "Working": let the tree settle before clicking a row
    await sidebar.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Working' }).first().waitFor();
    const agentText = webview().locator('.msg.agent', { hasText: 'raw HTML as text' });
    await openFromTree(sidebar.locator('.monaco-list-row', { hasText: 'getting-started' }).first(), agentText);
    const seen = await agentText.evaluate(el => ({
      flag: window.__flightdeckXss, text: el.textContent,
      imgs: el.querySelectorAll('img').length, scripts: el.querySelectorAll('script').length,
      handlers: [...el.querySelectorAll('*')].filter(n => [...n.attributes].some(a => a.name.startsWith('on'))).length,
    }));
    if (seen.flag !== undefined) throw new Error(`a payload ran: window.__flightdeckXss = ${seen.flag}`);
    if (seen.imgs || seen.scripts || seen.handlers) throw new Error(`elements from agent text in the DOM: ${JSON.stringify(seen)}`);
    if (!seen.text.includes('<img src=x onerror=') || !seen.text.includes('<script>')) throw new Error(`the HTML is not shown as text: ${seen.text}`);
  });

  await check('a search hit opens its session scrolled to the hit', async () => {
    // The pick searches as you type; its rows are the hits (snippet, then agent · project · time). It
    // can close right after it opens, as the theme picker can (seen once in a clean clone).
    await fillReopening(() => runCommand('Flightdeck: Search Transcripts'),
      page.locator('.quick-input-widget input[placeholder^="Words to find"]'), 'sliding');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sliding' }).first().click();
    const hit = webview().locator('.msg.agent', { hasText: 'sliding-window limiter' });
    await webview().locator('.session-name', { hasText: 'Add rate limiting' }).waitFor();
    await hit.waitFor();
    // in view: the transcript sticks to the bottom otherwise, where this early item is out of sight
    await hit.evaluate(el => new Promise((resolve, reject) => {
      const scroller = el.closest('.transcript');
      const deadline = Date.now() + 10000;
      const poll = () => {
        const r = el.getBoundingClientRect(), v = scroller.getBoundingClientRect();
        if (r.top >= v.top - 1 && r.top < v.bottom) resolve(true);
        else if (Date.now() > deadline) reject(new Error(`hit at ${r.top}, transcript ${v.top}..${v.bottom}`));
        else setTimeout(poll, 50);
      };
      poll();
    }));
    await save(path.join(docsDir, 'vscode-search-hit.png'));
  });

  const recorded = () => fs.existsSync(decisionsFile) ? fs.readFileSync(decisionsFile, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : [];
  const waitRecorded = async (what, match) => {
    const deadline = Date.now() + 15000;
    while (!recorded().some(match)) {
      if (Date.now() > deadline) throw new Error(`${what} not recorded (recorded: ${JSON.stringify(recorded())})`);
      await new Promise(r => setTimeout(r, 100));
    }
    return recorded().find(match);
  };
  const quickInput = page.locator('.quick-input-widget');
  const quickRow = text => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  // The New Codex Session steps keep their pick open when the focus leaves (ignoreFocusOut), and a
  // panel whose webview finishes loading takes the focus: a key pressed then goes to the webview and
  // the step stays (seen in a clean-clone run). So the checks click rows, and press keys on the input
  // itself (Playwright focuses it first), never on whatever has the focus.
  /** Accepts the step's default: its active row. */
  const pickDefault = () => page.locator('.quick-input-list .monaco-list-row.focused').first().click();
  /** Types `text` into the step's input box and submits it. */
  const submitInput = async text => {
    const input = quickInput.locator('input');
    await input.fill(text);
    await input.press('Enter');
  };

  await check('the view\'s + with a session selected walks folder, autonomy, model, effort and prompt, and opens the panel', async () => {
    // a selected session row is what VS Code passes to a view-title command: it must not become the folder
    await sidebar.locator('.monaco-list-row', { hasText: 'Orders status enum migration' }).first().click();
    await webview().locator('.session-name', { hasText: 'Orders status enum migration' }).waitFor();
    await sidebar.hover();
    await sidebar.locator('a.action-label[aria-label^="New Codex Session"]').first().click();
    await quickInput.filter({ hasText: 'New Codex Session' }).waitFor();
    await quickRow('Browse').waitFor();
    await pickDefault(); // the workspace folder
    // A folder in git (this checkout) is offered "In a new worktree" too: stay in the folder (the
    // default), never making worktrees of the repository under test.
    await quickRow('In a new worktree').or(quickRow('Full Access')).first().waitFor();
    if (await quickRow('In a new worktree').isVisible()) {
      if (!await quickRow('In this folder').isVisible()) throw new Error('the where step offers no "In this folder"');
      await quickRow('In this folder').click();
    }
    await quickRow('Full Access').waitFor();
    await quickRow('Auto Edit').waitFor();
    await pickDefault(); // Auto Edit
    await quickRow('GPT-5 mini').waitFor();
    await save(path.join(docsDir, 'vscode-model-picker.png'));
    await pickDefault(); // GPT-5 Codex
    await quickRow('Thinks longer').waitFor();
    await quickInput.locator('input').fill('high');
    await quickRow('high').click();
    const title = await quickInput.locator('.quick-input-title', { hasText: 'New Codex session in' }).textContent({ timeout: 10000 });
    if (!/New Codex session in \//.test(title ?? '') || /object/.test(title ?? '')) throw new Error(`prompt box title: ${title}`);
    await submitInput('Add a health endpoint');
    const created = await waitRecorded('the create_session', e => e.create);
    const want = { autonomy: 'autoEdit', model: 'gpt-5-codex', effort: 'high', prompt: 'Add a health endpoint' };
    for (const [k, v] of Object.entries(want)) if (created.create[k] !== v) throw new Error(`create_session ${k}: ${created.create[k]} (all: ${JSON.stringify(created.create)})`);
    if (typeof created.create.cwd !== 'string' || !created.create.cwd.startsWith('/')) throw new Error(`cwd: ${JSON.stringify(created.create.cwd)}`);
    await webview().locator('.session-name', { hasText: 'Add a health endpoint' }).waitFor();
    // the header offers the model and effort chosen, and changes them mid-session
    await webview().locator('.model-choice select').focus(); // the list is asked for when the user reaches for it
    await webview().locator('.model-choice option[value="gpt-5-mini"]').waitFor({ state: 'attached' });
    await webview().locator('.effort-choice select').waitFor();
    const effort = await webview().locator('.effort-choice select').inputValue();
    if (effort !== 'high') throw new Error(`header effort: ${effort}`);
    await webview().locator('.model-choice select').selectOption('gpt-5-mini');
    await waitRecorded('the model change', e => e.config?.model === 'gpt-5-mini');
    await webview().locator('.effort-choice').waitFor({ state: 'detached' });
  });

  await check('palette Approve on a panel with nothing pending offers the pending approvals and what each allows', async () => {
    await webview().locator('.session-name', { hasText: 'Add a health endpoint' }).waitFor();
    // the new session's panel is the active editor, and it has nothing pending
    // the panel just created can still be loading: its webview takes the focus and the pick closes
    const row = quickRow('retry.ts');
    await openReopening(() => runCommand('Flightdeck: Approve'), async () => {
      await quickInput.filter({ hasText: 'which request' }).waitFor({ timeout: 5000 });
      await row.waitFor({ timeout: 5000 });
    });
    const text = await row.innerText();
    if (!/Change 1 file/.test(text) || !/Retry failed invoice webhooks/.test(text)) throw new Error(`picker row: ${text}`);
    await row.click();
    await waitRecorded('the approval of demo-ap2', e => e.approvalId === 'demo-ap2' && e.decision === 'approved');
  });

  await check('a session in a git worktree shows its branch and worktree in its row and its panel header', async () => {
    const row = sidebar.locator('.monaco-list-row', { hasText: 'Orders status enum migration' }).first();
    await row.locator('.label-description', { hasText: '⎇ orders-status-enum · worktree' }).waitFor();
    await row.click();
    await webview().locator('.session-name', { hasText: 'Orders status enum migration' }).waitFor();
    const chip = webview().locator('.session-header .branch.worktree');
    await chip.waitFor();
    const text = (await chip.textContent()).trim();
    if (text !== '⎇ orders-status-enum · worktree') throw new Error(`header chip: ${text}`);
    await save(path.join(docsDir, 'vscode-worktree.png'));
  });

  await check('History (the last node of the Sessions tree) expands project, then day, by clicks; a past session opens scrolled to the end', async () => {
    await sidebar.locator('.monaco-list-row[aria-level="1"]', { hasText: 'History' }).first().click();
    const project = sidebar.locator('.monaco-list-row[aria-level="2"]', { hasText: 'docs-site' }).first();
    await project.click();
    const day = sidebar.locator('.monaco-list-row[aria-level="3"]').first();
    await day.click();
    const past = sidebar.locator('.monaco-list-row[aria-level="4"]', { hasText: 'getting-started guide' }).first();
    await past.click();
    await webview().locator('.session-name', { hasText: 'getting-started guide' }).waitFor({ timeout: 30000 });
    await webview().locator('.transcript').evaluate(s => new Promise((resolve, reject) => {
      const deadline = Date.now() + 10000;
      const poll = () => {
        const gap = s.scrollHeight - s.scrollTop - s.clientHeight;
        if (gap <= 2) resolve(true);
        else if (Date.now() > deadline) reject(new Error(`the transcript stopped ${gap} px above its end`));
        else setTimeout(poll, 50);
      };
      poll();
    }));
    await save(path.join(docsDir, 'vscode-history.png'));
  });

  await check('the usage report opens with its chart and tables, readable in dark and light', async () => {
    await runCommand('Flightdeck: Show Usage Report');
    const usage = () => webview().locator('table.usage-table');
    await usage().waitFor({ timeout: 30000 });
    const bars = await webview().locator('svg.bars rect').count();
    if (bars < 20) throw new Error(`expected the seeded 30 days as bars, found ${bars} rects`);
    await webview().locator('.usage-table tfoot td', { hasText: 'Total' }).waitFor();
    await save(path.join(docsDir, 'vscode-usage-dark.png'));
    await webview().locator('button.tab[data-tab="model"]').click();
    await webview().locator('.usage-table td.name', { hasText: 'claude-opus-4-1' }).waitFor();
    await webview().locator('button.tab[data-tab="day"]').click();
    await setTheme('Light Modern');
    await usage().waitFor();
    await save(path.join(docsDir, 'vscode-usage-light.png'));
    await setTheme('Dark Modern');
  });

  await check('a review comment typed in the diff editor goes to the agent with Send to Agent, and the panel shows the review', async () => {
    const row = sidebar.locator('.monaco-list-row', { hasText: 'Add rate limiting' }).first();
    for (let attempt = 1; ; attempt++) {
      // a click that lands while the tree re-renders selects the row without opening it: click again
      await row.click();
      try { await webview().locator('.session-name', { hasText: 'Add rate limiting' }).waitFor({ timeout: 10000 }); break; } catch (e) { if (attempt === 3) throw e; }
    }
    await openDiff('server.ts');
    // As a user: the cursor on the changed line, then Comments: Add Comment on Current Selection (F1).
    const line = page.locator('.monaco-diff-editor .editor.modified .view-line', { hasText: 'apiKeyLimiter, v1Router' }).first();
    await line.click();
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Add Comment on Current Selection');
    await quickRow('Add Comment on Current Selection').waitFor();
    await page.keyboard.press('Enter');
    const widget = page.locator('.review-widget').first();
    await widget.locator('.comment-form .monaco-editor').first().waitFor();
    await widget.locator('.comment-form .monaco-editor').first().click();
    await page.keyboard.type('Only /v1 is limited here: the /health route should stay open.');
    await widget.getByRole('button', { name: 'Add Comment' }).first().click();
    await widget.locator('.review-comment', { hasText: 'should stay open' }).first().waitFor();
    await save(path.join(docsDir, 'vscode-review-comment.png'));
    await page.locator('.editor-actions a.action-label[aria-label^="Send to Agent"]').first().click();
    const sent = await waitRecorded('the review message', e => e.send && e.send.text.includes('should stay open'));
    if (!sent.send.text.includes('- src/server.ts:17 — Only /v1 is limited here')) throw new Error(`the message names no file:line: ${sent.send.text}`);
    await widget.waitFor({ state: 'detached', timeout: 10000 });
    await closeDiff();
    const card = webview().locator('.review-card', { hasText: 'src/server.ts:17' });
    await card.waitFor({ timeout: 15000 });
    const head = await card.locator('.review-head').textContent();
    if (head !== 'Review · 1 comment') throw new Error(`review card head: ${head}`);
  });

  await check('New Codex Session in a new worktree: the where step, the branch proposed from the prompt, git worktree add, the session starts there', async () => {
    fs.writeFileSync(`${decisionsFile}.worktree`, 'go\n');
    await quickRow('In a new worktree').waitFor({ timeout: 30000 });
    const repo = fs.readFileSync(`${decisionsFile}.worktree-repo`, 'utf8');
    await quickRow('In a new worktree').click();
    await quickRow('Auto Edit').waitFor();
    await pickDefault();
    await quickRow('GPT-5 mini').waitFor();
    await pickDefault();
    await quickRow('Thinks longer').waitFor();
    await pickDefault();
    await quickInput.locator('.quick-input-title', { hasText: 'New Codex session in' }).waitFor();
    await submitInput('Fix the login redirect');
    await quickInput.locator('.quick-input-title', { hasText: 'in a new worktree' }).waitFor();
    const input = quickInput.locator('input');
    const deadline = Date.now() + 10000;
    while ((await input.inputValue()) !== 'fix-the-login-redirect') {
      if (Date.now() > deadline) throw new Error(`proposed branch: ${await input.inputValue()}`);
      await new Promise(r => setTimeout(r, 100));
    }
    await input.press('Enter');
    // Under load an Enter pressed while the input re-renders can be lost (the full suite failed here
    // once with the branch step still open): press again only if that step is still showing.
    const branchStep = quickInput.locator('.quick-input-title', { hasText: 'in a new worktree' });
    if (await branchStep.waitFor({ state: 'hidden', timeout: 3000 }).then(() => false, () => true)) await input.press('Enter');
    const wt = path.join(path.dirname(repo), 'acme-web-worktrees', 'fix-the-login-redirect');
    const created = await waitRecorded('the create_session in the worktree', e => e.create && e.create.cwd === wt);
    if (created.create.prompt !== 'Fix the login redirect') throw new Error(`create: ${JSON.stringify(created.create)}`);
    if (!fs.existsSync(path.join(wt, 'README.md'))) throw new Error(`no worktree checked out at ${wt}`);
    const head = fs.readFileSync(path.join(repo, '.git', 'worktrees', 'fix-the-login-redirect', 'HEAD'), 'utf8').trim();
    if (head !== 'ref: refs/heads/fix-the-login-redirect') throw new Error(`worktree HEAD: ${head}`);
    await webview().locator('.session-header .branch.worktree', { hasText: 'fix-the-login-redirect' }).waitFor();
  });

  await check('a conflict (radar): the tree row warns, the panel shows the banner, one notification names the other session', async () => {
    fs.writeFileSync(`${decisionsFile}.conflict`, 'go\n');
    const row = sidebar.locator('.monaco-list-row', { hasText: 'Add request logging' }).first();
    await row.locator('.codicon-warning').waitFor({ timeout: 30000 });
    await sidebar.locator('.monaco-list-row', { hasText: 'Refactor the auth middleware' }).first().locator('.codicon-warning').waitFor();
    // The row's description changes as the radar and the engine update it (a clean clone's click once selected it without opening it).
    await openFromTree(row, webview().locator('.session-name', { hasText: 'Add request logging' }));
    await webview().locator('.banner.conflict', { hasText: '“Refactor the auth middleware” also edits src/server.ts' }).waitFor();
    // The toast may have timed out into the notification center by now: show the center, where it stays.
    await runCommand('Notifications: Show Notifications');
    const entry = page.locator('.notifications-center .notification-list-item', { hasText: 'also edits src/server.ts' });
    await entry.first().waitFor();
    await entry.first().getByText('Open Other Session').waitFor();
    if (await entry.count() !== 1) throw new Error(`expected one conflict notification, found ${await entry.count()}`);
    await save(path.join(docsDir, 'vscode-conflict.png'));
  });

  fs.writeFileSync(resultsFile, JSON.stringify(results));
  log(`UI checks: ${results.passed} passed, ${results.failed} failed`);
  if (results.failed) throw new Error(`UI checks failed:\n${results.failures.join('\n')}`);
};
