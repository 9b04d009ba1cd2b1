/**
 * The README's IM-group sample ("Connect clients": `alice.im.createGroup('team', ...)` ... `deleteGroup`) runs as
 * written against a real server, each line's comment held to what the line returns. It was only type-checked
 * (`readmeSnippets.test.ts`); a newcomer ran it line by line against `npm start` and got what the comments say.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerHandle, silentLogger, startServer } from '../server/index';
import { TRTCCalling } from '../src/index';
import { embeddedBackend } from '../src/embedded';

const README = readFileSync(join(resolve(import.meta.dirname, '..'), 'README.md'), 'utf8');

/** The `ts` block that begins with the group sample's first line. */
function groupSample(): string {
  const block = [...README.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '').find((code) => code.startsWith("await alice.im.createGroup('team'"));
  if (!block) throw new Error("README.md has no ts block starting with await alice.im.createGroup('team'");
  return block;
}

describe('README: the IM-group sample', () => {
  let server: ServerHandle | undefined;
  const clients: TRTCCalling[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.destroy();
    await server?.close();
  });

  it('runs as written on the embedded server: every line returns what its comment says', async () => {
    server = await startServer({ port: 0, dbPath: ':memory:', sdkAppId: 1400000001, secretKey: 'groups-sample-key', demoSigning: true, logger: silentLogger });
    const { httpUrl, url } = server;
    const said: Array<[call: string, result: unknown]> = [];
    const signIn = async (userID: string) => {
      const { sdkAppID, userSig } = (await (await fetch(`${httpUrl}/usersig?userID=${userID}`)).json()) as { sdkAppID: number; userSig: string };
      const backend = embeddedBackend({ url, WebSocket: WebSocket as never });
      const calling = new TRTCCalling({ SDKAppID: sdkAppID, backend });
      clients.push(calling);
      await calling.login({ userID, userSig });
      // Each call the sample makes, with what it resolved with.
      const im = new Proxy(backend.im, {
        get: (target, key) => {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            said.push([`${userID}.${String(key)}(${args.map((a) => JSON.stringify(a)).join(', ')})`, result]);
            return result;
          };
        },
      });
      return { im };
    };
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const sample = groupSample();
    const run = new Function('alice', 'bob', `return (async () => {\n${sample}\n})();`) as (a: unknown, b: unknown) => Promise<void>;
    await run(alice, bob);
    expect(said).toEqual([
      ['alice.createGroup("team", ["bob","carol"])', ['alice']], // alice owns it; bob and carol are invited (not members yet)
      ['alice.createGroup("lobby", [], {"joinRule":"open"})', ['alice']],
      ['bob.joinGroup("team")', ['alice', 'bob']], // the comment's ['alice', 'bob']
      ['alice.inviteToGroup("team", ["dave"])', { members: ['alice', 'bob'], owner: 'alice', joinRule: 'invite', invited: ['carol', 'dave'] }],
      ['alice.removeFromGroup("team", ["carol"])', { members: ['alice', 'bob'], owner: 'alice', joinRule: 'invite', invited: ['dave'] }],
      ['bob.quitGroup("team")', undefined],
      // { members, owner, joinRule, invited (owner only) }
      ['alice.groupInfo("team")', { members: ['alice'], owner: 'alice', joinRule: 'invite', invited: ['dave'] }],
      ['alice.deleteGroup("team")', undefined],
    ]);
    // Deleted: the owner's next read is refused.
    await expect(alice.im.groupInfo('team')).rejects.toMatchObject({ code: expect.any(Number) });
  });
});
