// The panel's state of its session is the shared session mirror (src/engine/protocol/mirror/).
export { SessionMirror as SessionState, type StateChange } from '../../src/engine/protocol/mirror/sessionMirror';
