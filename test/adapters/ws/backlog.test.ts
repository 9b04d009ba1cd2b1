/**
 * The client's side of a login's backlog (`adapters/ws/backlog.ts`), over a scripted socket: the
 * login asks for `backlog`; what comes before the server's `backlog` frame is held, then told but for
 * an invitation settled meanwhile and what settled it (here an answer from another device of the
 * same user, recalled for a new session), which are confirmed untold. What is held when the
 * connection ends for good is neither told nor confirmed, and told when it comes again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import { WsConnection } from '../../../adapters/ws/WsConnection';
import { encodeSignal } from '../../../src/index';
import { SyncSocket } from './syncSocket';

const invite = encodeSignal({ kind: 'invite', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'], roomID: 42, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });
const accept = encodeSignal({ kind: 'accept', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob' });
const message = (id: string, seq: number, from: string, payload: string) => ({ type: 'message', id, seq, from, payload, sentAt: seq, call: payload === invite ? { inviteID: 'inv-1', roomID: 42 } : undefined });

describe('a login backlog on the WebSocket client', () => {
  let conn: WsConnection;
  let told: string[];
  /** Logs in; `marked`: the server's loggedIn says it marks the backlog. */
  async function login(marked = true, session = 's1') {
    const login = conn.login('bob', 'sig');
    await Promise.resolve();
    const sock = SyncSocket.last;
    const frame = JSON.parse(sock.sent.at(-1) as string) as { rid: number; backlog?: boolean };
    expect(frame.backlog).toBe(true);
    sock.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session, resumed: false, room: null, serverTime: 0, callGrants: true, ...(marked ? { backlog: true } : {}) });
    await login;
    return sock;
  }
  const receipts = (sock: SyncSocket) => sock.sent.map((t) => JSON.parse(t) as { type: string; upTo?: number }).filter((f) => f.type === 'received').map((f) => f.upTo);

  beforeEach(() => {
    conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock: new SimulatedClock(0) });
    told = [];
    conn.messages.add((m) => void told.push(m.id));
  });

  it('the invitation and the answer another device of Bob gave come before the mark: neither is told, both are confirmed; a message after the mark is told at once', async () => {
    const sock = await login();
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'bob', accept));
    sock.deliver(message('m3', 3, 'carol', 'hello'));
    expect(told).toEqual([]);
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m3']);
    await Promise.resolve();
    expect(receipts(sock)).toEqual([3]);
    sock.deliver(message('m4', 4, 'carol', 'again'));
    expect(told).toEqual(['m3', 'm4']);
  });

  it('the answer comes after the mark: the invitation is told, then the answer (it rang, and stops)', async () => {
    const sock = await login();
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m1']);
    sock.deliver(message('m2', 2, 'bob', accept));
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m1', 'm2']);
  });

  it('a server that marks no backlog: each message is told as it comes', async () => {
    const sock = await login(false);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'bob', accept));
    expect(told).toEqual(['m1', 'm2']);
  });

  it('logged out before the mark: what was held is neither told nor confirmed; at the next login it comes again, and is told', async () => {
    const sock = await login();
    sock.deliver(message('m1', 1, 'carol', 'hello'));
    const out = conn.logout();
    const logout = JSON.parse(sock.sent.at(-1) as string) as { rid: number };
    sock.deliver({ type: 'ack', rid: logout.rid });
    await out;
    expect(receipts(sock)).toEqual([]);
    const again = await login(true, 's2');
    again.deliver(message('m1', 1, 'carol', 'hello'));
    again.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m1']);
  });

  it("the first message held throws in the app's listener and its onListenerError rethrows at the mark: the second is told all the same, both confirmed, the error goes on", async () => {
    conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock: new SimulatedClock(0), onListenerError: (e) => { throw e; } });
    conn.messages.add((m) => {
      told.push(m.id);
      if (m.id === 'm1') throw new Error('app bug');
    });
    const sock = await login();
    sock.deliver(message('m1', 1, 'carol', 'hello'));
    sock.deliver(message('m2', 2, 'carol', 'again'));
    expect(() => sock.deliver({ type: 'backlog', more: false })).toThrow('app bug');
    await Promise.resolve();
    expect({ told, receipts: receipts(sock) }).toEqual({ told: ['m1', 'm2'], receipts: [2] });
  });
});
