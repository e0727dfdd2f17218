// TEST ONLY. A provider controller for the UI tests: it "carries out" approval decisions by writing
// them to $FLIGHTDECK_TEST_DECISIONS (one JSON line each), so a Playwright driver outside the
// extension host can see what the engine received. Registered by the test host's own entries
// (shotsEntry.ts for the screenshot run, and host tests); the shipped extension never loads it.
const fs = require('node:fs');

exports.register = engine => {
  const file = process.env.FLIGHTDECK_TEST_DECISIONS;
  if (!file) throw new Error('FLIGHTDECK_TEST_DECISIONS is not set');
  const record = entry => fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
  const controller = {
    handles: () => true,
    // create_session and list_models of Codex come here too, so the New Codex Session flow can be
    // clicked through without an app-server (the real one is tested in test/integration).
    provider: 'codex',
    async decideApproval(session, approval, decision) {
      record({ sessionId: session.id, approvalId: approval.approvalId, decision });
    },
    async listModels() {
      return [
        { id: 'gpt-5-codex', displayName: 'GPT-5 Codex', description: 'Tuned for coding', isDefault: true, efforts: [
          { effort: 'low', description: 'Fast answers' }, { effort: 'medium', description: 'Balanced' }, { effort: 'high', description: 'Thinks longer' },
        ], defaultEffort: 'medium' },
        { id: 'gpt-5-mini', displayName: 'GPT-5 mini', description: 'Small and quick', efforts: [], defaultEffort: null },
      ];
    },
    async createSession(req) {
      record({ create: req });
      const s = engine.createSession({
        provider: 'codex', mode: 'direct', cwd: req.cwd, model: req.model ?? null, autonomy: req.autonomy ?? null,
        reasoningEffort: req.effort ?? null, firstPrompt: req.prompt ?? null,
      });
      if (req.prompt) engine.appendMessage(s.id, { id: `${s.id}-prompt`, kind: 'user', text: req.prompt, createdAt: new Date().toISOString() });
      return engine.requireSession(s.id);
    },
    // A message (a review sent with Send to Agent): recorded, and echoed back as its user item, as Codex does.
    async sendMessage(session, text) {
      record({ send: { sessionId: session.id, text } });
      engine.appendMessage(session.id, { id: `${session.id}-sent-${Date.now()}`, kind: 'user', text, createdAt: new Date().toISOString() });
    },
    async updateConfig(session, change) {
      record({ config: change });
      engine.apply(session.id, { type: 'metadata', ...(change.model ? { model: change.model } : {}), ...(change.effort ? { reasoningEffort: change.effort } : {}) });
    },
  };
  // First in line for decisions (the real providers registered at start would claim the seeded
  // sessions and try to reach agent processes that do not exist); every other operation still
  // goes to them, since this controller implements only decisions, Codex creation,
  // its model list, messages and config changes.
  const unregister = engine.registerProvider(controller);
  engine.controllers.unshift(engine.controllers.pop());
  return unregister;
};
