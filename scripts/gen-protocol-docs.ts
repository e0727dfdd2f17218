// Generates docs/protocol.schema.json (JSON Schema of every message, from the zod schemas) and
// docs/protocol.md (prose kept here + a reference generated from the same schemas, with examples).
// Run: npm run docs:protocol. test/unit/hub-protocol-docs.test.ts regenerates both in memory and
// fails when the committed files differ.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import {
  ApprovalDecision, Autonomy, ClientMessage, WireErrorCode, FileChange, Message, MessageKind, MessageStatus, ModelInfo,
  PROTOCOL_VERSION, PendingApproval, PendingQuestion, PlanStep, Provider, ReviewComment, RateLimitWindow, RateLimits, SearchHit,
  ServerMessage, Session, SessionChanges, Timestamp, TokenUsage, UsageReport, UsageRow, UsageTotals, WorkStatus,
} from '../src/engine/protocol';
import { clientExamples, serverExamples } from './gen-protocol-examples';

type Json = { [k: string]: unknown };

/** Shared shapes get their own definition (and a section in the docs); messages refer to them. */
const SHARED: [string, z.ZodType][] = [
  ['Session', Session], ['SessionChanges', SessionChanges], ['Message', Message], ['PendingApproval', PendingApproval],
  ['PendingQuestion', PendingQuestion], ['TokenUsage', TokenUsage], ['RateLimits', RateLimits], ['RateLimitWindow', RateLimitWindow],
  ['FileChange', FileChange], ['PlanStep', PlanStep], ['ReviewComment', ReviewComment], ['ModelInfo', ModelInfo], ['SearchHit', SearchHit],
  ['Provider', Provider], ['Autonomy', Autonomy], ['ApprovalDecision', ApprovalDecision], ['WorkStatus', WorkStatus],
  ['MessageKind', MessageKind], ['MessageStatus', MessageStatus], ['Timestamp', Timestamp],
  ['UsageReport', UsageReport], ['UsageRow', UsageRow], ['UsageTotals', UsageTotals],
];

export function protocolJsonSchema(): Json {
  const reg = z.registry<{ id: string }>();
  for (const [id, schema] of SHARED) reg.add(schema, { id });
  reg.add(ClientMessage, { id: 'ClientMessage' });
  reg.add(ServerMessage, { id: 'ServerMessage' });
  // io 'input': what the hub accepts; unknown properties are ignored rather than refused.
  const { schemas } = z.toJSONSchema(reg, { uri: id => `#/$defs/${id}`, io: 'input', unrepresentable: 'any' });
  const defs: Json = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Json;
    defs[id] = rest;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://flightdeck.dev/protocol.schema.json',
    title: `Flightdeck hub protocol, version ${PROTOCOL_VERSION}`,
    description: 'Every WebSocket text frame is one JSON object: a ClientMessage (client to hub) or a ServerMessage (hub to client). Generated from the zod schemas in src/engine/protocol; see docs/protocol.md.',
    protocolVersion: PROTOCOL_VERSION,
    anyOf: [{ $ref: '#/$defs/ClientMessage' }, { $ref: '#/$defs/ServerMessage' }],
    $defs: defs,
  };
}

export function renderSchemaFile(): string {
  return JSON.stringify(protocolJsonSchema(), null, 2) + '\n';
}

// ---- markdown ------------------------------------------------------------------------------------

const anchor = (id: string) => id.toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-');

function typeOf(s: Json): string {
  if (typeof s.$ref === 'string') {
    const id = s.$ref.replace('#/$defs/', '');
    return `[${id}](#${anchor(id)})`;
  }
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map(v => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join(' \\| ');
  if (Array.isArray(s.oneOf)) return (s.oneOf as Json[]).map(typeOf).join(' \\| ');
  if (Array.isArray(s.type)) return (s.type as string[]).join(' \\| ');
  if (s.type === 'array') return `${typeOf((s.items ?? {}) as Json)}[]`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
    return `{ [key]: ${typeOf(s.additionalProperties as Json)} }`;
  }
  if (s.type === 'object') return 'object';
  if (typeof s.type === 'string') return s.type;
  return 'any JSON';
}

function limits(s: Json): string {
  const out: string[] = [];
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push(`min length ${s.minLength}`);
  if (typeof s.maxLength === 'number') out.push(`max length ${s.maxLength}`);
  if (typeof s.minimum === 'number' && s.minimum > -1e15) out.push(`≥ ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') out.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number' && s.maximum < 1e15) out.push(`≤ ${s.maximum}`);
  if (typeof s.pattern === 'string') out.push(`pattern \`${s.pattern}\``);
  return out.join(', ');
}

/** What a field means, where its name alone does not say it. */
const FIELD_NOTES: Record<string, string> = {
  type: 'The message type.',
  requestId: 'Yours to choose; echoed in the answer (result, error or the requested data).',
  sessionId: 'Flightdeck\'s own session id (`Session.id`).',
  revision: 'The session revision after this event (or of this snapshot / list).',
  listRevision: 'The session-list revision after this event.',
  sinceRevision: 'The last session revision you applied: the hub replays what you missed, or sends a fresh snapshot.',
  protocolVersion: `Protocol version; this document describes version ${PROTOCOL_VERSION}.`,
  beforeSeq: 'Page the messages with `seq` below this (default: the newest).',
  limit: 'How many (messages: default 50, at most 200).',
  messageId: 'The `Message.id` to fetch whole.',
  approvalId: 'The `PendingApproval.approvalId` you decide on.',
  version: 'The `PendingApproval.version` you saw; a decision on an older version is refused (`stale_approval`).',
  decision: 'Only decisions listed in the approval\'s `options` are accepted.',
  questionId: 'The `PendingQuestion.questionId` (not a tool call id).',
  answers: 'Per question id: the chosen option label(s) or free text.',
  changes: 'Only the fields that changed: a missing key is unchanged, `null` is cleared.',
  hasMore: 'Older messages exist: page them with `load_messages`.',
  force: 'Take over even if another writer seems to hold the thread.',
  planMode: 'Codex plan mode on or off (the agent plans and may ask questions); absent: unchanged.',
  capabilities: 'Optional features this hub offers.',
  serverVersion: 'Flightdeck version of the hub.',
  degraded: 'Set when full-text search is unavailable and a slower substring match was used.',
  reason: 'Why (free text, e.g. `user`, `timeout`, `slow_client`).',
  code: 'A stable error code (see Errors).',
  message: 'For people; do not parse it.',
  client: 'Your client\'s name and version, for the hub\'s log.',
  data: 'Operation-specific details (for `subscribe_session` with replay: `{ replayed, revision }`).',
  part: 'This page of a long list (from 0); absent when the list is one message.',
  parts: 'How many pages the list has; the last one carries the `requestId`.',
};

/** Notes on fields of the shared types, by type. */
const TYPE_NOTES: Record<string, Record<string, string>> = {
  Session: {
    id: 'Flightdeck\'s own id, stable across restarts.',
    mode: '`direct`: Flightdeck drives the agent. `passive`: watched, started elsewhere (read-only until taken over).',
    providerSessionId: 'Codex thread id / Claude session id.',
    status: 'Lifecycle: active or ended.',
    workStatus: 'What the agent is doing; `needsApproval` / `needsAnswer` mean the user is needed.',
    customName: 'Set by a rename; wins over firstPrompt.',
    firstPrompt: 'The first real prompt, whitespace collapsed, cut at 72 characters plus “…”.',
    displayName: 'What to show: customName ?? firstPrompt ?? projectName.',
    autonomy: 'Suggest / Auto Edit / Full Auto / Full Access (SPEC §4).',
    planMode: 'Codex plan mode; absent until it was changed.',
    contextFill: 'Input tokens of the last turn ÷ context window, 0..1.',
    pendingApprovals: 'Approvals waiting for a decision, oldest first.',
    pendingApproval: 'The head of pendingApprovals, or null.',
    pendingQuestion: 'A question the agent asked, or null.',
    currentTurnId: 'The running turn, or null.',
    turnDiff: 'Every file changed in the current turn.',
    plan: 'The agent\'s plan for the current turn.',
    sourcePath: 'The file Flightdeck reads this session from (rollout / transcript), when known.',
    conflicts: 'Other live sessions that touched the same files in the same checkout in the last hour (see Conflict radar); absent or null: none.',
    endReason: 'Why it ended: `user`, `timeout`, `startup_stale_passive`, `startup_empty_shell`, ….',
    revision: 'Grows with every event about the session.',
  },
  Message: {
    id: 'Unique and stable across restarts.',
    seq: 'Order within the session.',
    text: 'Text of the item (agent markdown, user prompt, …); for streaming items, the whole text so far.',
    status: 'For tools and commands: running, done, failed, …',
    exitCode: 'Exit code of a command.',
    isError: 'The tool reported an error.',
    review: 'On a user item that is a review sent with send_review: its comments; `text` is the message the agent got.',
    truncated: 'Some field was cut at 16,000 characters; get_message returns the whole item.',
  },
  PendingApproval: {
    approvalId: 'What approve_tool names.',
    version: 'Bumped when the approval is re-issued; send it with your decision.',
    itemId: 'The transcript item this approval is about, when there is one.',
    options: 'The decisions this approval accepts (approved_always only when offered).',
  },
  PendingQuestion: { questionId: 'What answer_question names.' },
  TokenUsage: { lastTurnInput: 'Input tokens of the last turn: the numerator of context fill.', input: 'Cumulative.', output: 'Cumulative.', cached: 'Cumulative.' },
  FileChange: { diff: 'Unified diff of this file.' },
  ReviewComment: {
    path: 'The file, relative to the session\'s cwd (absolute when outside it).',
    line: '1-based line on that side of the diff.',
    side: '`modified` (the file after the change, the default) or `original` (before it).',
  },
};

function fieldTable(s: Json, notes: Record<string, string> = FIELD_NOTES): string {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  const rows = Object.entries(props).map(([name, p]) => {
    const note = [notes[name], limits(p)].filter(Boolean).join(' ');
    return `| \`${name}\` | ${typeOf(p)} | ${required.has(name) ? 'yes' : ''} | ${note} |`;
  });
  return ['| Field | Type | Required | Notes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const CLIENT_ABOUT: Record<ClientMessage['type'], string> = {
  hello: 'Opens the conversation; answered with `welcome`. Send it first.',
  ping: 'Application-level liveness check; answered with `pong`. (The hub also sends WebSocket pings.)',
  subscribe_list: 'Follow the session list: answered with `sessions_list`, then `session_created`, `session_delta`, `session_ended` and `session_removed` for every session.',
  unsubscribe_list: 'Stop following the list; answered with `result`.',
  subscribe_session: 'Follow one session: answered with `session_snapshot`, or, with `sinceRevision` inside the replay buffer, with the missed events followed by `result` (`data: { replayed, revision }`). Afterwards every event of the session arrives.',
  unsubscribe_session: 'Stop following one session (really: no further events for it); answered with `result`.',
  load_messages: 'A page of older transcript; answered with `messages_page`.',
  get_message: 'One transcript item with no field cut; answered with `message`.',
  create_session: 'Start a new direct session; answered with `result` carrying the new `sessionId`. With `worktree`, the engine first runs `git worktree add -b <branch> <folder> <base>` in `cwd`\'s repository and starts the session there (in `cwd`\'s place inside the new worktree); `error` `bad_request` when `cwd` is not in git or the branch name is invalid, `conflict` when the branch or folder exists, `provider_error` with git\'s words when git fails or is missing.',
  propose_worktree: 'A new worktree\'s branch name for a prompt (a slug of it, unique among the repository\'s branches and the folders beside them) and its default folder (`<repo>/../<repo name>-worktrees/<branch>`, or under `parentDir`); answered with `worktree_proposal`, `error` `bad_request` when `cwd` is not in git.',
  worktree_changes: 'The files a session\'s worktree changed against its base (the merge base of `HEAD` and the base it was made from): committed, uncommitted and untracked; answered with `worktree_changes`.',
  worktree_base_file: 'One file\'s text at that merge base (`null`: the file is not there); answered with `worktree_base_file`.',
  remove_worktree: '`git worktree remove` of the session\'s worktree; the branch stays, and the session\'s `worktree` is cleared. Answered with `result`; `error` `conflict` while the session is working or the worktree has uncommitted changes, unless `force`.',
  send_review: 'Send review comments (file relative to the session\'s cwd, 1-based line, side `modified` (default) or `original`, text) as ONE message to the agent, like `send_message` (a new turn, or a steer while one runs). The agent\'s echo of it is the one user item of the transcript, with `review` holding the comments. Passive sessions answer `not_supported`: take them over first. Answered with `result`.',
  send_message: 'Send a prompt. While a turn is running this steers it (Codex `turn/steer`); otherwise it starts a turn. Answered with `result`.',
  approve_tool: 'Decide on the pending approval; answered with `result`, or `error` `stale_approval` when it was already decided (by anyone), withdrawn or re-issued.',
  answer_question: 'Answer the agent\'s pending question; answered with `result`.',
  interrupt_session: 'Stop the running turn; answered with `result`.',
  end_session: 'End the session (for direct sessions the agent process stops); answered with `result`.',
  update_session_config: 'Change autonomy (see SPEC §4 for its mapping) and/or model; answered with `result`.',
  rename_session: 'Set `customName` (an empty name clears it); answered with `result`.',
  resume_session: 'Resume an ended direct session; answered with `result`.',
  takeover_session: 'Turn a passive Codex session (started in a terminal) into a direct one you can drive; answered with `result`.',
  list_models: 'The models a provider offers; answered with `models_list`.',
  search: 'Full-text search over every transcript (live, past and archived sessions of both agents), newest hits first, the last word also as a prefix; `filters` narrow it by agent, project (`cwd`), date range and role (`prompts`: the user\'s prompts, `replies`: agent replies, `commands`). Answered with `search_results`.',
  list_history_groups: 'Past sessions (SPEC §11), which never join `sessions_list`: without `cwd`, the projects (cwd) with counts; with `cwd` (`null`: sessions without a folder), that project\'s days in the client\'s time zone (`utcOffsetMinutes`). `scope` `archived` lists archived sessions instead. Answered with `history_groups`.',
  list_history_sessions: 'One page (default 100, at most 200) of a project\'s past sessions, of one `day` when given, newest first; pass the answer\'s `nextCursor` as `cursor` for the next page. Answered with `history_sessions`. A past session opens with `subscribe_session` like any other and joins the list when it changes (resumed, its file grows).',
  archive_session: 'Archive an ended session (`archived: false` un-archives it): hidden from the list and History, still found by `search`. List subscribers get `session_removed`. Answered with `result`; `error` `conflict` while the session is active.',
  delete_session: 'Delete an ended session and its items from the store; every list subscriber gets `session_removed`. Answered with `result`; `error` `conflict` while the session is active.',
  usage_report: 'Tokens and estimated cost per `day` (default), `project`, `model` or `session`, for the days `since`..`until` (both included, in `timezone`, default the engine machine\'s); answered with `usage`.',
  import_history: 'Start the history import (every past Codex rollout and Claude transcript, SPEC §11), or join the one running; answered at once with `result` (`data`: the progress so far); `import_progress` follows.',
  cancel_import: 'Stop the running history import at its next commit (it goes on from there next time); answered with `result` (`data: { cancelled }`).',
  list_remotes: 'The remote engines this engine joined (name, URL, connection state, why not connected, how many sessions); answered with `remotes_list`. Empty for an engine that joined with `hello.peer`.',
};

const SERVER_ABOUT: Record<ServerMessage['type'], string> = {
  welcome: 'Answer to `hello`.',
  worktree_proposal: 'Answer to `propose_worktree`.',
  worktree_changes: 'Answer to `worktree_changes`: `files` with paths relative to `worktreePath`.',
  worktree_base_file: 'Answer to `worktree_base_file`.',
  pong: 'Answer to `ping`.',
  remotes_list: 'The answer to `list_remotes`; also sent, without `requestId`, to every list subscriber when a remote is added, removed, or changes state (`connecting`, `connected`, `unreachable`, `unauthorized`).',
  import_progress: 'Progress of the history import, to every client a few times a second while it runs; the last one has `phase: "done"` and the summary `counts`.',
  sessions_list: 'Answer to `subscribe_list`: every session the engine holds, most recent first. More than 200 sessions come in pages of 200, all of one `revision`: `part` 0 … `parts` − 1, in order, the `requestId` on the last; events that happen meanwhile follow the last page. Replace your list when the last page arrived.',
  session_snapshot: 'Answer to `subscribe_session`: the whole session and its last 200 messages (long fields cut).',
  session_delta: 'A session changed. Sent to list subscribers and to subscribers of the session.',
  session_created: 'A new session (list subscribers).',
  session_removed: 'A session is gone from the list (list subscribers): deleted, archived, or pruned by the retention setting.',
  session_ended: 'A session ended, with its reason (list and session subscribers). The state change itself is in the `session_delta` of the same revision.',
  message_appended: 'A new transcript item (session subscribers).',
  message_updated: 'A transcript item changed (session subscribers): `message` holds its `id` and the changed fields. Streaming text arrives this way, at most every 50 ms per session, and `text` is always the whole text so far, never an increment.',
  approval_requested: 'An approval is pending (session subscribers). The queue itself is in the `session_delta` of the same revision.',
  tokens_updated: 'Token usage changed (session subscribers); also in the `session_delta` of the same revision.',
  messages_page: 'Answer to `load_messages`.',
  message: 'Answer to `get_message`: the item whole.',
  models_list: 'Answer to `list_models`.',
  search_results: 'Answer to `search`: hits newest first, each with its session\'s name, agent, project and the message\'s time and kind; group them by `sessionId` to show results per session.',
  history_groups: 'Answer to `list_history_groups`: projects (`day` null) or days of a project, with counts.',
  history_sessions: 'Answer to `list_history_sessions`: one page of past sessions; `nextCursor` is null on the last page.',
  usage: 'Answer to `usage_report`: one row per group and the totals. Tokens count once per Claude API message and per Codex token record.',
  result: 'Success of a request that returns no data of its own.',
  resync: 'The hub dropped events for you (you read too slowly). Without `sessionId`: send `subscribe_list` again. With `sessionId`: send `subscribe_session` with your `sinceRevision`.',
  error: 'A request failed, or a frame could not be read. Carries the `requestId` when the request had one.',
};

const ERROR_NOTES: Record<string, string> = {
  bad_request: 'The message does not match its schema (the message names the field), or the operation does not allow it.',
  invalid_json: 'The frame is not JSON.',
  unknown_type: 'No such message type.',
  frame_too_large: 'The frame is over 1 MiB. The connection stays usable.',
  not_found: 'No such session or message.',
  not_supported: 'The session\'s provider or mode cannot do this (e.g. sending to a passive session: take it over first).',
  stale_approval: 'The approval or question is no longer pending, or changed since you saw it. Nothing was applied.',
  conflict: 'The operation conflicts with the session\'s current state (e.g. another writer holds the thread).',
  unauthorized: 'Not allowed.',
  internal: 'A bug in Flightdeck; the hub logged it.',
  provider_error: 'The agent (Codex / Claude) refused or failed the operation; the message says why.',
  unreachable: 'The session belongs to a remote engine that cannot be reached now (or refuses this engine\'s token); nothing was sent. Errors the remote itself answered keep their code, the message starts with its name.',
};

function section(title: string, body: string): string { return `## ${title}\n\n${body.trim()}\n`; }

function messageReference(kind: 'client' | 'server', defs: Record<string, Json>): string {
  const union = defs[kind === 'client' ? 'ClientMessage' : 'ServerMessage'];
  const options = (union.oneOf ?? union.anyOf) as Json[];
  const about = (kind === 'client' ? CLIENT_ABOUT : SERVER_ABOUT) as Record<string, string>;
  const examples = (kind === 'client' ? clientExamples : serverExamples) as Record<string, unknown>;
  return options.map(o => {
    const type = ((o.properties as Record<string, Json>).type.const) as string;
    return [
      `### \`${type}\``, '', about[type], '', fieldTable(o), '', '```json', JSON.stringify(examples[type]), '```', '',
    ].join('\n');
  }).join('\n');
}

function typeReference(defs: Record<string, Json>): string {
  return SHARED.map(([id]) => {
    const s = defs[id];
    let body: string;
    if (id === 'SessionChanges') body = 'Any subset of the fields of [Session](#session), with the same types. A missing key is unchanged; `null` means the field was cleared.';
    else if (s.type === 'object' && s.properties) body = fieldTable(s, TYPE_NOTES[id] ?? {});
    else body = `${typeOf(s)}${limits(s) ? ` (${limits(s)})` : ''}`;
    return `### ${id}\n\n${body}\n`;
  }).join('\n');
}

const INTRO = `
# Flightdeck hub protocol (version ${PROTOCOL_VERSION})

The hub lets programs outside VS Code — the web client it serves, a phone, your own scripts — watch
and drive every Codex and Claude Code session that Flightdeck knows. This document is enough to write
a client. It is generated by \`npm run docs:protocol\` from the zod schemas in \`src/engine/protocol\`
(the same schemas the hub validates with); the machine-readable version is
[protocol.schema.json](protocol.schema.json) (JSON Schema 2020-12). A test fails when the two drift
from the code.

The engine decides; clients ask. A client never changes state itself: it sends a request, the engine
runs the same operation the VS Code UI uses, and the resulting change arrives as an event for every
client alike.
`;

const PROSE: [string, string][] = [
  ['Turning the hub on', `
- In VS Code the hub is off by default: run **Flightdeck: Start WebSocket Hub**, or set
  \`flightdeck.hub.enabled\` (port \`flightdeck.hub.port\`, default 4000). Headless,
  \`flightdeck serve [--port 4000]\` runs it.
- It listens on \`127.0.0.1\` (loopback only). \`GET /health\` answers \`{"ok":true,"version":"…"}\`
  without authentication; \`/\` serves the web client; \`/ws\` is the WebSocket endpoint.
- The token: in VS Code, **Flightdeck: Copy Hub URL and Token** copies the web client's address
  with the token in its fragment (\`http://127.0.0.1:4000/#token=…\`: the page signs in with it and
  removes it from the address bar). The token is kept in VS Code's SecretStorage;
  **Flightdeck: Rotate Hub Token** replaces it and disconnects every client that used the old one,
  with close code \`4001\` and reason \`token rotated\`. Headless: the file \`token\` in the data directory
  (\`~/.flightdeck/token\`, mode 0600, created on first start).
- **Reaching it from another machine.** The hub speaks plain \`ws://\`: on a network, the token
  would travel in clear text. Binding to an address other than loopback is therefore refused unless
  you opt in explicitly (\`flightdeck serve --host 0.0.0.0 --allow-non-loopback\`; in VS Code the
  setting \`flightdeck.hub.allowNonLoopback\`), and the hub logs a
  warning when you do. Prefer one of these, which keep the hub on loopback:
  - an SSH tunnel: \`ssh -N -L 4000:127.0.0.1:4000 you@workstation\`, then use
    \`ws://127.0.0.1:4000/ws\` (and \`http://127.0.0.1:4000/\`) on your side;
  - a TLS-terminating reverse proxy (Caddy, nginx) on the workstation forwarding to
    \`127.0.0.1:4000\` (WebSocket upgrade included). A browser that loads the page through the proxy
    sends the proxy's origin: allow it with \`--allowed-origin https://your.host\`.
`],
  ['Connecting and authenticating', `
Authentication happens in the HTTP upgrade request; nothing is accepted before it. Present the token
one of two ways:

1. **Header** (scripts, native apps): \`Authorization: Bearer <token>\`.
2. **Subprotocol** (browsers, which cannot set headers): offer two subprotocols,
   \`flightdeck.v1\` and \`bearer.<token>\`. The hub answers with \`flightdeck.v1\` (never echoing the
   token).

\`\`\`js
// Browser
const ws = new WebSocket('ws://127.0.0.1:4000/ws', ['flightdeck.v1', 'bearer.' + token]);
// Node (package "ws")
const ws = new WebSocket('ws://127.0.0.1:4000/ws', { headers: { Authorization: 'Bearer ' + token } });
\`\`\`

The token is never accepted in the URL (query strings end up in logs and browser history). Refusals
are plain HTTP answers to the upgrade:

| Status | When |
| --- | --- |
| 401 | No token, a wrong one, or one in an unsupported place. |
| 403 | A browser \`Origin\` that is not allowed. The hub's own page (\`http://127.0.0.1:<port>\`, \`http://localhost:<port>\`) is; add others by setting. Requests without \`Origin\` (non-browser clients) are judged by the token alone. |
| 429 | A missing or wrong token after too many of them from your address (10 per minute); wait a minute. The right token is never refused. |
| 503 | Already 64 clients connected from your address. |
| 404 | Any path other than \`/ws\`. |

Tokens are compared in constant time.
`],
  ['Frames', `
Every frame is one UTF-8 JSON object in a WebSocket **text** frame, with a string \`type\`. Client
frames are limited to 1 MiB: a larger one is answered with an \`error\` (\`frame_too_large\`) and the
connection stays open (beyond 4 MiB the WebSocket layer closes it with code 1009). Binary frames,
invalid JSON, unknown types and messages that do not match their schema are each answered with an
\`error\`; nothing you send can break the hub or other clients.

Unknown properties in a message are ignored, so clients should likewise ignore properties they do not
know: new optional fields can appear within a protocol version.
`],
  ['Hello and welcome', `
Send \`hello\` first with the protocol version you speak. \`welcome\` tells you the hub's protocol
version, its Flightdeck version, its capabilities and the current list revision. If the
\`protocolVersion\` differs from yours, disconnect (or upgrade): versions change only on incompatible
changes.

\`\`\`json
→ {"type":"hello","requestId":"r1","protocolVersion":${PROTOCOL_VERSION},"client":"my-script/0.1"}
← {"type":"welcome","requestId":"r1","protocolVersion":${PROTOCOL_VERSION},"serverVersion":"0.1.0","capabilities":["replay","load_messages","get_message","search","approvals","questions","resync"],"listRevision":1204}
\`\`\`
`],
  ['Requests, answers and errors', `
Every client message may carry a \`requestId\` (a string of your choice, at most 200 characters). The
answer to it — the requested data (\`sessions_list\`, \`session_snapshot\`, \`messages_page\`, …), a
\`result\` for operations without data, or an \`error\` — carries the same \`requestId\`. Requests are
handled concurrently: match answers by \`requestId\`, not by order. Events (deltas, appended
messages) never carry a \`requestId\`.

\`\`\`json
→ {"type":"approve_tool","requestId":"r11","sessionId":"6f1c…","approvalId":"call_7Qx","version":0,"decision":"approved"}
← {"type":"result","requestId":"r11","ok":true,"sessionId":"6f1c…"}
   or
← {"type":"error","requestId":"r11","code":"stale_approval","message":"approval call_7Qx is no longer pending (already decided or withdrawn)"}
\`\`\`

Error codes:

${'{{ERRORS}}'}
`],
  ['Subscriptions', `
Nothing is pushed until you subscribe.

- \`subscribe_list\` → \`sessions_list\` (every session, with its full state; a long list in pages
  of 200, see below), then for every session:
  \`session_created\`, \`session_delta\`, \`session_ended\`, \`session_removed\`. Enough for a list view.
- \`subscribe_session\` → \`session_snapshot\` (the session and its last 200 messages), then every event
  of that session: \`session_delta\`, \`message_appended\`, \`message_updated\`, \`approval_requested\`,
  \`tokens_updated\`, \`session_ended\`. Subscribe to as many sessions as you like.
- \`unsubscribe_session\` / \`unsubscribe_list\` stop them, for real.

Pending approvals and questions are part of the session state (\`pendingApprovals\`, its head
\`pendingApproval\`, \`pendingQuestion\`), so a snapshot always shows what is waiting for a decision.
`],
  ['Snapshots, deltas and revisions', `
Each session has a \`revision\`, a counter that grows by one with every event about the session —
state changes and transcript events alike. Every event carries the revision it produced; a
\`session_delta\` and the \`approval_requested\` / \`tokens_updated\` / \`session_ended\` that come
from the same change share one revision. The session list has its own \`listRevision\`, carried by
\`sessions_list\`, \`session_created\`, \`session_removed\` and \`session_delta\`.

Applying events:

- \`session_snapshot\`: replace your copy of the session and its messages; remember \`revision\`.
- \`session_delta\`: for each key in \`changes\`, set that field. **A missing key means unchanged;
  \`null\` means the field was cleared** (e.g. \`"pendingApproval": null\` once it is decided). Arrays
  and objects arrive whole, never as patches.
- \`message_appended\`: add the message (ordered by \`seq\`).
- \`message_updated\`: merge the given fields into the message with that \`id\` (ignore it if you do not
  hold that message, e.g. it is older than your page). Streaming text arrives this way: \`text\` is the
  whole text so far, so a missed update loses nothing.
- Keep the highest \`revision\` you have applied: it is what you send as \`sinceRevision\`.

Events arrive in revision order on one connection. An event with a revision at or below the one you
hold is already applied and can be skipped.
`],
  ['Reconnecting with sinceRevision', `
When the connection drops, reconnect, send \`hello\`, and resubscribe each session with the last
revision you applied:

\`\`\`json
→ {"type":"subscribe_session","requestId":"r5","sessionId":"6f1c…","sinceRevision":52}
\`\`\`

If the hub still holds every event after that revision (it keeps at least the last 1,000 events of
each session), it sends exactly those events, in order, and then
\`{"type":"result","requestId":"r5","ok":true,"sessionId":"6f1c…","data":{"replayed":9,"revision":57}}\`.
Otherwise — the buffer rolled over, the hub restarted, or your revision is from the future — it
answers with a fresh \`session_snapshot\`. Either way you end up at the current revision. The list
has no replay: resubscribe with \`subscribe_list\` and take the new \`sessions_list\`.
`],
  ['Long fields and older history', `
A snapshot holds the last 200 messages. Text fields longer than 16,000 characters (\`text\`,
\`output\`, \`toolInput\`, \`command\`, and each diff in \`changes\`) are cut there, the marker
\`\\n… [cut: fetch the whole item with get_message]\` is appended, and the message gets
\`"truncated": true\`. \`get_message\` returns the item whole.

\`load_messages\` pages older history: the \`limit\` messages (default 50, at most 200) with \`seq\`
below \`beforeSeq\`, oldest first, with \`hasMore\` when there are older ones still. Page backwards by
passing the smallest \`seq\` you hold.
`],
  ['Conflict radar: sessions touching the same files', `
The engine follows every session's file-change items (Codex patches and file changes, Claude
\`Edit\` / \`Write\` / \`MultiEdit\` / \`NotebookEdit\`) and keeps which sessions touched which files
(real paths, per repository, a worktree's files under its main repository). When a session touches
a file that another **live** (\`status: "active"\`) session touched in the last hour **in the same
checkout**, both sessions get \`conflicts\`: one entry per other session with its \`sessionId\`,
\`displayName\` and the real paths of the shared \`files\`. Sessions in separate worktrees of one
repository never conflict. An entry goes when one of the two sessions ends, or when git shows no
uncommitted change left in its files (checked every few seconds, not per item); the field is then
\`null\` in a \`session_delta\`. It arrives like any other session field: in \`sessions_list\`,
\`session_snapshot\` and \`session_delta\`, so a client shows it by reading \`session.conflicts\`.
`],
  ['Flow control and keepalive', `
The hub never lets one client slow the others. Each connection has a bounded send queue: when a
client does not read fast enough, the hub stops sending it events, waits for its queue to drain, and
then sends \`resync\` — one per list or session subscription — so the client resubscribes (with
\`sinceRevision\`, usually served from the replay buffer). A client whose queue does not drain within
30 s, or that lets it grow past 16 MiB, is disconnected. Answers to your requests are never dropped.

The hub sends a WebSocket ping every 30 s and disconnects a client that has not answered the previous
one (browsers and common WebSocket libraries answer automatically). Close codes you may see: \`1001\`
(hub shutting down), \`4001\` (token rotated: get the new token), \`1009\` (frame over 4 MiB).
`],
  ['Remote engines and the host field', `
An engine can join other engines (\`flightdeck serve --remote box=ws://127.0.0.1:7777/ws\`, or
the remote engines of the VS Code extension): it connects to each remote's hub as an ordinary client
of this protocol (the same bearer token check, every message it receives validated by the same
schemas) and shows the remote's sessions next to its own. For a client nothing else changes:

- A remote's session has the id \`<host>/<id on the remote>\` (local ids never hold a \`/\`), stable
  across reconnects and restarts, and \`host: { name, reachable }\`. Local sessions have no \`host\`.
  Its \`sourcePath\` is always null (a file of the other machine).
- Every request about such a session (\`subscribe_session\`, \`load_messages\`, \`get_message\`,
  \`approve_tool\` with its \`version\`, \`send_message\`, \`rename_session\`, …) is forwarded to the
  engine that owns it, and its answer or error comes back with your \`requestId\`.
  \`create_session\` and \`list_models\` take an optional \`host\` (a remote's name; \`cwd\` is a
  folder on that machine).
- While a remote cannot be reached its sessions stay listed with \`host.reachable: false\` (a
  \`session_delta\` at the same session revision; none shows as working); requests about them fail
  with \`unreachable\`. The engine reconnects with backoff and resumes each followed session with
  \`sinceRevision\`, so events are neither lost nor doubled; when the remote cannot replay, the
  session's subscribers get \`resync\`.
- One list revision covers local and remote sessions: every list event is still the previous + 1.

An engine that joins sends \`hello\` with \`peer: true\`. It is then sent only the hub's own sessions,
never those the hub mirrors from its remotes: A joining B and B joining C shows on A only B's own
sessions (plus whatever A joins itself), so engines never loop or amplify. Hubs that understand the
flag list \`peer\` in \`welcome.capabilities\`.
`],
  ['A minimal client', `
\`\`\`js
import WebSocket from 'ws';
const ws = new WebSocket('ws://127.0.0.1:4000/ws', { headers: { Authorization: 'Bearer ' + process.env.FLIGHTDECK_TOKEN } });
const sessions = new Map();
ws.on('open', () => {
  ws.send(JSON.stringify({ type: 'hello', requestId: 'h', protocolVersion: ${PROTOCOL_VERSION} }));
  ws.send(JSON.stringify({ type: 'subscribe_list', requestId: 'l' }));
});
ws.on('message', data => {
  const m = JSON.parse(data);
  if (m.type === 'sessions_list') for (const s of m.sessions) sessions.set(s.id, s);
  if (m.type === 'session_created') sessions.set(m.session.id, m.session);
  if (m.type === 'session_delta' && sessions.has(m.sessionId)) Object.assign(sessions.get(m.sessionId), m.changes);
  if (m.type === 'session_removed') sessions.delete(m.sessionId);
  if (m.type === 'resync' && !m.sessionId) ws.send(JSON.stringify({ type: 'subscribe_list' }));
  for (const s of sessions.values()) if (s.pendingApproval) console.log(s.displayName, 'waits for approval of', s.pendingApproval.command);
});
\`\`\`
`],
];

export function renderProtocolMarkdown(): string {
  const defs = protocolJsonSchema().$defs as Record<string, Json>;
  const errors = ['| Code | Meaning |', '| --- | --- |', ...Object.values(WireErrorCode).map(c => `| \`${c}\` | ${ERROR_NOTES[c] ?? ''} |`)].join('\n');
  const parts = [
    INTRO.trim() + '\n',
    '## Contents\n\n' + [...PROSE.map(([t]) => t), 'Client messages', 'Server messages', 'Types'].map(t => `- [${t}](#${anchor(t)})`).join('\n') + '\n',
    ...PROSE.map(([t, body]) => section(t, body.replace('{{ERRORS}}', errors))),
    section('Client messages', 'Sent by a client to the hub. Every one may carry a `requestId`.\n\n' + messageReference('client', defs)),
    section('Server messages', 'Sent by the hub. Answers carry the `requestId` of their request; events carry none.\n\n' + messageReference('server', defs)),
    section('Types', 'Shapes shared by several messages. Timestamps are ISO-8601 UTC with milliseconds everywhere.\n\n' + typeReference(defs)),
  ];
  return parts.join('\n');
}

export const DOCS = { markdown: 'docs/protocol.md', schema: 'docs/protocol.schema.json' };

function main(): void {
  // npm runs scripts from the package root.
  const root = process.cwd();
  const targets: [string, string][] = [[DOCS.schema, renderSchemaFile()], [DOCS.markdown, renderProtocolMarkdown()]];
  for (const [rel, text] of targets) {
    fs.writeFileSync(path.join(root, rel), text);
    console.log(`wrote ${rel}`);
  }
}

if (require.main === module) main();
