/**
 * The inbox of one connection: each message passed on once, confirmed (cumulatively) only once
 * it was taken, one receipt per turn of the event loop at most.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLD_AT_MOST, Inbox, RECEIPT_BUSY_DELAY_MS, RECEIPT_DELAY_MS } from '../../../adapters/ws/inbox';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

const turn = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Inbox', () => {
  function inbox() {
    const receipts: number[] = [];
    return { box: new Inbox((upTo) => receipts.push(upTo) > 0), receipts };
  }

  it('messages taken in order -> one receipt per turn, for the last one', async () => {
    const { box, receipts } = inbox();
    box.accept('a', 1)?.();
    box.accept('b', 2)?.();
    await turn();
    box.accept('c', 3)?.();
    await turn();
    expect(receipts).toEqual([2, 3]);
  });

  it('a message not taken yet holds the receipt of every later one: a receipt confirms everything up to it', async () => {
    const { box, receipts } = inbox();
    const first = box.accept('a', 1);
    box.accept('b', 2)?.();
    box.accept('c', 3)?.();
    await turn();
    expect(receipts).toEqual([]);
    first?.();
    first?.(); // twice is once
    await turn();
    expect(receipts).toEqual([3]);
  });

  it('a redelivered message is not passed on again; it is confirmed with its first copy', async () => {
    const { box, receipts } = inbox();
    const first = box.accept('a', 1);
    box.newSession(); // the connection dropped before Bob's core took it; the server sends it again
    expect(box.accept('a', 1)).toBeNull();
    await turn();
    expect(receipts).toEqual([]);
    first?.(); // the old session's confirmation counts for the copy of the new one
    await turn();
    expect(receipts).toEqual([1]);
    expect(box.accept('a', 2)).toBeNull(); // and a later copy of a taken message is confirmed at once
    await turn();
    expect(receipts).toEqual([1, 2]);
  });

  it('flush() sends nothing new when nothing new was taken', async () => {
    const { box, receipts } = inbox();
    box.accept('a', 1)?.();
    await turn();
    box.flush();
    expect(receipts).toEqual([1]);
  });
});

describe('Inbox, receipts folded into requests', () => {
  function folded(spaced = false) {
    const receipts: number[] = [];
    /** Timers set and not cancelled (a fired one stays), with their delays. */
    const timers: Array<() => void> = [];
    const delays: number[] = [];
    const box = new Inbox((upTo) => receipts.push(upTo) > 0);
    box.fold((fn, ms) => {
      timers.push(fn);
      delays.push(ms);
      return () => {
        const i = timers.indexOf(fn);
        timers.splice(i, 1);
        delays.splice(i, 1);
      };
    }, spaced);
    return { box, receipts, timers, delays };
  }

  it('a request sent in the turn the message came in carries its receipt (claim); else the receipt goes alone when the turn ends, at once', async () => {
    const { box, receipts, timers } = folded();
    box.accept('a', 1)?.();
    box.accept('b', 2)?.();
    expect(box.claim()).toBe(2); // an answer goes out in this turn: it carries the receipt
    await turn();
    expect(receipts).toEqual([]);
    expect(timers).toHaveLength(0);
    expect(box.claim()).toBeUndefined();
    box.accept('c', 3)?.();
    await turn(); // nothing went out in this turn: the receipt goes alone, no delay
    expect(receipts).toEqual([3]);
  });

  it('a lone session: after a receipt that went alone, the next ones wait for a request or for the spacing to end, so a stream costs at most 20 receipt frames a second (and as many early ones, below)', async () => {
    const { box, receipts, timers, delays } = folded();
    box.accept('a', 1)?.();
    await turn();
    expect(receipts).toEqual([1]);
    expect(delays).toEqual([RECEIPT_DELAY_MS]); // the spacing started
    box.accept('b', 2)?.();
    await turn();
    expect(receipts).toEqual([1]); // within the spacing: it waits
    expect(box.claim()).toBe(2); // a request carried it
    timers[0]?.(); // the spacing ends with nothing left to send: no frame, no new spacing
    expect(receipts).toEqual([1]);
    expect(timers).toHaveLength(1); // (a fired timer stays in the list)
    box.accept('c', 3)?.();
    await turn();
    expect(receipts).toEqual([1, 3]); // after the spacing: at once again
    box.accept('d', 4)?.();
    box.accept('e', 5)?.();
    await turn();
    timers[1]?.(); // the spacing ends: what waited goes, in one receipt, and a new spacing starts
    expect(receipts).toEqual([1, 3, 5]);
    expect(delays).toEqual([RECEIPT_DELAY_MS, RECEIPT_DELAY_MS, RECEIPT_DELAY_MS]);
  });

  it('one device of many: the spacing after a receipt that went alone is the longer one, so a stream costs a few frames a second per device', async () => {
    const { box, receipts, delays } = folded(true);
    box.accept('a', 1)?.();
    await turn();
    expect(receipts).toEqual([1]); // the first goes at once, as for a lone session
    expect(delays).toEqual([RECEIPT_BUSY_DELAY_MS]);
    expect(RECEIPT_DELAY_MS).toBeLessThan(RECEIPT_BUSY_DELAY_MS);
  });

  it('within a spacing, a receipt goes at once when many messages wait for it (the server window must not fill), once per spacing', async () => {
    const { box, receipts, timers } = folded();
    box.accept('m0', 1)?.();
    await turn();
    for (let seq = 2; seq <= FOLD_AT_MOST; seq++) box.accept(`m${seq}`, seq)?.();
    await turn();
    expect(receipts).toEqual([1]); // within the spacing, fewer than FOLD_AT_MOST wait
    box.accept('last', FOLD_AT_MOST + 1)?.();
    await turn();
    expect(receipts).toEqual([1, FOLD_AT_MOST + 1]);
    expect(timers).toHaveLength(1); // the spacing runs on: an early receipt does not start another
    // Once per spacing: as many again wait for the spacing's end (or a request), however many come.
    for (let seq = FOLD_AT_MOST + 2; seq <= 3 * FOLD_AT_MOST; seq++) box.accept(`m${seq}`, seq)?.();
    await turn();
    expect(receipts).toEqual([1, FOLD_AT_MOST + 1]);
    timers[0]?.();
    expect(receipts).toEqual([1, FOLD_AT_MOST + 1, 3 * FOLD_AT_MOST]);
  });

  it('a flood (one device of many, a message every ms for 2 s, each taken in its own turn): at most two receipt frames per spacing, 8 a second', async () => {
    const clock = new SimulatedClock(0);
    const sentAt: number[] = [];
    const box = new Inbox(() => sentAt.push(clock.now()) > 0);
    box.fold((fn, ms) => {
      const timer = clock.setTimeout(fn, ms);
      return () => clock.clearTimeout(timer);
    }, true);
    for (let seq = 1; seq <= 2000; seq++) {
      box.accept(`m${seq}`, seq)?.();
      await clock.advance(1);
    }
    const perSecond = [0, 1].map((s) => sentAt.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length);
    expect(perSecond.every((n) => n <= (2 * 1000) / RECEIPT_BUSY_DELAY_MS)).toBe(true);
    expect(perSecond[1]).toBeGreaterThan(1000 / RECEIPT_BUSY_DELAY_MS); // the early ones still go (the window must not fill)
  });

  it('a receipt the connection could not write (not logged in yet) is not counted as sent: the next one or a request carries it', async () => {
    const receipts: number[] = [];
    let open = false;
    const box = new Inbox((upTo) => open && receipts.push(upTo) > 0);
    box.accept('a', 1)?.();
    await turn();
    expect(receipts).toEqual([]);
    open = true;
    box.flush();
    expect(receipts).toEqual([1]);
  });

  it('ids passed on are per user: a connection logged in as another user passes on a message with an id it passed on before', async () => {
    const receipts: number[] = [];
    const box = new Inbox((upTo) => receipts.push(upTo) > 0);
    box.forUser('alice');
    box.accept('group-msg', 1)?.();
    await turn();
    box.newSession();
    box.forUser('alice'); // the same user again (a new session): a redelivery is still one
    expect(box.accept('group-msg', 1)).toBeNull();
    await turn();
    box.newSession();
    box.forUser('bob');
    const bobs = box.accept('group-msg', 1);
    expect(bobs).not.toBeNull();
    bobs?.();
    await turn();
    expect(receipts).toEqual([1, 1, 1]); // each confirmed in its own session
  });

  it("a message of the first user taken late (its receipt deferred) after the connection went to another user: the second user's copy is still passed on", () => {
    const box = new Inbox(() => true);
    box.forUser('alice');
    const alicesTaken = box.accept('group-msg', 1); // a listener deferred it
    box.newSession();
    box.forUser('bob');
    alicesTaken?.();
    expect(box.accept('group-msg', 1)).not.toBeNull();
  });

  it('a new session (another server, or none) ends the spacing and folds no more until told otherwise', async () => {
    const { box, receipts, timers } = folded();
    box.accept('a', 1)?.();
    await turn();
    expect(timers).toHaveLength(1); // a spacing runs
    box.newSession();
    expect(timers).toHaveLength(0); // cancelled
    expect(box.folding).toBe(false);
    box.accept('b', 1)?.();
    await turn();
    expect(receipts).toEqual([1, 1]); // at once, though the old session's spacing had not ended
    box.accept('c', 2)?.();
    await turn();
    expect(receipts).toEqual([1, 1, 2]);
    expect(timers).toHaveLength(0); // not folded: no spacing
  });
});

describe('receipts over the embedded server', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  it('a message whose listener took the receipt over and never confirmed it -> delivered again at the next login; one confirmed is not', async () => {
    const alice = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    await alice.im.sendToUser('bob', 'one', { onlineUserOnly: false });
    await alice.im.sendToUser('bob', 'two', { onlineUserOnly: false });
    const first = world.backend();
    const heard: string[] = [];
    const confirm: Array<() => void> = [];
    first.im.onMessage((m) => {
      heard.push(m.payload);
      const taken = m.defer?.();
      if (m.payload === 'one' && taken) confirm.push(taken);
    });
    await first.im.login('bob', world.userSig('bob'));
    await world.settle();
    confirm.forEach((taken) => taken());
    await world.settle();
    // 'two' was deferred and never confirmed: the server keeps it.
    expect(heard).toEqual(['one', 'two']);
    await first.im.logout();
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 1 });
    const second = world.backend();
    const again: string[] = [];
    second.im.onMessage((m) => again.push(m.payload));
    await second.im.login('bob', world.userSig('bob'));
    await world.settle();
    expect(again).toEqual(['two']);
    // This server takes receipts folded into requests: with no request going out, the receipt
    // goes alone once the turn ends, with no delay.
    expect((await world.server()).metrics()).toMatchObject({ storedNow: 0 });
  });
});
