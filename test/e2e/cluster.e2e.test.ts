/**
 * The demo in Chromium against a cluster: two `server/bin.ts` processes on the machine's Redis, each
 * serving the demo page, Alice signed in on node 0 and Bob on node 1 (each page given both nodes,
 * its own first: `?ws=URL,URL`). Their call crosses the nodes: the invitation, the answer and every
 * relay of the WebRTC negotiation go through Redis, the media goes peer to peer. Then Bob's node is
 * killed (SIGKILL, no goodbye to Redis or to anyone) in the middle of the call: his page dials the
 * next URL, his session resumes on node 0, and the call goes on. Each test asserts every event
 * each page logged, in order.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBrowser } from './support/browser';
import { DEMO_DIR } from './support/demoServer';
import { testChromium } from './support/suite';
import { DemoUser, e, shape, callerStart, calleeStart, groupCallLogs } from './support/demoPage';
import { type TestCluster, redisProxy, startCluster, startNode, until } from '../cluster/support';
import { type Size, keepPeerConnections, received } from './support/peerBytes';

describe('demo page in Chromium against a two-node cluster', () => {
  let chromium: RunningBrowser;
  /** The cluster of the running test: the shared one, or its own. */
  let cluster: TestCluster;
  /** Between the nodes and Redis: a test cuts it. */
  let redis: Awaited<ReturnType<typeof redisProxy>>;
  const users: DemoUser[] = [];
  beforeAll(async () => {
    chromium = await testChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });
  /** What every node runs with: the demo page, its signing and presence, as `npm start` serves them. */
  const DEMO_FLAGS = ['--static', DEMO_DIR, '--demo-signing', '--presence'];
  const startOwn = async () => {
    redis = await redisProxy();
    cluster = await startCluster(2, DEMO_FLAGS, redis.url);
  };
  /** The pages first (closed, they dial no node that is stopping), then the nodes. */
  const closePages = async () => {
    for (const user of users.splice(0)) await user.close();
  };
  const stopOwn = async () => {
    await cluster?.dispose();
    await redis?.close();
  };

  /** `userID` signs in on node `home`'s page, which tries its own node first, then the other. */
  async function open(userID: string, home: 0 | 1): Promise<DemoUser> {
    const [own, other] = home === 0 ? cluster.nodes : [...cluster.nodes].reverse();
    const ws = encodeURIComponent(`${own!.url},${other!.url}`);
    const user = await DemoUser.open(chromium.browser, own!.httpUrl, userID, { init: keepPeerConnections, query: `?ws=${ws}` });
    users.push(user);
    return user;
  }

  /** Alice and Bob see each other: each heard the other enter, and video frames play both ways (their sizes). */
  async function talking(alice: DemoUser, bob: DemoUser, timeout?: number): Promise<[Size, Size]> {
    await alice.waitEvent('onUserEnter', { userID: bob.userID }, timeout);
    await bob.waitEvent('onUserEnter', { userID: alice.userID });
    return Promise.all([alice.waitFrames(bob.userID), bob.waitFrames(alice.userID)]);
  }

  /** Alice video-calls Bob and he accepts: they talk. */
  async function inCall(alice: DemoUser, bob: DemoUser): Promise<[Size, Size]> {
    await alice.call(bob.userID);
    await bob.answer('accept', alice.userID);
    return talking(alice, bob);
  }

  /** `who` hangs up: the other's call ends, then `who`'s. */
  async function hangUp(who: DemoUser, other: DemoUser): Promise<void> {
    await who.click('hangup');
    await other.waitEvent('onCallEnd', {}, 20_000);
    await who.waitEvent('onCallEnd');
  }

  /** Node `n` is killed (SIGKILL: no goodbye to Redis, its sockets reset), or stopped as a deploy stops it (SIGTERM). */
  async function kill(n: 0 | 1, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const { child } = cluster.nodes[n]!;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
  }

  /** Node `n` started again at its address (a new process, the same SQLite file), as a deploy brings it back. */
  async function restart(n: 0 | 1): Promise<void> {
    const port = new URL(cluster.nodes[n]!.url).port;
    cluster.nodes[n] = await startNode(cluster.prefix, cluster.dir, `node${n}`, [...DEMO_FLAGS, '--port', port], redis.url);
  }

  /** The page lost its node (`sdkNotReady`) and is signed in again on another: its `ready`th `sdkReady` (the second by default). */
  async function movedOver(user: DemoUser, ready = 2): Promise<void> {
    await user.waitEvent('sdkNotReady', {}, 10_000);
    await user.page.waitForFunction((n) => (globalThis as unknown as { hcDemo: { events: Array<{ name: string }> } }).hcDemo.events.filter((x) => x.name === 'sdkReady').length === n, ready, {
      timeout: 30_000,
      polling: 100,
    });
  }

  /** What node `n` says of Redis (`hc_cluster_redis_up`, 1 or 0). */
  const redisUp = async (n: 0 | 1) => Number(/^hc_cluster_redis_up (\d)$/m.exec(await (await fetch(`${cluster.nodes[n]!.httpUrl}/metrics`)).text())?.[1]);

  /**
   * One cluster for the tests that kill no node: starting two node processes and stopping them is a test's worth of
   * waiting (nodes starting, their graceful stop). Each test signs in users of its own (fresh ids: nothing a test
   * left in Redis or on the nodes is about them), and begins once both nodes say Redis is up (the cut test's too).
   */
  describe('one cluster for the tests that kill no node', () => {
    let run = 0;
    /** This test's user ids: `alice1`, `bob1`, then `alice2`... */
    const id = (name: string) => `${name}${run}`;
    beforeAll(startOwn);
    afterAll(stopOwn);
    beforeEach(async () => {
      run++;
      await until('both nodes on Redis', async () => [await redisUp(0), await redisUp(1)], (up) => up.every((x) => x === 1), 30_000);
    });
    afterEach(closePages);

    it('Alice (node 0) video-calls Bob (node 1), he accepts: video both ways across the nodes; her hangup ends it for both', async () => {
      const alice = await open(id('alice'), 0);
      const bob = await open(id('bob'), 1);
      const [atAlice, atBob] = await inCall(alice, bob);
      expect(atAlice.width * atBob.width).toBeGreaterThan(0);

      await hangUp(alice, bob);
      expect(shape(await alice.events())).toEqual([...callerStart(bob.userID), e('onCallEnd', { userID: alice.userID, reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([...calleeStart(alice.userID), e('onUserLeave', { userID: alice.userID }), e('onCallEnd', { userID: alice.userID, reason: 'hangup' })]);
      expect(await bob.callVideos()).toBe(0);
    });

    it('an offline invitation across the nodes: Alice (node 0) calls Bob, not signed in anywhere; he signs in on node 1 within the timeout: the note says so, his page rings, he accepts, and they talk', async () => {
      const alice = await open(id('alice'), 0);
      await alice.call(id('bob'), { timeout: 120 }); // long: opening a page can take seconds on a busy machine
      await alice.page.waitForSelector(`#offline-note:has-text("${id('bob')} is offline: they will ring when they come online (within 120 s).")`);
      const bob = await open(id('bob'), 1); // the invitation waits in Redis's offline stream and moves to node 1 at his login
      await alice.page.waitForSelector(`#offline-note:has-text("${id('bob')} came online: ringing now.")`);
      await bob.answer('accept', alice.userID);
      await talking(alice, bob);
      await hangUp(alice, bob);
      expect(shape(await alice.events())).toEqual([...callerStart(bob.userID), e('onCallEnd', { userID: alice.userID, reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([...calleeStart(alice.userID), e('onUserLeave', { userID: alice.userID }), e('onCallEnd', { userID: alice.userID, reason: 'hangup' })]);
    });

    it("Redis lost mid-call, Alice's camera turned off meanwhile: the media goes on, and once Redis is back her camera reaches Bob; hangup ends it", async () => {
      const alice = await open(id('alice'), 0);
      const bob = await open(id('bob'), 1);
      await inCall(alice, bob);

      redis.cut();
      await until('both nodes without Redis', async () => [await redisUp(0), await redisUp(1)], (up) => up.every((x) => x === 0), 30_000);
      const before = await received(alice);
      await alice.click('camera');
      await until('media on', () => received(alice), (bytes) => bytes > before);
      redis.restore();
      await bob.waitEvent('onUserVideoAvailable', { userID: alice.userID, isVideoAvailable: false }, 30_000);
      await hangUp(alice, bob);
      expect(shape(await alice.events())).toEqual([...callerStart(bob.userID), e('onCallEnd', { userID: alice.userID, reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([
        ...calleeStart(alice.userID),
        e('onUserVideoAvailable', { userID: alice.userID, isVideoAvailable: false }),
        e('onUserLeave', { userID: alice.userID }),
        e('onCallEnd', { userID: alice.userID, reason: 'hangup' }),
      ]);
    });
  });

  /** A cluster of its own for each test that kills or stops a node (and the nodes' SQLite files, Redis prefix). */
  describe('a cluster for each test that kills a node', () => {
    beforeEach(startOwn);
    afterEach(async () => {
      await closePages();
      await stopOwn();
    });

    it("Bob's node killed mid-call: his page moves to node 0 and resumes, media never stops, nobody leaves; then her camera off and her hangup reach him there", async () => {
      const alice = await open('alice', 0);
      const bob = await open('bob', 1);
      await inCall(alice, bob);

      await kill(1);
      await movedOver(bob);

      // His session is back (on node 0), in the same call: what Alice does reaches him there.
      const before = await received(alice);
      await alice.click('camera');
      await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }, 20_000);
      expect(await received(alice)).toBeGreaterThan(before); // Bob's media went on all the while
      await hangUp(alice, bob);

      expect(shape(await alice.events())).toEqual([...callerStart('bob'), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([
        ...calleeStart('alice'),
        e('sdkNotReady'),
        e('sdkReady'),
        e('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }),
        e('onUserLeave', { userID: 'alice' }),
        e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
      ]);
    });

    it("Bob's node killed while Alice's invitation rings for him: back on node 0 it still rings, once; he accepts, and they talk", async () => {
      const alice = await open('alice', 0);
      const bob = await open('bob', 1);
      await alice.call('bob');
      await bob.ringing('alice');
      await kill(1);
      await movedOver(bob);
      await bob.answer('accept', 'alice');
      await talking(alice, bob);
      await hangUp(bob, alice);

      expect(shape(await alice.events())).toEqual([...callerStart('bob'), e('onUserLeave', { userID: 'bob' }), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([
        e('sdkReady'),
        e('onInvited', { sponsor: 'alice' }),
        e('sdkNotReady'),
        e('sdkReady'),
        ...calleeStart('alice').slice(2),
        e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
      ]);
    });

    it("Alice's node killed while her invitation rings at Bob: her page moves to node 1, still dialling; his accept reaches her there, and they talk", async () => {
      const alice = await open('alice', 0);
      const bob = await open('bob', 1);
      await alice.call('bob');
      await bob.ringing('alice');
      await kill(0);
      await movedOver(alice);
      await bob.answer('accept', 'alice');
      await talking(alice, bob, 20_000);
      await hangUp(alice, bob);

      expect(shape(await alice.events())).toEqual([e('sdkReady'), e('sdkNotReady'), e('sdkReady'), ...callerStart('bob').slice(1), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([...calleeStart('alice'), e('onUserLeave', { userID: 'alice' }), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
    });

    it('a rolling deploy mid-call: node 1 stopped and started again, then node 0: both pages move each time, the call goes on with media, and ends by hangup', async () => {
      const alice = await open('alice', 0);
      const bob = await open('bob', 1);
      await inCall(alice, bob);

      await kill(1, 'SIGTERM');
      await movedOver(bob);
      await restart(1);
      await kill(0, 'SIGTERM');
      await Promise.all([movedOver(alice), movedOver(bob, 3)]);

      const before = await received(alice);
      await alice.click('camera');
      await bob.waitEvent('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }, 20_000);
      expect(await received(alice)).toBeGreaterThan(before);
      await hangUp(alice, bob);
      expect(shape(await alice.events())).toEqual([...callerStart('bob'), e('sdkNotReady'), e('sdkReady'), e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
      expect(shape(await bob.events())).toEqual([
        ...calleeStart('alice'),
        e('sdkNotReady'),
        e('sdkReady'),
        e('sdkNotReady'),
        e('sdkReady'),
        e('onUserVideoAvailable', { userID: 'alice', isVideoAvailable: false }),
        e('onUserLeave', { userID: 'alice' }),
        e('onCallEnd', { userID: 'alice', reason: 'hangup' }),
      ]);
    });

    it("a group call of three across the nodes (Alice and Carol on node 0, Bob on node 1), Bob's node killed: he moves over and everyone keeps everyone; Carol leaves, then Alice hangs up", async () => {
      const alice = await open('alice', 0);
      const bob = await open('bob', 1);
      const carol = await open('carol', 0);
      await alice.call(['bob', 'carol']);
      await bob.answer('accept', 'alice');
      await carol.answer('accept', 'alice');
      const everyone = [alice, bob, carol];
      const sees = async () => {
        const seen = await Promise.all(everyone.flatMap((user) => everyone.filter((o) => o !== user).map(async (o) => [`${user.userID} sees ${o.userID}`, (await user.waitFrames(o.userID, 3)).width > 0] as const)));
        expect(seen.filter(([, ok]) => !ok)).toEqual([]);
      };
      for (const user of everyone) {
        for (const other of everyone) if (other !== user) await user.waitEvent('onUserEnter', { userID: other.userID });
      }
      await sees();

      await kill(1);
      await movedOver(bob);
      await sees();
      await carol.click('hangup');
      await carol.waitEvent('onCallEnd');
      await alice.waitEvent('onUserLeave', { userID: 'carol' });
      await bob.waitEvent('onUserLeave', { userID: 'carol' });
      await hangUp(alice, bob);

      const [atAlice, atBob, atCarol] = await groupCallLogs(alice, bob, carol);
      expect(atBob!.filter((x) => x.name.startsWith('sdk'))).toEqual([e('sdkReady'), e('sdkNotReady'), e('sdkReady')]);
      for (const log of [atAlice!, atCarol!]) expect(log.filter((x) => x.name.startsWith('sdk'))).toEqual([e('sdkReady')]);
      for (const log of [atAlice!, atBob!, atCarol!]) expect(log.filter((x) => x.name === 'onCallEnd')).toEqual([e('onCallEnd', { userID: 'alice', reason: 'hangup' })]);
    });
  });
});
