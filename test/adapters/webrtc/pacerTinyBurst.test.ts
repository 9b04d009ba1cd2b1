/**
 * Found by the review of a158770 (2026-12-05): the room's pacer keeps `reserve` = 30% of the server's burst for the
 * connection's other frames and sends only while more than that is left (`paceFor`). At a burst of
 * 3 or less the reserve is below one frame: the pacer sends with less than one token left of the
 * server's bucket (as the client models it, `OutRate`), a frame the server refuses (a strike).
 * The server's own TokenBucket, on the same clock, stands for the server here.
 */
import { SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../adapters/webrtc/pacer';
import { OutRate } from '../../../adapters/ws/outRate';
import { TokenBucket } from '../../../server/limits';
import type { PeerMessage } from '../../../adapters/webrtc/peer';

describe('the pacer under a server with a tiny burst', () => {
  it.each([
    { perSecond: 20, burst: 3, after: 46 },
    { perSecond: 20, burst: 2, after: 35 },
    { perSecond: 20, burst: 1, after: 10 },
  ])('server --rate $perSecond --burst $burst: the connection sends $burst frames of its own (within the burst), a candidate is gathered $after ms later -> the server takes every frame', ({ perSecond, burst, after }) => {
    const clock = new SimulatedClock();
    const rate = new OutRate(clock);
    rate.learn({ perSecond, burst, maxRelayBytes: 16 * 1024, maxFrameBytes: 64 * 1024 });
    const server = new TokenBucket(perSecond, burst, clock.now());
    const refused: string[] = [];
    const write = (what: string) => {
      rate.spend();
      if (!server.take(clock.now())) refused.push(`${what} at ${clock.now()} ms`);
    };
    let relayed = 0;
    const pacer = new Pacer(clock, (userID) => (relayed++, write(`relay to ${userID}`)), rate);
    // The connection's own frames (a send and its receipts), within the burst the server said.
    for (let i = 0; i < burst; i++) write('own frame');
    clock.increment(after);
    pacer.send('carol', { kind: 'candidate', candidate: null } as unknown as PeerMessage);
    for (let t = 0; t < 2000; t++) clock.increment(1);
    expect({ refused, relayed }).toEqual({ refused: [], relayed: 1 }); // sent, once the server has a whole frame for it
  });
});
