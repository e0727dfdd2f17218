// docs/protocol.md and docs/protocol.schema.json are generated from the zod schemas; this fails when
// the committed files drift from the code (fix: npm run docs:protocol), and when an example in the
// docs is not a message the hub would accept or send.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientMessage, ServerMessage } from '../../src/engine/protocol';
import { DOCS, protocolJsonSchema, renderProtocolMarkdown, renderSchemaFile } from '../../scripts/gen-protocol-docs';
import { clientExamples, serverExamples } from '../../scripts/gen-protocol-examples';

const ROOT = path.resolve(__dirname, '../../..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

describe('protocol docs (drift)', () => {
  it('docs/protocol.schema.json matches the zod schemas (npm run docs:protocol)', () => {
    assert.equal(read(DOCS.schema), renderSchemaFile(), 'docs/protocol.schema.json is stale: run npm run docs:protocol');
  });

  it('docs/protocol.md matches the schemas and its generator (npm run docs:protocol)', () => {
    assert.equal(read(DOCS.markdown), renderProtocolMarkdown(), 'docs/protocol.md is stale: run npm run docs:protocol');
  });

  it('documents every message type, each with an example the schemas accept', () => {
    const md = read(DOCS.markdown);
    for (const o of ClientMessage.options) {
      const t = o.shape.type.value;
      assert.ok(md.includes(`### \`${t}\``), `client message ${t} is documented`);
      assert.deepEqual(ClientMessage.parse(clientExamples[t]), clientExamples[t], `example of ${t} is valid`);
    }
    for (const o of ServerMessage.options) {
      const t = o.shape.type.value;
      assert.ok(md.includes(`### \`${t}\``), `server message ${t} is documented`);
      assert.deepEqual(ServerMessage.parse(serverExamples[t]), serverExamples[t], `example of ${t} is valid`);
    }
  });

  it('the JSON Schema has one definition per message type', () => {
    const defs = protocolJsonSchema().$defs as Record<string, { oneOf?: unknown[]; anyOf?: unknown[] }>;
    assert.equal((defs.ClientMessage.oneOf ?? defs.ClientMessage.anyOf)?.length, ClientMessage.options.length);
    assert.equal((defs.ServerMessage.oneOf ?? defs.ServerMessage.anyOf)?.length, ServerMessage.options.length);
  });
});
