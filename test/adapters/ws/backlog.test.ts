/**
 * The client's side of a login's backlog (`adapters/ws/backlog.ts`), over a scripted socket: the
 * login asks for `backlog`; what comes before the server's `backlog` frame is held, then told but for
 * an invitation settled meanwhile and what settled it (here an answer from another device of the
 * same user, recalled for a new session), which are confirmed untold. What is held when the
 * connection ends for good is neither told nor confirmed, and told when it comes again. A backlog
 * past the window (`more: true`), on a server whose `loggedIn` says `partialReceipts`: what cannot
 * ring is told and confirmed, an invitation not settled yet waits unconfirmed (`except`), with its
 * call's messages, for the end, at most half the window of them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import { WsConnection } from '../../../adapters/ws/WsConnection';
import { RECEIPT_DELAY_MS } from '../../../adapters/ws/inbox';
import { parseClientFrame } from '../../../adapters/ws/protocol';
import { encodeSignal } from '../../../src/index';
import { SyncSocket } from './syncSocket';

const invite = encodeSignal({ kind: 'invite', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'], roomID: 42, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });
const accept = encodeSignal({ kind: 'accept', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitee: 'bob' });
const message = (id: string, seq: number, from: string, payload: string) => ({ type: 'message', id, seq, from, payload, sentAt: seq, call: payload === invite ? { inviteID: 'inv-1', roomID: 42 } : undefined });
/** A group call's invitation from Alice to Bob and Carol, Carol's accept of it (settles nothing for Bob), and Carol's own 1v1 invitation to Bob and its cancel. */
const groupInvite = encodeSignal({ kind: 'invite', inviteID: 'inv-g', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob', 'carol'], roomID: 43, timeout: 30, onlineUserOnly: false, isGroup: true, consumed: false });
const carolAccepts = encodeSignal({ kind: 'accept', inviteID: 'inv-g', inviter: 'alice', groupID: '', callType: 2, invitee: 'carol' });
const carolInvite = encodeSignal({ kind: 'invite', inviteID: 'inv-2', inviter: 'carol', groupID: '', callType: 2, invitees: ['bob'], roomID: 44, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });
const carolCancel = encodeSignal({ kind: 'cancel', inviteID: 'inv-2', inviter: 'carol', groupID: '', callType: 2, invitees: ['bob'] });

describe('a login backlog on the WebSocket client', () => {
  let conn: WsConnection;
  let told: string[];
  /** Logs in; `marked`: the server's loggedIn says it marks the backlog. */
  async function login(marked = true, session = 's1', partial = false, extra: object = {}) {
    const login = conn.login('bob', 'sig');
    await Promise.resolve();
    const sock = SyncSocket.last;
    const frame = JSON.parse(sock.sent.at(-1) as string) as { rid: number; backlog?: boolean };
    expect(frame.backlog).toBe(true);
    sock.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session, resumed: false, room: null, serverTime: 0, callGrants: true, ...(marked ? { backlog: true } : {}), ...(partial ? { partialReceipts: true } : {}), ...extra });
    await login;
    return sock;
  }
  const receipts = (sock: SyncSocket) => sock.sent.map((t) => JSON.parse(t) as { type: string; upTo?: number }).filter((f) => f.type === 'received').map((f) => f.upTo);
  /** The receipts sent, with what each kept unconfirmed, once the turn's receipt went. */
  const partial = async (sock: SyncSocket) => {
    await Promise.resolve();
    return sock.sent.map((t) => JSON.parse(t) as { type: string; upTo?: number; except?: number[] }).filter((f) => f.type === 'received').map(({ upTo, except }) => ({ upTo, ...(except ? { except } : {}) }));
  };

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

  it('a server without partialReceipts, the answer on a later page: the invitation is told at more: true, then the answer (it rang, and stops)', async () => {
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

  it('partialReceipts, the invitation on the first page and the answer of another device of Bob on the second: neither is told; Carol\'s message is told at more: true and confirmed past the invitation, which stays unconfirmed until the end', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m2']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    sock.deliver(message('m3', 3, 'bob', accept));
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m2']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }, { upTo: 3 }]);
  });

  it('partialReceipts, a group invitation not settled: it waits, with the accept of another invitee (which settles nothing for Bob), while the later messages of others are told; at the end it is told once, then the accept', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', groupInvite));
    sock.deliver(message('m2', 2, 'dave', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m2']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    for (const [id, seq, from, payload] of [['m3', 3, 'carol', carolAccepts], ['m4', 4, 'dave', 'a'], ['m5', 5, 'dave', 'b'], ['m6', 6, 'dave', 'c']] as const) sock.deliver(message(id, seq, from, payload));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m2', 'm4', 'm5', 'm6']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }, { upTo: 6, except: [1, 3] }]);
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m2', 'm4', 'm5', 'm6', 'm1', 'm3']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }, { upTo: 6, except: [1, 3] }, { upTo: 6 }]);
  });

  it('partialReceipts, a window of 3 with two invitations not settled and a message: one waits (half the window), the oldest is told; the one that waited, cancelled on the next page, rings nothing', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', carolInvite));
    sock.deliver(message('m3', 3, 'dave', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m1', 'm3']);
    expect(await partial(sock)).toEqual([{ upTo: 3, except: [2] }]);
    sock.deliver(message('m4', 4, 'carol', carolCancel));
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m1', 'm3']);
    expect(await partial(sock)).toEqual([{ upTo: 3, except: [2] }, { upTo: 4 }]);
  });

  it('partialReceipts, a second more: true with nothing new (the server marks again as its window stays full, a cluster node ending its take-in from Redis, say) before its receipt took effect: the invitations that wait stay waiting, nothing is told; cancelled on the next page, neither rings', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', carolInvite));
    sock.deliver(message('m3', 3, 'dave', 'hello'));
    sock.deliver(message('m4', 4, 'dave', 'again'));
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m3', 'm4']);
    expect(await partial(sock)).toEqual([{ upTo: 4, except: [1, 2] }]);
    sock.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m3', 'm4']);
    expect(await partial(sock)).toEqual([{ upTo: 4, except: [1, 2] }]);
    sock.deliver(message('m5', 5, 'carol', carolCancel));
    sock.deliver(message('m6', 6, 'alice', encodeSignal({ kind: 'cancel', inviteID: 'inv-1', inviter: 'alice', groupID: '', callType: 2, invitees: ['bob'] })));
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m3', 'm4']);
    expect(await partial(sock)).toEqual([{ upTo: 4, except: [1, 2] }, { upTo: 6 }]);
  });

  it('partialReceipts, two invitations wait and the server restarts with a window of 2: the new session\'s first more: true, its window all of their copies and nothing new, is judged all the same (the oldest is told, so that the paging goes on)', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', carolInvite));
    sock.deliver(message('m3', 3, 'dave', 'hello'));
    sock.deliver(message('m4', 4, 'dave', 'again'));
    sock.deliver({ type: 'backlog', more: true });
    expect(await partial(sock)).toEqual([{ upTo: 4, except: [1, 2] }]);
    sock.onclose?.({ code: 1006, reason: '' });
    await (conn as unknown as { clock: SimulatedClock }).clock.advance(10_000);
    const again = SyncSocket.last;
    const frame = JSON.parse(again.sent.at(-1) as string) as { rid: number };
    again.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session: 's2', resumed: false, room: null, serverTime: 0, callGrants: true, backlog: true, partialReceipts: true });
    again.deliver(message('m1', 1, 'alice', invite));
    again.deliver(message('m2', 2, 'carol', carolInvite));
    again.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m3', 'm4', 'm1']);
    expect(await partial(again)).toEqual([{ upTo: 2, except: [2] }]);
  });

  it('partialReceipts, a window of 2 whose pages are each one invitation and its cancel, then one more call: page by page, each pair confirmed, only the last rings, after the mark', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'carol', carolInvite));
    sock.deliver(message('m2', 2, 'carol', carolCancel));
    sock.deliver({ type: 'backlog', more: true });
    expect(await partial(sock)).toEqual([{ upTo: 2 }]);
    sock.deliver(message('m3', 3, 'alice', invite));
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m3']);
    expect(await partial(sock)).toEqual([{ upTo: 2 }, { upTo: 3 }]);
  });

  it('partialReceipts, logged out while an invitation waits: it is neither told nor confirmed (what was told is); at the next login it comes again, and rings', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    const out = conn.logout();
    const logout = JSON.parse(sock.sent.at(-1) as string) as { rid: number };
    sock.deliver({ type: 'ack', rid: logout.rid });
    await out;
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    const again = await login(true, 's2', true);
    again.deliver(message('m1', 1, 'alice', invite));
    again.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m2', 'm1']);
    expect(await partial(again)).toEqual([{ upTo: 1 }]);
  });

  it('partialReceipts, an invitation waits and the socket drops; the session resumes and the server hands it again (a new seq) with the rest of the backlog: its copy stays unconfirmed with it, both confirmed once it is told', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    sock.onclose?.({ code: 1006, reason: '' });
    const clock = (conn as unknown as { clock: SimulatedClock }).clock;
    await clock.advance(10_000);
    const again = SyncSocket.last;
    expect(again).not.toBe(sock);
    const frame = JSON.parse(again.sent.at(-1) as string) as { rid: number; resume?: string };
    expect(frame.resume).toBe('s1');
    again.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session: 's1', resumed: true, room: null, serverTime: 0, callGrants: true, backlog: true, partialReceipts: true });
    again.deliver(message('m1', 3, 'alice', invite));
    again.deliver(message('m5', 4, 'dave', 'later'));
    again.deliver(message('m6', 5, 'dave', 'more'));
    again.deliver({ type: 'backlog', more: true });
    expect(told).toEqual(['m2', 'm5', 'm6']);
    expect(await partial(again)).toEqual([{ upTo: 5, except: [3] }]); // 1 was the old connection's: the server's window dropped it
    again.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m2', 'm5', 'm6', 'm1']);
    expect(await partial(again)).toEqual([{ upTo: 5, except: [3] }, { upTo: 5 }]);
  });

  it('partialReceipts, 128 invitations wait (half a window of 256) across eight resumed drops, each handing them again under new seqs: every receipt stays one the server takes (at most 1,024 excepts: it names only the copies of its connection), and the end confirms all', async () => {
    const clock = (conn as unknown as { clock: SimulatedClock }).clock;
    const invitation = (n: number) => encodeSignal({ kind: 'invite', inviteID: `inv-${n}`, inviter: `u${n}`, groupID: '', callType: 2, invitees: ['bob'], roomID: 100 + n, timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false });
    let sock = await login(true, 's1', true);
    let seq = 0;
    const page = (round: number) => {
      for (let n = 0; n < 128; n++) sock.deliver({ type: 'message', id: `i${n}`, seq: ++seq, from: `u${n}`, payload: invitation(n), sentAt: n, call: { inviteID: `inv-${n}`, roomID: 100 + n } });
      for (let n = 0; n < 128; n++) sock.deliver(message(`p${round}-${n}`, ++seq, 'dave', 'hello'));
      sock.deliver({ type: 'backlog', more: true });
    };
    page(0);
    for (let round = 1; round <= 8; round++) {
      await Promise.resolve();
      sock.onclose?.({ code: 1006, reason: '' });
      await clock.advance(10_000);
      sock = SyncSocket.last;
      const frame = JSON.parse(sock.sent.at(-1) as string) as { rid: number; resume?: string };
      expect(frame.resume).toBe('s1');
      sock.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session: 's1', resumed: true, room: null, serverTime: 0, callGrants: true, backlog: true, partialReceipts: true });
      const first = seq + 1;
      page(round);
      await Promise.resolve();
      const sent = sock.sent.filter((t) => (JSON.parse(t) as { type: string }).type === 'received');
      expect(sent).toHaveLength(1);
      // The server's own check of the frame, and what its window holds now: this connection's copies.
      expect(parseClientFrame(sent[0] as string).ok).toBe(true);
      const { except } = JSON.parse(sent[0] as string) as { except: number[] };
      expect(except.length > 0 && except.every((s) => s >= first)).toBe(true);
    }
    sock.deliver({ type: 'backlog', more: false });
    await Promise.resolve();
    expect(receipts(sock).at(-1)).toBe(seq);
  });

  it('partialReceipts, an invitation waits over five pages of 256 (past the 1,024 ids the inbox remembers), then the socket drops and the session resumes: its copy handed again is known, and it is told once', async () => {
    const clock = (conn as unknown as { clock: SimulatedClock }).clock;
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    let seq = 1;
    for (let page = 0; page < 5; page++) {
      while (seq % 256 !== 0) sock.deliver(message(`p${seq}`, ++seq, 'dave', 'hello'));
      sock.deliver({ type: 'backlog', more: true });
      seq++; // the next page's first seq: the server's window holds the invitation and 255 more
    }
    seq--;
    expect((await partial(sock)).at(-1)).toEqual({ upTo: seq, except: [1] });
    sock.onclose?.({ code: 1006, reason: '' });
    await clock.advance(10_000);
    const again = SyncSocket.last;
    const frame = JSON.parse(again.sent.at(-1) as string) as { rid: number; resume?: string };
    expect(frame.resume).toBe('s1');
    again.deliver({ type: 'loggedIn', rid: frame.rid, userID: 'bob', session: 's1', resumed: true, room: null, serverTime: 0, callGrants: true, backlog: true, partialReceipts: true });
    again.deliver(message('m1', ++seq, 'alice', invite));
    again.deliver({ type: 'backlog', more: false });
    expect(told.filter((id) => id === 'm1')).toEqual(['m1']);
    expect(await partial(again)).toEqual([{ upTo: seq }]);
  });

  it('partialReceipts, a server whose window is past 1,024 (--max-unconfirmed 2048): an invitation first on a page of 1,101 is set aside though its id left what the inbox remembers, and the page is confirmed past it', async () => {
    const sock = await login(true, 's1', true);
    sock.deliver(message('m1', 1, 'alice', invite));
    for (let seq = 2; seq <= 1101; seq++) sock.deliver(message(`p${seq}`, seq, 'dave', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    expect(await partial(sock)).toEqual([{ upTo: 1101, except: [1] }]);
  });

  it('partialReceipts and folded receipts, an invitation waits: a request the app sends as a later message is told carries no receipt (it would confirm the invitation); the receipt goes alone, naming it', async () => {
    conn.messages.add((m) => {
      if (m.id === 'm2') void conn.request({ type: 'relay', roomID: 1, data: 'answer' }).catch(() => undefined);
    });
    const sock = await login(true, 's1', true, { foldedReceipts: true });
    sock.deliver(message('m1', 1, 'alice', invite));
    sock.deliver(message('m2', 2, 'carol', 'hello'));
    sock.deliver({ type: 'backlog', more: true });
    const relay = sock.sent.map((t) => JSON.parse(t) as { type: string; received?: number }).find((f) => f.type === 'relay');
    expect(relay).toBeDefined();
    expect(relay).not.toHaveProperty('received');
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]);
    sock.deliver({ type: 'backlog', more: false });
    expect(told).toEqual(['m2', 'm1']);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }]); // within the spacing the last receipt started
    await (conn as unknown as { clock: SimulatedClock }).clock.advance(RECEIPT_DELAY_MS);
    expect(await partial(sock)).toEqual([{ upTo: 2, except: [1] }, { upTo: 2 }]);
  });
});
