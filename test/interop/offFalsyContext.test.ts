/**
 * The review of 77b8960 (2026-12-04; fixed since): on() stores `context || this` (it was `context ?? this`), off() compares the context
 * it is given with `!==` unless it is `undefined`. A listener added with a falsy context (0, '', false,
 * null) is stored with the instance as its context, so off() with that same context never removes it.
 * trtc-calling-js 1.0.6 (eventemitter3: `context || emitter` on add, `!context ||` on remove) removes it.
 */
import { describe, expect, it } from 'vitest';
import type { Kind, Party } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const KINDS: Kind[] = ['official', 'ours'];
type AnyCalling = {
  on(name: string, cb: (...a: unknown[]) => void, ctx?: unknown): void;
  off(name: string, cb?: (...a: unknown[]) => void, ctx?: unknown): void;
};
const api = (p: Party) => p.calling as unknown as AnyCalling;

describe.each(KINDS)('a listener added with a falsy context, against %s', (kind) => {
  for (const ctx of [0, '', false, null])
    it(`on(name, cb, ${JSON.stringify(ctx)}) then off(name, cb, ${JSON.stringify(ctx)}) removes it`, async () => {
      const alice = await t.world.party('official', 'alice');
      const bob = await t.world.party(kind, 'bob');
      let calls = 0;
      const cb = () => { calls += 1; };
      api(bob).on('onInvited', cb, ctx);
      api(bob).off('onInvited', cb, ctx);
      await t.world.act(alice.call('bob', 2));
      await t.world.advance(S);
      expect(calls).toBe(0);
      await t.world.act(bob.reject());
    });
});
