import { describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { SimulatedClock } from '../../../adapters/memory';

describe('SimulatedClock', () => {
  it('starts at the given time and advance() ends exactly at start + ms', async () => {
    const clock = new SimulatedClock(1000);
    expect(clock.now()).toBe(1000);
    await clock.advance(250);
    expect(clock.now()).toBe(1250);
  });

  it('refuses a step that is not a finite number >= 0 with a RangeError, and moves nothing (it ran as 0 before)', async () => {
    const clock = new SimulatedClock(1000);
    const log: number[] = [];
    clock.setTimeout(() => log.push(clock.now()), 0);
    for (const ms of [-5, Number.NaN, Infinity, '5' as unknown as number]) {
      await expect(clock.advance(ms)).rejects.toThrow(RangeError);
      await expect(clock.runUntilIdle(ms)).rejects.toThrow(/runUntilIdle\(\): limitMs must be a finite number of ms >= 0/);
    }
    await expect(clock.advance(-5)).rejects.toThrow('SimulatedClock.advance(): ms must be a finite number of ms >= 0 (got -5)');
    expect(log).toEqual([]);
    expect(clock.now()).toBe(1000);
    await clock.advance(0);
    expect(log).toEqual([1000]);
    expect(() => new SimulatedClock(Number.NaN)).toThrow(RangeError);
    expect(() => new SimulatedClock('5' as unknown as number)).toThrow('SimulatedClock: start must be a finite number of ms (got "5")');
    expect(() => new SimulatedClock(0, { settle: 1 as never })).toThrow(TypeError);
    expect(new SimulatedClock(5, null as never).now()).toBe(5);
    // A function that is not one failed only when its time came, inside some later advance().
    expect(() => clock.setTimeout('tick' as never, 10)).toThrow('SimulatedClock.setTimeout(): fn must be a function (got "tick")');
    expect(clock.pending()).toBe(0);
  });

  it('an advance() started from inside a timer (a listener) runs after the one running, from where it ended', async () => {
    const clock = new SimulatedClock();
    let inner: Promise<void> | undefined;
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push(`outer@${clock.now()}`);
      inner = clock.advance(100);
      clock.setTimeout(() => log.push(`scheduled@${clock.now()}`), 50);
    }, 10);
    await clock.advance(20);
    expect(log).toEqual(['outer@10']);
    expect(clock.now()).toBe(20);
    await inner;
    expect(log).toEqual(['outer@10', 'scheduled@60']);
    expect(clock.now()).toBe(120);
  });

  it('runs timers by due time, FIFO on ties, each seeing now() = its due time', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    const at = (name: string) => () => log.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('a'), 10);
    clock.setTimeout(at('b'), 10);
    clock.setTimeout(at('c'), 5);
    clock.setTimeout(at('d'), 10);
    clock.setTimeout(at('late'), 11);
    await clock.advance(10);
    expect(log).toEqual(['c@5', 'a@10', 'b@10', 'd@10']);
    expect(clock.pending()).toBe(1);
  });

  it('treats negative and NaN delays as 0', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    clock.setTimeout(() => log.push('nan'), Number.NaN);
    clock.setTimeout(() => log.push('negative'), -100);
    clock.setTimeout(() => log.push('zero'), 0);
    await clock.settle();
    expect(log).toEqual(['nan', 'negative', 'zero']);
    expect(clock.now()).toBe(0);
  });

  it('clearTimeout cancels; pending() counts what is scheduled', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    const a = clock.setTimeout(() => log.push('a'), 5);
    clock.setTimeout(() => log.push('b'), 5);
    expect(clock.pending()).toBe(2);
    clock.clearTimeout(a);
    clock.clearTimeout('not a timer');
    expect(clock.pending()).toBe(1);
    await clock.advance(5);
    expect(log).toEqual(['b']);
    expect(clock.pending()).toBe(0);
  });

  it('runs timers scheduled during advance() when they fall inside the window', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push(`first@${clock.now()}`);
      clock.setTimeout(() => log.push(`inside@${clock.now()}`), 30);
      clock.setTimeout(() => log.push(`outside@${clock.now()}`), 200);
      clock.setTimeout(() => log.push(`now@${clock.now()}`), 0);
    }, 10);
    await clock.advance(100);
    expect(log).toEqual(['first@10', 'now@10', 'inside@40']);
    expect(clock.now()).toBe(100);
    await clock.advance(110);
    expect(log.at(-1)).toBe('outside@210');
  });

  it('lets a promise chain started by a timer finish before the next timer runs', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    const chain = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
      log.push(`chain done@${clock.now()}`);
      clock.setTimeout(() => log.push(`scheduled by chain@${clock.now()}`), 0);
    };
    clock.setTimeout(() => void chain(), 10);
    clock.setTimeout(() => log.push(`same instant@${clock.now()}`), 10);
    await clock.advance(10);
    expect(log).toEqual(['chain done@10', 'same instant@10', 'scheduled by chain@10']);
  });

  it('drains pending microtasks before the first timer', async () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    void Promise.resolve().then(() => clock.setTimeout(() => log.push('from microtask'), 0));
    await clock.settle();
    expect(log).toEqual(['from microtask']);
  });

  it('runUntilIdle() runs everything, returns the time advanced, and stops at its limit', async () => {
    const clock = new SimulatedClock();
    clock.setTimeout(() => clock.setTimeout(() => undefined, 70), 30);
    expect(await clock.runUntilIdle()).toBe(100);
    expect(clock.pending()).toBe(0);
    expect(await clock.runUntilIdle()).toBe(0);
    const tick = (): void => {
      clock.setTimeout(tick, 1000);
    };
    tick();
    expect(await clock.runUntilIdle(5000)).toBe(5000);
    expect(clock.now()).toBe(5100);
    expect(clock.pending()).toBe(1);
  });

  it('overlapping advance() calls run one after the other', async () => {
    const clock = new SimulatedClock();
    const log: number[] = [];
    clock.setTimeout(() => log.push(clock.now()), 15);
    await Promise.all([clock.advance(10), clock.advance(10)]);
    expect(log).toEqual([15]);
    expect(clock.now()).toBe(20);
  });

  it('a throwing timer rejects that advance(); the clock keeps working', async () => {
    const clock = new SimulatedClock();
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 5);
    await expect(clock.advance(10)).rejects.toThrow('boom');
    const log: number[] = [];
    clock.setTimeout(() => log.push(clock.now()), 1);
    await clock.advance(10);
    expect(log).toEqual([6]);
  });

  it('drives XState delayed transitions as an actor clock', async () => {
    const machine = setup({}).createMachine({
      initial: 'waiting',
      states: { waiting: { after: { 1000: 'done' }, on: { cancel: 'cancelled' } }, done: {}, cancelled: {} },
    });
    const clock = new SimulatedClock();
    const actor = createActor(machine, { clock }).start();
    expect(clock.pending()).toBe(1);
    await clock.advance(999);
    expect(actor.getSnapshot().value).toBe('waiting');
    await clock.advance(1);
    expect(actor.getSnapshot().value).toBe('done');

    const other = createActor(machine, { clock }).start();
    other.send({ type: 'cancel' });
    expect(clock.pending()).toBe(0);
    await clock.advance(2000);
    expect(other.getSnapshot().value).toBe('cancelled');
  });
});
