/**
 * Attack: "make the server log without bound". Every line a client can cause goes through one
 * budget for the whole server (`--log-rate`, 10 a second, 20 at once): a flood of demo userSig
 * requests, bad frames and refused connections writes a bounded number of lines, and a summary
 * says how many were left out, even when the flood stops and no line follows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';

describe('the log has one budget', () => {
  let server: TestServer;
  afterEach(() => server.dispose());

  const lines = () => server.logs.filter((l) => l.level !== 'info');
  const suppressed = () => lines().reduce((n, l) => n + Number(l.fields?.suppressed ?? 0), 0);

  it('300 demo userSig requests and 54 refused frames write at most 20 lines, then one summary of the rest', async () => {
    server = await testServer({ demoSigning: true, limits: { ipConnectRate: { perSecond: 1000, burst: 1000 } } });
    const startup = lines().length; // the demo signing banner
    const base = server.handle.httpUrl;
    for (let i = 0; i < 300; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => fetch(`${base}/usersig?userID=u${i + j}`).then((r) => r.text())));
    }
    for (let c = 0; c < 6; c++) {
      const flood = await RawClient.login(server.handle.url, `mallory${c}`);
      for (let j = 0; j < 9; j++) flood.send('{not json');
      await flood.sync();
      expect(flood.ofType('error')).toHaveLength(9);
      flood.terminate();
    }
    const during = lines().length - startup;
    await server.clock.advance(2_500); // the sweep says how many were left out
    const summary = lines().at(-1);
    expect(summary).toMatchObject({ level: 'warn', message: 'log lines suppressed' });
    const written = lines().length - startup - 1;
    expect(written).toBe(during);
    expect(written + suppressed()).toBe(300 + 54);
    expect(written).toBe(20); // the budget's burst: the clock did not move
    expect(lines().slice(startup, startup + 21).filter((l) => l.message === 'demo signing: issued a userSig')).toHaveLength(20);
    expect(server.handle.metrics().logSuppressed).toBe(suppressed());
  });
});
