/**
 * A 2805 (cannot reach the server, connection lost) keeps what failed below it as its `cause`:
 * the WebSocket's error event (Node's `ws` puts the `ECONNREFUSED` error in it), the close event
 * when none came, what `new WebSocket()` threw, or the server's refusal of a login that the
 * client retried. Before, the `WsPortError` had no `cause`: the app read only a message.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import type { WebSocketLike } from '../../../adapters/ws/socket';
import { embeddedBackend, WsPortError } from '../../../src/embedded';
import { CallingError, TRTCCalling } from '../../../src/index';

const URL = 'ws://127.0.0.1:9/ws';
const ECONNREFUSED = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

/**
 * How a scripted socket goes: what `new` throws; the events it fires 1 ms after it is made; or it
 * opens and answers the login (`refuse`: with that refusal), and the test closes it (`drop`).
 */
type Script =
  | { readonly throws: unknown }
  | { readonly error?: unknown; readonly close: { code: number; reason: string } }
  | { readonly open: true; readonly refuse?: string };

/** A WebSocket constructor whose sockets never open; each follows the next script (the last repeats). */
function failing(clock: SimulatedClock, scripts: Script[]): new (url: string) => WebSocketLike & { drop(close: unknown, error?: unknown): void } {
  let made = 0;
  return class FailingSocket implements WebSocketLike {
    static last: FailingSocket;
    readyState = 0;
    onopen: ((e: unknown) => void) | null = null;
    onmessage: ((e: { readonly data: unknown }) => void) | null = null;
    onclose: ((e: { readonly code: number; readonly reason: string }) => void) | null = null;
    onerror: ((e: unknown) => void) | null = null;
    constructor(_url: string) {
      const script = scripts[Math.min(made++, scripts.length - 1)] as Script;
      if ('throws' in script) throw script.throws;
      FailingSocket.last = this;
      if ('open' in script) {
        this.refuse = script.refuse;
        clock.setTimeout(() => ((this.readyState = 1), this.onopen?.({})), 1);
        return;
      }
      clock.setTimeout(() => {
        this.readyState = 3;
        if (script.error !== undefined) this.onerror?.(script.error);
        this.onclose?.(script.close);
      }, 1);
    }
    refuse: string | undefined;
    send(text: string): void {
      const frame = JSON.parse(text) as { type: string; rid: number };
      if (frame.type !== 'login') return;
      const answer = this.refuse
        ? { type: 'error', rid: frame.rid, code: this.refuse, message: 'refused' }
        : { type: 'loggedIn', rid: frame.rid, userID: 'alice', session: 's1', resumed: false, room: null, serverTime: 0 };
      clock.setTimeout(() => this.onmessage?.({ data: JSON.stringify(answer) }), 1);
    }
    close(): void {
      this.readyState = 3;
    }
    drop(close: { code: number; reason: string }, error?: unknown): void {
      this.readyState = 3;
      if (error !== undefined) this.onerror?.(error);
      this.onclose?.(close);
    }
  };
}

/** Alice's login() over `WebSocket` on simulated time: what it rejected with. */
async function loginError(scripts: Script[], urls: string[] = [URL]): Promise<CallingError> {
  const clock = new SimulatedClock();
  const backend = embeddedBackend({ url: urls, WebSocket: failing(clock, scripts), clock, reconnect: { nextRetryDelayInMs: () => null } });
  const calling = new TRTCCalling({ SDKAppID: 1400000001, backend });
  const login = calling.login({ userID: 'alice', userSig: 'sig' }).then(
    () => expect.unreachable('login() resolved'),
    (error: unknown) => error as CallingError,
  );
  await clock.advance(10);
  const error = await login;
  await calling.destroy();
  return error;
}

describe('a 2805 keeps the failure below it as its cause', () => {
  it('the socket fails with an error event, then closes 1006 -> login() rejects 2805, its WsPortError caused by the error event', async () => {
    const failure = { type: 'error', message: ECONNREFUSED.message, error: ECONNREFUSED };
    const error = await loginError([{ error: failure, close: { code: 1006, reason: '' } }]);
    expect(error).toBeInstanceOf(CallingError);
    expect(error).toMatchObject({ code: 2805, reason: 'backend', message: `login: cannot reach ${URL} (closed 1006)` });
    expect(error.cause).toBeInstanceOf(WsPortError);
    expect((error.cause as WsPortError).code).toBe(2805);
    expect((error.cause as WsPortError).cause).toBe(failure);
  });

  it('the socket closes without an error event -> the close event is the cause', async () => {
    const close = { code: 1011, reason: 'server error' };
    const error = await loginError([{ close }]);
    expect(error).toMatchObject({ code: 2805, message: `login: cannot reach ${URL} (closed 1011 server error)` });
    expect((error.cause as WsPortError).cause).toBe(close);
  });

  it('new WebSocket() throws (a URL the browser refuses) -> what it threw is the cause', async () => {
    const thrown = new SyntaxError('The URL is invalid');
    const error = await loginError([{ throws: thrown }]);
    expect(error).toMatchObject({ code: 2805 });
    expect((error.cause as WsPortError).cause).toBe(thrown);
  });

  it('a cluster of two, both unreachable -> the last node failure is the cause', async () => {
    const first = { code: 1006, reason: 'first' };
    const last = { code: 1006, reason: 'last' };
    const error = await loginError([{ close: first }, { close: last }], [URL, 'ws://127.0.0.1:10/ws']);
    expect(error).toMatchObject({ code: 2805, message: 'login: cannot reach ws://127.0.0.1:10/ws (closed 1006 last)' });
    expect((error.cause as WsPortError).cause).toBe(last);
  });

  /** Alice logged in; her socket then drops (`error`, then `close`) while a send waits; the policy retries once at once, then gives up. */
  async function sendError(next: Script, close: { code: number; reason: string }, error?: unknown): Promise<WsPortError> {
    const clock = new SimulatedClock();
    const WebSocket = failing(clock, [{ open: true }, next]);
    const backend = embeddedBackend({ url: URL, WebSocket, clock, reconnect: { nextRetryDelayInMs: ({ retryCount }) => (retryCount === 0 ? 0 : null) } });
    const login = backend.im.login('alice', 'sig');
    await clock.advance(10);
    await login;
    const sent = backend.im.sendToUser('bob', 'hello', { onlineUserOnly: false }).then(
      () => expect.unreachable('the send resolved'),
      (e: unknown) => e as WsPortError,
    );
    (WebSocket as unknown as { last: { drop(c: unknown, e?: unknown): void } }).last.drop(close, error);
    await clock.advance(10);
    return sent;
  }

  it('the socket drops mid-session and will not come back -> a pending send fails 2805, the last failure its cause', async () => {
    const failure = { type: 'error', message: ECONNREFUSED.message, error: ECONNREFUSED };
    const error = await sendError({ error: failure, close: { code: 1006, reason: '' } }, { code: 1006, reason: 'first' });
    expect(error).toBeInstanceOf(WsPortError);
    expect(error).toMatchObject({ code: 2805, message: 'connection lost: closed 1006' });
    expect(error.cause).toBe(failure);
  });

  it('the socket drops; the server refuses the login that comes back (internal) -> the pending send fails 2805, the refusal its cause', async () => {
    const error = await sendError({ open: true, refuse: 'internal' }, { code: 1006, reason: '' });
    expect(error).toMatchObject({ code: 2805, message: 'connection lost: login refused: internal' });
    expect(error.cause).toBeInstanceOf(WsPortError);
    expect(error.cause).toMatchObject({ code: 65535, serverCode: 'internal' });
  });
});
