// Screenshot hook for scripts/screenshots.sh (run by vscode-host.sh after it clicked the Flightdeck
// container). Fails when the tree shows no sessions; writes $FLIGHTDECK_SHOT_FILE
// (docs/screenshots/sidebar.png): the sessions tree next to an opened session.
module.exports = async ({ page, shot, log, webview }) => {
  const sidebar = page.locator('.part.sidebar');
  // group rows are level 1, sessions level 2
  const sessions = sidebar.locator('.monaco-list-row[aria-level="2"]');
  await sessions.first().waitFor({ timeout: 30000 }).catch(() => {
    throw new Error('the Flightdeck tree shows no sessions (was the data dir seeded?)');
  });
  // widen the sidebar so descriptions ("needs approval · 2m") are not cut
  const box = await sidebar.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width + 1, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 250, box.y + 300, { steps: 8 });
    await page.mouse.up();
  }
  // show the ended sessions too (the group starts collapsed)
  await sidebar.locator('.monaco-list-row[aria-level="1"]', { hasText: 'Ended' }).first().click();
  await sidebar.locator('.monaco-list-row[aria-level="2"]', { hasText: 'getting-started' }).first().waitFor({ timeout: 10000 });
  const count = await sessions.count();
  const labels = await sessions.allInnerTexts();
  log(`tree shows ${count} session rows:`, labels.map(l => l.replace(/\s+/g, ' ')).join(' | '));
  if (count < 3) throw new Error(`expected the seeded sessions in the tree, found ${count} rows`);

  // open the session that waits for an approval: its transcript fills the editor area
  await sidebar.locator('.monaco-list-row', { hasText: 'Add rate limiting' }).first().click();
  await webview().locator('#title').waitFor({ timeout: 30000 });
  // select it, move the pointer away (no hover tooltip), and let the tab settle
  await page.mouse.move(1300, 880);
  await page.waitForTimeout(800);
  const file = process.env.FLIGHTDECK_SHOT_FILE;
  if (!file) throw new Error('FLIGHTDECK_SHOT_FILE is not set');
  await page.screenshot({ path: file });
  log(`saved ${file}`);
  await shot('session');

  // the hover of a row: provider, folder, model, tokens, context fill
  await sidebar.locator('.monaco-list-row', { hasText: 'Migrate the settings page' }).first().hover();
  await page.locator('.monaco-hover').first().waitFor({ timeout: 10000 }).catch(() => log('no hover appeared'));
  await page.waitForTimeout(500);
  await shot('tooltip');
};
