import * as assert from 'node:assert/strict';
import { BOOTSTRAP_MARKERS, displayNameOf, isBootstrapPayload, nameFromPrompt, promptToName } from '../../src/engine/sessions/naming';

describe('naming (SPEC §3)', () => {
  it('keeps exactly the seven bootstrap markers', () => {
    assert.equal(BOOTSTRAP_MARKERS.length, 7);
  });

  const bootstrap = [
    '<environment_context>\n  <cwd>/w</cwd>\n</environment_context>',
    '<permissions instructions>Filesystem sandboxing…</permissions instructions>',
    '<collaboration_mode>plan</collaboration_mode>',
    '<skill>\n<name>x</name></skill>',
    '<turn_aborted>\nThe user interrupted…</turn_aborted>',
    'The user interrupted the previous turn on purpose. Any running tools were stopped.',
    '# AGENTS.md instructions for /work/project\n\n<INSTRUCTIONS>be nice</INSTRUCTIONS>',
  ];
  for (const text of bootstrap) {
    it(`never names a session from bootstrap: ${text.slice(0, 30).replace(/\n/g, ' ')}…`, () => {
      assert.equal(isBootstrapPayload(text), true);
      assert.equal(nameFromPrompt(text), null);
    });
  }

  it('matches markers case-insensitively', () => {
    assert.equal(isBootstrapPayload('<ENVIRONMENT_CONTEXT>'), true);
    assert.equal(isBootstrapPayload('# agents.MD Instructions For /x'), true);
  });

  it('collapses whitespace and trims', () => {
    assert.equal(promptToName('  fix\tthe \n\n bug   now '), 'fix the bug now');
  });

  it('cuts to 72 characters plus an ellipsis, and not at 72 exactly', () => {
    const exactly = 'a'.repeat(72);
    assert.equal(promptToName(exactly), exactly);
    const long = 'b'.repeat(73);
    assert.equal(promptToName(long), 'b'.repeat(72) + '…');
    assert.equal(Array.from(promptToName('x'.repeat(500))).length, 73);
  });

  it('counts characters, not UTF-16 units, when cutting', () => {
    const emoji = '🚀'.repeat(80);
    const name = promptToName(emoji);
    assert.equal(Array.from(name).length, 73);
    assert.ok(name.startsWith('🚀'.repeat(72)));
  });

  it('blank prompts give no name', () => {
    assert.equal(nameFromPrompt('   \n\t '), null);
    assert.equal(nameFromPrompt(''), null);
    assert.equal(nameFromPrompt(null), null);
  });

  it('customName > firstPrompt > projectName', () => {
    assert.equal(displayNameOf({ customName: 'Mine', firstPrompt: 'fix bug', projectName: 'proj' }), 'Mine');
    assert.equal(displayNameOf({ customName: null, firstPrompt: 'fix bug', projectName: 'proj' }), 'fix bug');
    assert.equal(displayNameOf({ customName: '  ', firstPrompt: 'fix bug', projectName: 'proj' }), 'fix bug');
    assert.equal(displayNameOf({ customName: null, firstPrompt: null, projectName: 'proj' }), 'proj');
  });
});
