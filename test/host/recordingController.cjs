// TEST ONLY. A provider controller for the UI tests: it "carries out" approval decisions by writing
// them to $FLIGHTDECK_TEST_DECISIONS (one JSON line each), so a Playwright driver outside the
// extension host can see what the engine received. Loaded by extension.ts only when
// FLIGHTDECK_TEST_CONTROLLER names this file (and by host tests); nothing ships or runs it otherwise.
const fs = require('node:fs');

exports.register = engine => {
  const file = process.env.FLIGHTDECK_TEST_DECISIONS;
  if (!file) throw new Error('FLIGHTDECK_TEST_DECISIONS is not set');
  const controller = {
    handles: () => true,
    async decideApproval(session, approval, decision) {
      fs.appendFileSync(file, `${JSON.stringify({ sessionId: session.id, approvalId: approval.approvalId, decision })}\n`);
    },
  };
  // First in line for decisions (the real providers registered at start would claim the seeded
  // sessions and try to reach agent processes that do not exist); every other operation still
  // goes to them, since this controller implements only decideApproval.
  const unregister = engine.registerProvider(controller);
  engine.controllers.unshift(engine.controllers.pop());
  return unregister;
};
