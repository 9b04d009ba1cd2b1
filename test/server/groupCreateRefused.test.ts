/**
 * `--group-creates-per-hour` (0959312) bounds the groups a user makes, for a cluster keeps each deleted group's
 * history in Redis a week. A creation refused for another reason makes nothing, and leaves nothing anywhere: its ID
 * taken (`groupExists`: an app that makes sure its group exists, at each start), or its owner at
 * `--max-groups-per-user`. Taken from the budget before those checks, such refusals spent it: a user whose app asked
 * for her group 60 times in an hour could make no group for up to an hour, having made none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';

let server: TestServer;
afterEach(async () => server?.dispose());

describe('group creations refused for another reason', () => {
  it("Alice asks to create 'team' 4 times (made once, then groupExists), then owns 2 and asks for a third (maxGroupsPerUser), deletes one -> with 3 creations an hour, 'new' is made", async () => {
    server = await testServer({ limits: { groupCreatesPerHour: 3, maxGroupsPerUser: 2 } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    const create = async (groupID: string) => {
      const reply = await alice.request({ type: 'groupCreate', groupID, members: [] });
      return reply.type === 'error' ? String(reply.code) : reply.type;
    };
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await create('team'));
    answers.push(await create('second'), await create('third'));
    const deleted = await alice.request({ type: 'groupDelete', groupID: 'second' });
    answers.push(deleted.type === 'error' ? String(deleted.code) : deleted.type, await create('new'));
    expect(answers).toEqual(['groupInfo', 'groupExists', 'groupExists', 'groupExists', 'groupInfo', 'quotaExceeded', 'ack', 'groupInfo']);
    alice.terminate();
  });
});
