/**
 * `Rejoin` on its own, without Redis: when a node back on Redis renews its subscription and catches
 * up. Each step is driven by hand (a connection back, a heartbeat), as `ClusterNode` drives it.
 */
import { describe, expect, it } from 'vitest';
import { Rejoin } from '../../server/cluster/rejoin';

function rejoin(subscribeFails: number) {
  const log: string[] = [];
  let left = subscribeFails;
  let listening = true;
  const r = new Rejoin(
    () => true,
    async () => void log.push('catch up'),
    (what) => void log.push(`failed ${what}`),
    async () => {
      log.push('subscribe');
      if (left-- > 0) throw new Error('ERR subscribe refused');
    },
    () => listening,
  );
  return { r, log, setListening: (on: boolean) => (listening = on) };
}

describe('Rejoin', () => {
  it('the listening connection comes back -> subscribed again, then the catch-up', async () => {
    const { r, log } = rejoin(0);
    r.lost(true);
    await r.run(); // a heartbeat before the listener is back: renews it (it answers here)
    expect(log).toEqual(['subscribe', 'catch up']);
    await r.run();
    expect(log).toEqual(['subscribe', 'catch up']);
  });

  it('the renewal fails -> the next heartbeat renews it again (the node was left deaf to its channel until the next drop)', async () => {
    const { r, log } = rejoin(1);
    r.lost(true);
    await r.renew(); // the 'ready' of the listening connection
    expect(log).toEqual(['subscribe', 'failed resubscribe']);
    await r.run(); // the next heartbeat
    expect(log).toEqual(['subscribe', 'failed resubscribe', 'subscribe', 'catch up']);
  });

  it('the listening connection is not back -> no renewal, no catch-up (what is published meanwhile would be missed)', async () => {
    const { r, log, setListening } = rejoin(0);
    setListening(false);
    r.lost(true);
    await r.run();
    expect(log).toEqual([]);
    setListening(true);
    await r.renew();
    expect(log).toEqual(['subscribe', 'catch up']);
  });

  it('only the commands connection was lost -> a catch-up, no renewal', async () => {
    const { r, log } = rejoin(0);
    r.lost(false);
    await r.run();
    expect(log).toEqual(['catch up']);
  });

  it('a renewal under way is not started twice', async () => {
    const { r, log } = rejoin(0);
    r.lost(true);
    await Promise.all([r.renew(), r.renew(), r.run()]);
    expect(log).toEqual(['subscribe', 'catch up']);
  });
});
