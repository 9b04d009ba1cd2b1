/**
 * Found by the cluster property hunt (`test/property/cluster.property.test.ts`, PROPERTY_SEED=91, PROPERTY_PATH
 * "10:5:4:1:14:20:23:32:29:29:23:23:24:24:24:7:21:0:21", PROPERTY_REPLAY_PATH "///1:P"): node b kept a room with
 * members in the cluster (`clusterRooms` 1) once everyone logged out and every grace passed, though Redis's room
 * hashes were empty. Needs all three: Alice's page unloads as she accepts, node b reads its subscription late
 * meanwhile, and the server drops Alice's connection (without any one of them, nothing was left).
 *
 * What P:all carried: alice enter (node a, epoch 1); takeover of alice on a (her destroying client resumed on b to
 * hang up); alice enter (b, epoch 2); alice leave (b, epoch 2); bob leave (b). Node a hands her session over quietly
 * (the new node announces it), so no leave names a. Node b, deaf, did its own three steps first and then heard the
 * old `enter` of a: `ClusterRooms.applyRemote` found no member (she left here) and set alice@a in room 1001 again, a
 * ghost member on b for good (Redis's hash was right: empty). Fixed 2026-12-06: a node keeps, for the room grace,
 * the epoch of each of its members that left, and an enter of an older session heard after it is not taken in.
 */
import { describe, expect, it } from 'vitest';
import { drain } from '../../src/testing';
import { clusterNetwork } from '../property/clusterNetwork';
import { attempt, createSystem, dispose } from '../property/harness';
import { settleEverything } from '../property/settle';

describe('a room left while a node reads its subscription late', () => {
  it('Bob (node b) calls Alice (node a), Alice accept() and her page unloads, b deaf for 1 s, her connection dropped -> once all logged out, no node holds a room', async () => {
    const net = await clusterNetwork();
    const system = await createSystem(3, net);
    try {
      const [alice, bob] = system.users as [(typeof system.users)[number], (typeof system.users)[number]];
      await attempt(bob, 'call', (c) => c.call({ userID: 'alice', type: 1, timeout: 0 }));
      await net.advance(0);
      await attempt(alice, 'accept', (c) => c.accept());
      alice.gone = true;
      void alice.calling.destroy();
      net.server?.unload('alice', 1);
      await drain();
      net.cluster.deafen(1, 1000);
      await net.server?.dropConnections('alice');
      await net.advance(0);
      expect(await settleEverything(system, { emptied: () => net.leftovers() })).toEqual([]);
    } finally {
      await dispose(system);
    }
  });
});
