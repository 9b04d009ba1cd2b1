/**
 * The `ImPort` contract: what every IM backend (memory, the embedded WebSocket server,
 * the Tencent IM fakes) must do the same way. Run it with {@link imPortContract}.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, ImMessage, ImPort, SendOptions } from '../../adapters/ImPort';

/** One fresh IM server per test, seen from the test. */
export interface ImContractHarness {
  /** A new client connection to the server (logged out). */
  connect(): ImPort;
  /** A credential the server accepts for `userID`. */
  userSig(userID: string): string;
  /** Server-side administration: a group with these members. */
  createGroup(groupID: string, members: readonly string[]): Promise<void>;
  /** Lets everything in flight arrive (advance a simulated clock, or wait for real I/O). */
  settle(): Promise<void>;
  dispose?(): Promise<void>;
}

/** Everything one port heard, in order. */
export interface ImRecorder {
  readonly messages: ImMessage[];
  readonly kicked: string[];
  readonly connection: ConnectionState[];
}

/** Subscribes to every listener of `port`. */
export function recordIm(port: ImPort): ImRecorder {
  const rec: ImRecorder = { messages: [], kicked: [], connection: [] };
  port.onMessage((m) => rec.messages.push(m));
  port.onKickedOut((r) => rec.kicked.push(r));
  port.onConnectionChange((s) => rec.connection.push(s));
  return rec;
}

const stored: SendOptions = { onlineUserOnly: false };
const onlineOnly: SendOptions = { onlineUserOnly: true };

/** `from` and `payload` (and `groupID` when present) of each message, for whole-log assertions. */
function brief(messages: readonly ImMessage[]): string[] {
  return messages.map((m) => `${m.from}${m.groupID === undefined ? '' : `@${m.groupID}`}: ${m.payload}`);
}

/** Defines the `ImPort` contract suite against the backend that `makeHarness` creates. */
export function imPortContract(name: string, makeHarness: () => ImContractHarness | Promise<ImContractHarness>): void {
  describe(`ImPort contract: ${name}`, () => {
    let h: ImContractHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.dispose?.();
    });

    async function online(userID: string): Promise<{ port: ImPort; rec: ImRecorder }> {
      const port = h.connect();
      const rec = recordIm(port);
      await port.login(userID, h.userSig(userID));
      return { port, rec };
    }

    it('login -> connected; a C2C message arrives stamped with the sender', async () => {
      const alice = await online('alice');
      const bob = await online('bob');
      await alice.port.sendToUser('bob', 'hello', stored);
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice: hello']);
      expect(bob.rec.messages[0]?.groupID).toBeUndefined();
      expect(typeof bob.rec.messages[0]?.sentAt).toBe('number');
      expect(alice.rec.messages).toEqual([]);
      expect(alice.rec.connection).toEqual(['connected']);
      expect(bob.rec.connection).toEqual(['connected']);
    });

    it('login with an empty userSig rejects 70001', async () => {
      await expect(h.connect().login('alice', '')).rejects.toMatchObject({ code: 70001 });
    });

    it('messages between online users arrive in send order', async () => {
      const alice = await online('alice');
      const bob = await online('bob');
      for (const n of [1, 2, 3, 4, 5]) await alice.port.sendToUser('bob', `m${n}`, stored);
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice: m1', 'alice: m2', 'alice: m3', 'alice: m4', 'alice: m5']);
    });

    it('messages to an offline user are stored and delivered on login in send order', async () => {
      const alice = await online('alice');
      await alice.port.sendToUser('bob', 'm1', stored);
      await alice.port.sendToUser('bob', 'm2', stored);
      await alice.port.sendToUser('bob', 'm3', stored);
      await h.settle();
      const bob = await online('bob');
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice: m1', 'alice: m2', 'alice: m3']);
    });

    it('onlineUserOnly to an offline user is dropped, not stored', async () => {
      const alice = await online('alice');
      await alice.port.sendToUser('bob', 'lost', onlineOnly);
      await h.settle();
      const bob = await online('bob');
      await alice.port.sendToUser('bob', 'live', onlineOnly);
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice: live']);
    });

    it('a second login of the same user kicks the first session; messages go to the newer one', async () => {
      const alice = await online('alice');
      const first = await online('bob');
      const second = await online('bob');
      expect(first.rec.kicked).toHaveLength(1);
      expect(second.rec.kicked).toEqual([]);
      await alice.port.sendToUser('bob', 'hi', stored);
      await h.settle();
      expect(first.rec.messages).toEqual([]);
      expect(brief(second.rec.messages)).toEqual(['alice: hi']);
      await expect(first.port.sendToUser('alice', 'x', stored)).rejects.toMatchObject({ code: 2024 });
    });

    it('a group message reaches every member but the sender, with the groupID', async () => {
      await h.createGroup('g1', ['alice', 'bob', 'carol']);
      const alice = await online('alice');
      const bob = await online('bob');
      const carol = await online('carol');
      await alice.port.sendToGroup('g1', 'all', stored);
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice@g1: all']);
      expect(brief(carol.rec.messages)).toEqual(['alice@g1: all']);
      expect(alice.rec.messages).toEqual([]);
    });

    it('sendToGroup to an unknown group, or by a non-member, rejects 10010', async () => {
      await h.createGroup('g1', ['bob', 'carol']);
      const alice = await online('alice');
      await expect(alice.port.sendToGroup('nope', 'x', stored)).rejects.toMatchObject({ code: 10010 });
      await expect(alice.port.sendToGroup('g1', 'x', stored)).rejects.toMatchObject({ code: 10010 });
    });

    it('sending while not logged in rejects 2024', async () => {
      const port = h.connect();
      await expect(port.sendToUser('bob', 'x', stored)).rejects.toMatchObject({ code: 2024 });
      await expect(port.sendToGroup('g1', 'x', stored)).rejects.toMatchObject({ code: 2024 });
    });

    it('after logout nothing is delivered to the port; the message waits for the next login', async () => {
      const alice = await online('alice');
      const bob = await online('bob');
      await bob.port.logout();
      await alice.port.sendToUser('bob', 'later', stored);
      await h.settle();
      expect(bob.rec.messages).toEqual([]);
      await expect(bob.port.sendToUser('alice', 'x', stored)).rejects.toMatchObject({ code: 2024 });
      await bob.port.login('bob', h.userSig('bob'));
      await h.settle();
      expect(brief(bob.rec.messages)).toEqual(['alice: later']);
    });

    it('an unsubscribed listener hears nothing more', async () => {
      const alice = await online('alice');
      const bob = await online('bob');
      const heard: string[] = [];
      const off = bob.port.onMessage((m) => heard.push(m.payload));
      await alice.port.sendToUser('bob', 'one', stored);
      await h.settle();
      off();
      await alice.port.sendToUser('bob', 'two', stored);
      await h.settle();
      expect(heard).toEqual(['one']);
      expect(brief(bob.rec.messages)).toEqual(['alice: one', 'alice: two']);
    });
  });
}
