/**
 * A session's remembered replies (server/session.ts): the answer a resent request hears instead of
 * being done twice. A reply whose truth waits on a held message (write-behind) stands once the
 * message settles, is forgotten if it failed, and from then on no longer holds the message: a
 * reply is remembered until the client says it has it, which may be many requests later, and
 * what it held (the message's body and payload) would live on with it.
 */
import { describe, expect, it } from 'vitest';
import type { Settling } from '../../server/conn';
import { Session } from '../../server/session';

/** A held message as the mailer's write-behind settles it: told once, waiters called in order. */
class FakeHeld implements Settling {
  private waiters: ((ok: boolean) => void)[] = [];
  whenSettled(fn: (ok: boolean) => void): void {
    this.waiters.push(fn);
  }
  settle(ok: boolean): void {
    for (const fn of this.waiters.splice(0)) fn(ok);
  }
  get waiting(): number {
    return this.waiters.length;
  }
}

const session = () => new Session('alice', 'token.1', 'digest', Number.MAX_SAFE_INTEGER);
const ACK = '{"type":"ack","rid":7}';

describe('remembered replies', () => {
  it('a reply waiting on a held message is not committed and names what it waits for, so a resend hears the outcome', () => {
    const s = session();
    const held = new FakeHeld();
    s.rememberSettling(7, 42, ACK, held);
    expect(s.replyTo(7, 42)).toMatchObject({ text: ACK, committed: false, settling: held });
    expect(s.replyTo(7, 43)).toBeUndefined(); // another request under the same rid
  });

  it('settled, the reply stands and lets go of the held message', () => {
    const s = session();
    const held = new FakeHeld();
    s.rememberSettling(7, 42, ACK, held);
    held.settle(true);
    expect(s.replyTo(7, 42)).toEqual({ key: 42, text: ACK, committed: true, settling: null });
    expect(s.rememberedReplies).toBe(1);
  });

  it('failed, the reply is forgotten (a resend is tried again) and holds nothing', () => {
    const s = session();
    const held = new FakeHeld();
    s.rememberSettling(7, 42, ACK, held);
    const entry = s.replyTo(7, 42);
    held.settle(false);
    expect(s.replyTo(7, 42)).toBeUndefined();
    expect(s.rememberedReplies).toBe(0);
    expect(s.rememberedChars).toBe(0);
    expect(entry?.settling).toBeNull();
  });

  it('a failure after the rid was answered again leaves the newer reply alone', () => {
    const s = session();
    const held = new FakeHeld();
    s.rememberSettling(7, 42, ACK, held);
    s.remember(7, 99, '{"type":"ack","rid":7,"id":"other"}', true);
    held.settle(false);
    expect(s.replyTo(7, 99)).toMatchObject({ committed: true });
    expect(held.waiting).toBe(0);
  });

  it('plain replies hold nothing to settle', () => {
    const s = session();
    s.remember(8, 1, ACK, true);
    expect(s.replyTo(8, 1)).toEqual({ key: 1, text: ACK, committed: true, settling: null });
  });
});
