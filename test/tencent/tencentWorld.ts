/**
 * A world of TRTCCalling clients on the tencent backend, over a fake Tencent cloud (the fake
 * TIM and TRTC of ./fakes) on one simulated clock: the same `World` the shared scenarios use
 * for the memory backend, so they run here unchanged.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { tencentBackend, type TencentBackend } from '../../src/tencent';
import { SimulatedClock } from '../../src/testing';
import { party, type Party, type World } from '../support/world';
import { FakeTimCloud, type FakeTim } from './fakes/fakeTim';
import { FakeTrtcCloud, type FakeTrtcModule } from './fakes/fakeTrtc';

/** The SDKAppID of the captures. */
export const SDK_APP_ID = 1400000001;

export interface TencentParty extends Party {
  readonly backend: TencentBackend;
  readonly tim: FakeTim;
  readonly trtc: FakeTrtcModule;
}

export interface TencentWorld extends World {
  readonly clock: SimulatedClock;
  readonly im: FakeTimCloud;
  readonly rtc: FakeTrtcCloud;
  /** Errors the backends reported (listener exceptions, playback failures), oldest first. */
  readonly errors: unknown[];
  user(userID: string): Promise<TencentParty>;
  /** A new client that is not logged in yet; `multiDevice`: its backend opts in to many devices. */
  client(userID: string, multiDevice?: boolean): TencentParty;
  /** A new client logged in as one more terminal of `userID` (its SDK_READY taken), opted in unless `multiDevice: false`. */
  device(userID: string, multiDevice?: boolean): Promise<TencentParty>;
  /** Lets everything due now happen. */
  settle(): Promise<void>;
}

export interface TencentWorldOptions {
  /** The clock's start, in ms (default 0). */
  readonly start?: number;
  readonly imLatency?: number;
  readonly rtcLatency?: number;
  /** Invite and room IDs; default: counters like the memory network's. */
  readonly inviteIdGen?: () => string;
  readonly roomIdGen?: () => number;
  /** TIM's multi-terminal login on the fake IM cloud (default off: a second login kicks the first). */
  readonly multiTerminal?: boolean;
}

/** The fake Tencent cloud on a simulated clock; IM and TRTC latency 20 ms, like the captures. */
export function tencentWorld(options: TencentWorldOptions = {}): TencentWorld {
  const clock = new SimulatedClock(options.start ?? 0);
  const im = new FakeTimCloud(clock, options.imLatency ?? 20, false, options.multiTerminal ?? false);
  const rtc = new FakeTrtcCloud(clock, options.rtcLatency ?? 20);
  const errors: unknown[] = [];
  const parties: TencentParty[] = [];
  let invites = 0;
  let rooms = 1000;
  const inviteIdGen = options.inviteIdGen ?? (() => `00000000-0000-4000-8000-${(++invites).toString(16).padStart(12, '0')}`);
  const roomIdGen = options.roomIdGen ?? (() => ++rooms);

  const client = (userID: string, multiDevice = false): TencentParty => {
    const tim = im.create();
    const trtc = rtc.module(userID);
    const backend = tencentBackend({ SDKAppID: SDK_APP_ID, tim, TRTC: trtc, clock, multiDevice, onError: (e) => errors.push(e) });
    const calling = new TRTCCalling({ SDKAppID: SDK_APP_ID, backend: { ...backend, inviteIdGen, roomIdGen } });
    const p: TencentParty = { ...party(userID, calling), backend, tim, trtc };
    parties.push(p);
    return p;
  };

  const loggedIn = async (p: TencentParty): Promise<TencentParty> => {
    const login = p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
    await clock.advance(100);
    await login;
    p.take();
    return p;
  };

  return {
    clock,
    im,
    rtc,
    errors,
    client,
    user: (userID) => loggedIn(client(userID)),
    device: (userID, multiDevice = true) => loggedIn(client(userID, multiDevice)),
    async createGroup(groupID, members) {
      im.createGroup(groupID, members);
    },
    advance: (ms) => clock.advance(ms),
    settle: () => clock.settle(),
    async dispose() {
      for (const p of parties) p.calling.destroy();
      // Leaving a room takes (simulated) time: let the clock run while the backends close.
      await Promise.all([...parties.map((p) => p.backend.dispose()), clock.runUntilIdle(60_000)]);
    },
  };
}

/** Alice and Bob logged in on a fresh world. */
export interface AliceAndBob {
  readonly world: TencentWorld;
  readonly alice: TencentParty;
  readonly bob: TencentParty;
}

/**
 * Each test of the file gets a fresh world with Alice and Bob logged in, handed to `use` (which
 * may set up more); after it, no backend reported an error, and the world is disposed.
 */
export function withAliceAndBob(use: (t: AliceAndBob) => Promise<void> | void): void {
  let world: TencentWorld | undefined;
  beforeEach(async () => {
    const fresh = tencentWorld();
    world = fresh;
    await use({ world: fresh, alice: await fresh.user('alice'), bob: await fresh.user('bob') });
  });
  afterEach(async () => {
    expect(world?.errors).toEqual([]);
    await world?.dispose();
  });
}
