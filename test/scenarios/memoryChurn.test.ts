/**
 * A soak test's churn over one memory network: clients made, used and `destroy()`ed over and over
 * beside a long-lived one. The hubs must hold none of the destroyed (each room event scans the room
 * hub's connections), and the long-lived client's calls go on as before. Virtual time.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { ev } from '../support/ev';
import { failOnCoreFaults, party, type Party } from '../support/world';

const S = 1000;
/** Clients made and destroyed, each one of the four ways below. */
const CHURN = 40;

describe('memory network: clients made and destroyed over and over', () => {
  it('Desk stays; 40 clients call Desk (destroyed talking), ring (destroyed ringing), are declined or never log in, each destroyed -> the hubs hold none; Desk calls Fresh as before', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const client = (userID: string): Party => party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: net.backend() }));
    const login = async (p: Party): Promise<void> => {
      await p.calling.login({ userID: p.id, userSig: `sig-${p.id}` });
      await net.settle();
      expect(p.take()).toEqual([ev.ready()]);
    };
    const destroy = async (p: Party): Promise<void> => {
      const done = p.calling.destroy();
      await net.advance(2 * S);
      await done;
    };
    const desk = client('desk');
    await login(desk);
    const gone: string[] = [];

    for (let i = 0; i < CHURN; i++) {
      const p = client(`u${i}`);
      gone.push(p.id);
      const way = i % 4;
      if (way === 3) {
        await destroy(p); // never logged in
        continue;
      }
      await login(p);
      if (way === 0) {
        // p calls Desk, Desk answers, p is destroyed talking.
        const dial = p.calling.call({ userID: 'desk', type: 2, timeout: 30 });
        await net.advance(S);
        await dial;
        await desk.calling.accept();
        await net.advance(S);
        expect(p.take()).toEqual([ev.accepted('desk'), ...ev.arrives('desk')]);
        // Views the room hub keeps for it.
        await p.calling.startLocalView({ userID: p.id, videoViewDomID: 'local' });
        await p.calling.startRemoteView({ userID: 'desk', videoViewDomID: 'remote' });
        expect(net.rooms.views(p.id)).toEqual([{ kind: 'local', userID: p.id, domID: 'local' }, { kind: 'remote', userID: 'desk', domID: 'remote' }]);
        await destroy(p);
        expect(desk.take()).toEqual([ev.invited(p.id, ['desk']), ...ev.arrives(p.id), ev.leave(p.id), ev.end(p.id, 'hangup')]);
      } else if (way === 1) {
        // Desk calls p, p is destroyed ringing.
        const dial = desk.calling.call({ userID: p.id, type: 1, timeout: 30 });
        await net.advance(S);
        await dial;
        expect(p.take()).toEqual([ev.invited('desk', [p.id], { callType: 1 })]);
        await destroy(p);
        expect(desk.take()).toEqual([ev.rejected(p.id), ev.end('desk', 'rejected')]);
      } else {
        // p calls Desk, Desk declines; p is destroyed idle.
        const dial = p.calling.call({ userID: 'desk', type: 1, timeout: 30 });
        await net.advance(S);
        await dial;
        await desk.calling.reject();
        await net.advance(S);
        expect(p.take()).toEqual([ev.rejected('desk'), ev.end(p.id, 'rejected')]);
        await destroy(p);
        expect(desk.take()).toEqual([ev.invited(p.id, ['desk'], { callType: 1 })]); // who declines hears no CALL_END
      }
      expect(p.take()).toEqual([]);
    }

    expect(net.rooms.connections()).toBe(1); // Desk's
    for (const id of gone) {
      expect(net.rooms.views(id)).toEqual([]);
      expect(net.im.isOnline(id)).toBe(false);
    }

    const fresh = client('fresh');
    await login(fresh);
    const dial = desk.calling.call({ userID: 'fresh', type: 2, timeout: 30 });
    await net.advance(S);
    await dial;
    await fresh.calling.accept();
    await net.advance(S);
    await desk.calling.hangup();
    await net.advance(S);
    expect(desk.take()).toEqual([ev.accepted('fresh'), ...ev.arrives('fresh'), ev.end('desk', 'hangup')]);
    expect(fresh.take()).toEqual([ev.invited('desk', ['fresh']), ...ev.arrives('desk'), ev.leave('desk'), ev.end('desk', 'hangup')]);
    expect(net.rooms.connections()).toBe(2);
    await net.runUntilIdle();
    failOnCoreFaults();
  });
});
