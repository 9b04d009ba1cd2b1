/**
 * The `RoomPort` contract: what every media backend (memory, the embedded server's rooms,
 * the TRTC fakes) must do the same way. Run it with {@link roomPortContract}.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnterOptions, RoomEvent, RoomPort } from '../../adapters/RoomPort';

/** A view binding as a backend reports it. */
export interface ContractView {
  readonly kind: 'local' | 'remote';
  readonly userID: string;
  readonly domID: string;
}

/** One fresh room server per test, seen from the test. */
export interface RoomContractHarness {
  /** A new client connection for `userID` (logged in wherever the backend needs it). */
  connect(userID: string): RoomPort | Promise<RoomPort>;
  /** Lets everything in flight arrive (advance a simulated clock, or wait for real I/O). */
  settle(): Promise<void>;
  /** Simulated devices (required when the suite is told the backend has devices). */
  setDevices?(
    userID: string,
    devices: { microphone?: boolean; camera?: boolean; permission?: 'granted' | 'denied' },
  ): void;
  /** The view bindings of `userID` (required when the suite is told the backend has views). */
  views?(userID: string): readonly ContractView[];
  /**
   * Lets `userID` into `roomID` where rooms belong to calls (the embedded server admits only the
   * users a call invited): the suite enters rooms without calls, so the harness admits them.
   */
  admit?(roomID: number, userID: string): void | Promise<void>;
  /** Cuts (or restores) `userID`'s media connections while it stays in its room, where the backend can. */
  setMediaConnected?(userID: string, connected: boolean): void;
  dispose?(): Promise<void>;
}

/** Subscribes to `port` and returns the list its events go into. */
export function recordRoom(port: RoomPort): RoomEvent[] {
  const events: RoomEvent[] = [];
  port.onEvent((e) => events.push(e));
  return events;
}

/** One line per event, for whole-log assertions. */
export function briefRoom(events: readonly RoomEvent[]): string[] {
  return events.map((e) => {
    if (e.type === 'failed') return `${e.roomID} failed ${e.error.code}`;
    if (e.type === 'reconnected') return `${e.roomID} reconnected [${e.members.join(',')}]${e.resumed ? ' resumed' : ''}`;
    if (e.type === 'audioAvailable' || e.type === 'videoAvailable') return `${e.roomID} ${e.type} ${e.userID} ${e.available}`;
    return `${e.roomID} ${e.type} ${e.userID}`;
  });
}

/**
 * A member's arrival as every backend reports it: `memberJoined` first, then its media and
 * what it publishes in the backend's own order (a room that learns what a member publishes
 * from its media says so after `mediaArrived`; the others before). The call holds what a
 * member publishes until its media arrived, so the user sees the same either way.
 */
function arrival(lines: readonly string[]): [string | undefined, string[]] {
  return [lines[0], [...lines.slice(1)].sort()];
}

const video = (userID: string): EnterOptions => ({ userID, video: true, audioMuted: false });
const audio = (userID: string): EnterOptions => ({ userID, video: false, audioMuted: false });

/** Defines the `RoomPort` contract suite against the backend that `makeHarness` creates. */
export function roomPortContract(
  name: string,
  makeHarness: () => RoomContractHarness | Promise<RoomContractHarness>,
  /** What the backend can show: a signaling-only room has no devices to fail. */
  capabilities: { readonly devices: boolean; readonly views: boolean; readonly mediaConnections?: boolean } = { devices: true, views: true },
): void {
  describe(`RoomPort contract: ${name}`, () => {
    let h: RoomContractHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.dispose?.();
    });

    /** Awaits a port call while letting the backend run. */
    async function run<T>(p: Promise<T>): Promise<T> {
      const [value] = await Promise.all([p, h.settle()]);
      await h.settle();
      return value;
    }

    /** Enters as `options.userID`, admitted first where the backend needs it. */
    async function enter(port: RoomPort, roomID: number, options: EnterOptions): Promise<void> {
      await h.admit?.(roomID, options.userID);
      return port.enter(roomID, options);
    }

    async function member(userID: string, roomID: number, options: EnterOptions) {
      const port = await h.connect(userID);
      const events = recordRoom(port);
      await run(enter(port, roomID, options));
      return { port, events };
    }

    it('enter and exit are announced both ways, with the current audio/video state', async () => {
      const alice = await member('alice', 1001, video('alice'));
      const bob = await member('bob', 1001, audio('bob'));
      expect(arrival(briefRoom(alice.events))).toEqual(['1001 memberJoined bob', ['1001 audioAvailable bob true', '1001 mediaArrived bob']]);
      expect(arrival(briefRoom(bob.events))).toEqual([
        '1001 memberJoined alice',
        ['1001 audioAvailable alice true', '1001 mediaArrived alice', '1001 videoAvailable alice true'],
      ]);
      await run(bob.port.exit());
      expect(briefRoom(alice.events).slice(3)).toEqual(['1001 memberLeft bob']);
      expect(briefRoom(bob.events)).toHaveLength(4);
    });

    it('a muted, camera-off newcomer is announced by memberJoined and mediaArrived alone', async () => {
      const alice = await member('alice', 1002, video('alice'));
      await member('bob', 1002, { userID: 'bob', video: false, audioMuted: true });
      expect(briefRoom(alice.events)).toEqual(['1002 memberJoined bob', '1002 mediaArrived bob']);
    });

    it('exit when in no room resolves', async () => {
      const port = await h.connect('alice');
      await expect(run(port.exit())).resolves.toBeUndefined();
    });

    it('entering while already in a room rejects 65535', async () => {
      const alice = await member('alice', 1003, video('alice'));
      await expect(run(alice.port.enter(1004, video('alice')))).rejects.toMatchObject({ code: 65535 });
    });

    it('camera and microphone changes reach the others, only on a real change', async () => {
      const alice = await member('alice', 1005, video('alice'));
      const bob = await member('bob', 1005, video('bob'));
      await run(alice.port.setCamera(false));
      await run(alice.port.setCamera(false));
      await run(alice.port.setMicMuted(true));
      await run(alice.port.setMicMuted(true));
      await run(alice.port.setCamera(true));
      await run(alice.port.setMicMuted(false));
      expect(briefRoom(bob.events).slice(4)).toEqual([
        '1005 videoAvailable alice false',
        '1005 audioAvailable alice false',
        '1005 videoAvailable alice true',
        '1005 audioAvailable alice true',
      ]);
      expect(briefRoom(alice.events)).toHaveLength(4);
    });

    it('camera and microphone changes outside a room notify nobody', async () => {
      const alice = await member('alice', 1006, video('alice'));
      const bob = await h.connect('bob');
      await run(bob.setCamera(true));
      await run(bob.setMicMuted(true));
      expect(alice.events).toEqual([]);
    });

    if (capabilities.devices) it('device failures reject with the spec codes', async () => {
      if (!h.setDevices) throw new Error('this harness claims device support but has no setDevices');
      h.setDevices('nomic', { microphone: false });
      h.setDevices('nocam', { camera: false });
      h.setDevices('denied', { permission: 'denied' });
      const noMic = await h.connect('nomic');
      const noCam = await h.connect('nocam');
      const denied = await h.connect('denied');
      await expect(run(enter(noMic, 1007, audio('nomic')))).rejects.toMatchObject({ code: 60003 });
      await expect(run(enter(denied, 1007, audio('denied')))).rejects.toMatchObject({ code: 60005 });
      await expect(run(enter(noCam, 1007, video('nocam')))).rejects.toMatchObject({ code: 60004 });
      await run(enter(noCam, 1007, audio('nocam')));
      await expect(run(noCam.setCamera(true))).rejects.toMatchObject({ code: 60004 });
    });

    if (capabilities.views) it('views: local and remote bindings are recorded and cleared on exit', async () => {
      if (!h.views) throw new Error('this harness claims views but has no views()');
      const bob = await member('bob', 1008, video('bob'));
      const alice = await h.connect('alice');
      await run(alice.startLocalView('me'));
      await run(enter(alice, 1008, video('alice')));
      await run(alice.startRemoteView('bob', 'remote-bob'));
      expect(h.views('alice')).toEqual([
        { kind: 'local', userID: 'alice', domID: 'me' },
        { kind: 'remote', userID: 'bob', domID: 'remote-bob' },
      ]);
      await run(alice.stopLocalView('me'));
      expect(h.views('alice')).toEqual([{ kind: 'remote', userID: 'bob', domID: 'remote-bob' }]);
      await run(alice.exit());
      expect(h.views('alice')).toEqual([]);
      expect(bob.events.map((e) => e.type)).toContain('memberLeft');
    });

    if (capabilities.views) it('views: stopped without an element -> wherever they play (trtc-calling-js stops a user\'s video by its user alone)', async () => {
      if (!h.views) throw new Error('this harness claims views but has no views()');
      await member('bob', 1010, video('bob'));
      const alice = await h.connect('alice');
      await run(alice.startLocalView('me'));
      await run(enter(alice, 1010, video('alice')));
      await run(alice.startRemoteView('bob', 'remote-bob'));
      await run(alice.stopRemoteView('bob'));
      expect(h.views('alice')).toEqual([{ kind: 'local', userID: 'alice', domID: 'me' }]);
      await run(alice.stopLocalView());
      expect(h.views('alice')).toEqual([]);
    });

    it('startRemoteView of a user not in the room, or with an empty domID, rejects', async () => {
      const alice = await member('alice', 1009, video('alice'));
      await expect(run(alice.port.startRemoteView('ghost', 'remote-ghost'))).rejects.toMatchObject({
        code: 65535,
      });
      await expect(run(alice.port.startLocalView(''))).rejects.toBeInstanceOf(Error);
      await member('bob', 1009, video('bob'));
      await expect(run(alice.port.startRemoteView('bob', ''))).rejects.toBeInstanceOf(Error);
      await run(alice.port.startRemoteView('bob', 'remote-bob'));
    });

    it('two members entering at the same moment each hear the other join, with its media', async () => {
      const alice = await h.connect('alice');
      const bob = await h.connect('bob');
      const aliceEvents = recordRoom(alice);
      const bobEvents = recordRoom(bob);
      await h.admit?.(1012, 'alice');
      await h.admit?.(1012, 'bob');
      await run(Promise.all([alice.enter(1012, audio('alice')), bob.enter(1012, audio('bob'))]));
      expect(arrival(briefRoom(aliceEvents))).toEqual(['1012 memberJoined bob', ['1012 audioAvailable bob true', '1012 mediaArrived bob']]);
      expect(arrival(briefRoom(bobEvents))).toEqual(['1012 memberJoined alice', ['1012 audioAvailable alice true', '1012 mediaArrived alice']]);
    });

    // Rooms whose media connections a test can cut (not the signaling-only room, not TRTC's SFU).
    if (capabilities.mediaConnections) it('a lost media connection is reported as a fact on both ends, and its return too; nobody leaves', async () => {
      if (!h.setMediaConnected) throw new Error('this harness claims media connections but has no setMediaConnected');
      const alice = await member('alice', 1013, audio('alice'));
      const bob = await member('bob', 1013, audio('bob'));
      h.setMediaConnected('bob', false);
      await h.settle();
      h.setMediaConnected('bob', true);
      await h.settle();
      expect(briefRoom(alice.events).slice(-2)).toEqual(['1013 connectionLost bob', '1013 connectionBack bob']);
      expect(briefRoom(bob.events).slice(-2)).toEqual(['1013 connectionLost alice', '1013 connectionBack alice']);
    });

    it('members of other rooms are not heard', async () => {
      const alice = await member('alice', 1010, video('alice'));
      const bob = await member('bob', 1011, video('bob'));
      await run(bob.port.setCamera(false));
      await run(bob.port.exit());
      expect(alice.events).toEqual([]);
      expect(bob.events).toEqual([]);
    });
  });
}
