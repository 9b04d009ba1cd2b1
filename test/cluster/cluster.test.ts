/**
 * The embedded server as a cluster: three real server processes on one Redis, clients spread
 * over them, driven through the public TRTCCalling API (and raw frames for the per-user limit).
 * Waits end on events (polled), never on a fixed sleep standing in for time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, tencentUserSig } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { askAs, rawClient, startCluster, startNode, type TestCluster, until } from './support';

const WAIT_MS = 10_000;

/** Waits until `p` has `count` events, then takes them. */
async function events(p: Party, count: number): Promise<Array<{ name: string; payload: unknown }>> {
  const deadline = Date.now() + WAIT_MS;
  while (p.events.log.length < count) {
    if (Date.now() > deadline) throw new Error(`${p.id} has ${JSON.stringify(p.events.log.map((e) => e.name))}, waited for ${count}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return p.take();
}

/** Waits until `p` has seen an event named `name` (keeps the log). */
async function seen(p: Party, name: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!p.events.log.some((e) => e.name === name)) {
    if (Date.now() > deadline) throw new Error(`${p.id} never saw ${name}: ${JSON.stringify(p.events.log.map((e) => e.name))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const names = (p: Party) => p.events.log.map((e) => e.name);

/** Every node's flags: a per-user budget small enough for one test to spend. */
const FLAGS = ['--user-rate', '1', '--user-burst', '60'];

describe('three nodes on one Redis', () => {
  let cluster: TestCluster;
  const parties: Party[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, FLAGS);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(parties.splice(0).map((p) => p.calling.destroy())); // logged out before their nodes go (see callAcross)
    await cluster?.dispose();
  }, 30_000);

  const url = (i: number) => (cluster.nodes[i] as { url: string }).url;

  function client(userID: string, urls: string | string[]): Party {
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url: urls, WebSocket }) }));
    parties.push(p);
    return p;
  }

  async function user(userID: string, node: number): Promise<Party> {
    const p = client(userID, url(node));
    await p.calling.login({ userID, userSig: tencentUserSig(userID) });
    expect(await events(p, 1)).toEqual([ev.ready()]);
    return p;
  }

  it('1v1 across nodes: accept, then hangup', async () => {
    const alice = await user('a1', 0);
    const bob = await user('b1', 1);
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
    await alice.calling.call({ userID: 'b1', type: 1, timeout: 30 });
    expect(await events(alice, 3)).toEqual([ev.accepted('b1'), ...ev.arrives('b1', false)]);
    expect(await events(bob, 3)).toEqual([ev.invited('a1', ['b1'], { callType: 1 }), ...ev.arrives('a1', false)]);
    await alice.calling.hangup();
    expect(await events(alice, 1)).toEqual([ev.end('a1', 'hangup')]);
    expect(await events(bob, 2)).toEqual([ev.leave('a1'), ev.end('a1', 'hangup')]);
  });

  it('1v1 across nodes: reject', async () => {
    const caller = await user('a2', 1);
    const callee = await user('b2', 2);
    callee.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void callee.calling.reject({ inviteID }));
    await caller.calling.call({ userID: 'b2', type: 1, timeout: 30 });
    await seen(caller, 'onCallEnd');
    expect(caller.take()).toEqual([ev.rejected('b2'), ev.end('a2', 'rejected', 0)]);
    expect(names(callee)).toEqual(['onInvited']);
  });

  it('1v1 across nodes: busy', async () => {
    const x = await user('a3', 0);
    const y = await user('b3', 1);
    const z = await user('c3', 2);
    y.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID, sponsor }) => {
      if (sponsor === 'a3') void y.calling.accept({ inviteID });
    });
    await x.calling.call({ userID: 'b3', type: 1, timeout: 30 });
    await seen(x, 'onUserAccept');
    await z.calling.call({ userID: 'b3', type: 1, timeout: 30 });
    await seen(z, 'onLineBusy');
    expect(z.events.log.find((e) => e.name === 'onLineBusy')?.payload).toEqual({ userID: 'b3', sponsor: 'c3' });
    await x.calling.hangup();
    await seen(y, 'onCallEnd');
  });

  it('1v1 across nodes: the caller cancels', async () => {
    const caller = await user('a4', 2);
    const callee = await user('b4', 0);
    await caller.calling.call({ userID: 'b4', type: 2, timeout: 30 });
    await seen(callee, 'onInvited');
    await caller.calling.hangup();
    await seen(callee, 'onCallingCancel');
  });

  it('1v1 across nodes: nobody answers in time', async () => {
    const caller = await user('a5', 0);
    const callee = await user('b5', 2);
    // Real processes on real clocks: the invitation ages while it travels, so a node stalled past the timeout
    // (seen at 1 s under a flake hunt's SIGSTOP) would drop it before it rang. 3 s leaves room; the test waits it out.
    await caller.calling.call({ userID: 'b5', type: 1, timeout: 3 });
    await seen(callee, 'onInvited');
    await seen(caller, 'onNoResp');
    await seen(callee, 'onCallingTimeout');
  });

  it('a group call across three nodes', async () => {
    const a = await user('g1', 0);
    const b = await user('g2', 1);
    const c = await user('g3', 2);
    for (const p of [b, c]) p.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void p.calling.accept({ inviteID }));
    await a.calling.groupCall({ userIDList: ['g2', 'g3'], type: 1, timeout: 30 });
    for (const [p, others] of [
      [a, ['g2', 'g3']],
      [b, ['g1', 'g3']],
      [c, ['g1', 'g2']],
    ] as const) {
      const deadline = Date.now() + WAIT_MS;
      const entered = () => p.events.log.filter((e) => e.name === 'onUserEnter').map((e) => (e.payload as { userID: string }).userID);
      while (!others.every((u) => entered().includes(u))) {
        if (Date.now() > deadline) throw new Error(`${p.id} saw ${JSON.stringify(entered())} enter`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await b.calling.hangup();
    await seen(a, 'onUserLeave');
    await seen(c, 'onUserLeave');
    expect(names(a)).not.toContain('onCallEnd');
    await a.calling.hangup();
    await c.calling.hangup();
  });

  it('an IM group made and joined on other nodes carries a group call from a third', async () => {
    const ask = (node: number, userID: string, frame: Record<string, unknown>) => askAs(url(node), userID, frame);
    expect(await ask(1, 'ga', { type: 'groupCreate', groupID: 'grp-x', members: ['gb', 'gc'] })).toMatchObject({ type: 'groupInfo' });
    // The nodes hear of the group (and of the joins) through Redis, a moment after the node that
    // answered. Asked on one connection, at a pace the user's budgets allow: a login per question
    // ran out of logins ('too many logins') when node 2 heard late, and the loop took the refusal
    // that followed for an answer.
    const members = async (node: number, userID: string, ok: (answer: Record<string, unknown>) => boolean) => {
      const c = await rawClient(url(node), userID);
      let rid = 10;
      const ask = async (frame: Record<string, unknown>) => {
        const mine = ++rid;
        c.ws.send(JSON.stringify({ ...frame, rid: mine }));
        return (await until(`reply ${mine}`, () => c.frames.find((f) => f.rid === mine), (f) => f !== undefined)) as Record<string, unknown>;
      };
      const answer = await until(
        `${userID} at node ${node}: grp-x`,
        async () => {
          const got = await ask({ type: 'groupMembers', groupID: 'grp-x' });
          if (!ok(got)) await new Promise((r) => setTimeout(r, 200));
          return got;
        },
        ok,
        WAIT_MS,
      );
      return { answer, ask, done: () => ask({ type: 'logout' }).then(() => c.ws.close()) };
    };
    const atTwo = await members(2, 'gb', (m) => m.code !== 'noSuchGroup');
    expect(await atTwo.ask({ type: 'groupJoin', groupID: 'grp-x' })).toMatchObject({ type: 'groupInfo' });
    await atTwo.done();
    expect(await ask(1, 'gc', { type: 'groupJoin', groupID: 'grp-x' })).toMatchObject({ type: 'groupInfo' });
    // Node 0, which carries the call, knows both joins.
    const atZero = await members(0, 'ga', (m) => JSON.stringify([...((m.members as string[] | undefined) ?? [])].sort()) === JSON.stringify(['ga', 'gb', 'gc']));
    await atZero.done();
    const a = await user('ga', 0);
    const b = await user('gb', 1);
    const c = await user('gc', 2);
    for (const p of [b, c]) p.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void p.calling.accept({ inviteID }));
    await a.calling.groupCall({ userIDList: ['gb', 'gc'], type: 1, groupID: 'grp-x', timeout: 30 });
    await seen(b, 'onUserEnter');
    await seen(c, 'onUserEnter');
    expect(b.events.log[0]?.payload).toMatchObject({ sponsor: 'ga', isFromGroup: true });
    await a.calling.hangup();
    await b.calling.hangup();
    await c.calling.hangup();
  });

  it('an invite to an offline user, stored via one node, rings on login at another', async () => {
    const caller = await user('a6', 0);
    await caller.calling.call({ userID: 'b6', type: 1, timeout: 60 });
    // b6 is offline: the invite is in Redis now, not on node 0's connection to anyone.
    const deadline = Date.now() + WAIT_MS;
    while ((await cluster.redis.xlen(`${cluster.prefix}:i:b6`)) === 0) {
      if (Date.now() > deadline) throw new Error('the invite never reached the stream');
      await new Promise((r) => setTimeout(r, 10));
    }
    // The stored invite may come in the same read as the login reply: the log is kept whole here.
    const callee = client('b6', url(2));
    await callee.calling.login({ userID: 'b6', userSig: tencentUserSig('b6') });
    await seen(callee, 'onInvited');
    expect(callee.events.log[0]?.name).toBe('sdkReady');
    expect(callee.events.log.find((e) => e.name === 'onInvited')?.payload).toMatchObject({ sponsor: 'a6' });
    // Delivered once: moved out of the stream (once the callee's node committed it).
    const gone = Date.now() + WAIT_MS;
    while ((await cluster.redis.xlen(`${cluster.prefix}:i:b6`)) !== 0) {
      if (Date.now() > gone) throw new Error('the invite stayed in the stream');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(callee.events.log.filter((e) => e.name === 'onInvited')).toHaveLength(1);
    await caller.calling.hangup();
  });

  it('a second login on another node kicks the first', async () => {
    const first = await user('k1', 0);
    const second = await user('k1', 1);
    await seen(first, 'onKickedOut');
    expect(names(second)).not.toContain('onKickedOut');
  });

  it('a per-user limit holds across nodes: reconnecting elsewhere resets nothing', async () => {
    const sig = tencentUserSig('r1');
    const open = (i: number) =>
      new Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }>((done, fail) => {
        const ws = new WebSocket(url(i));
        const frames: Array<Record<string, unknown>> = [];
        ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
        ws.once('open', () => done({ ws, frames }));
        ws.once('error', fail);
      });
    const until = async (frames: Array<Record<string, unknown>>, ok: (f: Record<string, unknown>) => boolean) => {
      const deadline = Date.now() + WAIT_MS;
      while (!frames.some(ok)) {
        if (Date.now() > deadline) throw new Error(`no such frame in ${JSON.stringify(frames.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const a = await open(0);
    a.ws.send(JSON.stringify({ type: 'login', rid: 1, userID: 'r1', userSig: sig, protocol: 1 }));
    await until(a.frames, (f) => f.type === 'loggedIn' || f.type === 'error');
    expect(a.frames[0]).toMatchObject({ type: 'loggedIn' });
    // Spend the user's burst (60) on node 0, within a second.
    for (let i = 0; i < 70; i++) a.ws.send(JSON.stringify({ type: 'ping', rid: 100 + i }));
    await until(a.frames, (f) => f.type === 'error' && f.code === 'rateLimited');
    // Still at it (so that however slow this machine, the budget stays spent), it tries node 1.
    let rid = 200;
    const pinging = setInterval(() => a.ws.send(JSON.stringify({ type: 'ping', rid: rid++ })), 20);
    try {
      const b = await open(1);
      b.ws.send(JSON.stringify({ type: 'login', rid: 1, userID: 'r1', userSig: sig, protocol: 1 }));
      await until(b.frames, (f) => f.rid === 1);
      expect(b.frames.find((f) => f.rid === 1)).toMatchObject({ type: 'error', code: 'rateLimited' });
      b.ws.close();
    } finally {
      clearInterval(pinging);
      a.ws.close();
    }
  });

  it('a cluster node holds no relay for a user not in the room yet (it may enter on another node): loggedIn does not say heldRelays, the relay is refused', async () => {
    const a = await rawClient(url(0), 'hr1');
    const b = await rawClient(url(1), 'hr2');
    try {
      expect(a.frames.find((f) => f.rid === 1)).not.toHaveProperty('heldRelays');
      const ask = async (frame: Record<string, unknown>, rid: number) => {
        a.ws.send(JSON.stringify({ ...frame, rid }));
        return until(`reply ${rid}`, () => a.frames.find((f) => f.rid === rid), (f) => f !== undefined);
      };
      const call = { inviteID: 'hr-1', roomID: 4343, invitees: ['hr2'], timeout: 60 };
      expect(await ask({ type: 'sendC2C', to: 'hr2', payload: 'ring', onlineUserOnly: true, call }, 10)).toMatchObject({ type: 'ack' });
      expect(await ask({ type: 'roomEnter', roomID: 4343, audio: true, video: false }, 11)).toMatchObject({ type: 'roomInfo' });
      expect(await ask({ type: 'relay', roomID: 4343, to: 'hr2', data: 'offer' }, 12)).toMatchObject({ type: 'error', code: 'notInRoom' });
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });

  it('/healthz and /metrics per node', async () => {
    const health = await fetch(`${cluster.nodes[1]?.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${cluster.nodes[1]?.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^hc_cluster_redis_up 1$/m);
    expect(metrics).toMatch(/^hc_cluster_node_info\{node="[0-9a-f]+"\} 1$/m);
  });

  it('kill -9 of a node during a call: its client fails over, the call goes on, the other side sees no CALL_END', async () => {
    // A fourth node of the cluster for this test to kill: the others' three stay up, whatever order the tests run in.
    const doomed = await startNode(cluster.prefix, cluster.dir, 'doomed', FLAGS);
    cluster.nodes.push(doomed); // stopped with the rest, if the test fails before it is killed
    const mover = client('m1', [doomed.url, url(1), url(2)]);
    await mover.calling.login({ userID: 'm1', userSig: tencentUserSig('m1') });
    expect(await events(mover, 1)).toEqual([ev.ready()]);
    const other = await user('m2', 2);
    other.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void other.calling.accept({ inviteID }));
    await mover.calling.call({ userID: 'm2', type: 1, timeout: 30 });
    expect(await events(mover, 3)).toEqual([ev.accepted('m2'), ...ev.arrives('m2', false)]);
    expect(await events(other, 3)).toEqual([ev.invited('m1', ['m2'], { callType: 1 }), ...ev.arrives('m1', false)]);
    doomed.child.kill('SIGKILL');
    // The mover is back (on node 1) and in the room: the other side hears it publish again.
    const deadline = Date.now() + WAIT_MS;
    const rooms = async () => {
      const out: string[] = [];
      for (const node of cluster.nodes.slice(1, 3)) out.push(/^hc_rooms \d+$/m.exec(await (await fetch(`${node.httpUrl}/metrics`)).text())?.[0] ?? '');
      return out;
    };
    while (Date.now() < deadline && (await rooms())[0] !== 'hc_rooms 1') await new Promise((r) => setTimeout(r, 20));
    expect({ rooms: await rooms(), mover: names(mover) }).toEqual({ rooms: ['hc_rooms 1', 'hc_rooms 1'], mover: ['sdkNotReady', 'sdkReady'] });
    expect(names(other)).not.toContain('onCallEnd');
    expect(names(mover)).not.toContain('onCallEnd');
    // The call goes on: the other side hangs up, and the mover hears it over node 1.
    await other.calling.hangup();
    expect(await events(other, 1)).toEqual([ev.end('m1', 'hangup')]);
    await seen(mover, 'onCallEnd');
    expect(mover.take().filter((e) => e.name === 'onUserLeave' || e.name === 'onCallEnd')).toEqual([ev.leave('m2'), ev.end('m1', 'hangup')]);
  }, 60_000);
});

describe('write-behind across nodes', () => {
  let cluster: TestCluster;
  // A window longer than any login, so that the move below happens while the copy is held.
  beforeAll(async () => {
    cluster = await startCluster(2, ['--write-behind-ms', '1000']);
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
  }, 30_000);

  it('a copy handed and not yet confirmed when its user logs in on another node reaches that node: the move waits for the held write', async () => {
    const url = (i: number) => (cluster.nodes[i] as { url: string }).url;
    const bobHere = await rawClient(url(0), 'wb-bob'); // a raw client: it never sends a receipt
    const alice = await rawClient(url(0), 'wb-alice');
    alice.ws.send(JSON.stringify({ type: 'sendC2C', rid: 2, to: 'wb-bob', payload: 'ring', onlineUserOnly: false }));
    await until('the copy handed on node 0', () => bobHere.messages().length, (n) => n === 1);
    const bobThere = await rawClient(url(1), 'wb-bob'); // takes the user over, inside the window
    const moved = await until('the copy on node 1', () => bobThere.messages(), (m) => m.length === 1);
    expect(moved[0]).toBe(bobHere.messages()[0]); // the same message id and payload
    await until("alice's ack", () => alice.frames.some((f) => f.rid === 2 && f.type === 'ack'), (ok) => ok);
    for (const c of [bobHere, alice, bobThere]) c.ws.close();
  }, 30_000);
});

describe('two nodes, a short room grace', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster(2, ['--room-grace-ms', '300']);
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
  }, 30_000);

  it('copies stored on a node for a user whose session there ended reach the node the user logs in to next (before, they waited for another message or a restart)', async () => {
    const url = (i: number) => (cluster.nodes[i] as { url: string }).url;
    const gauge = async (i: number, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${cluster.nodes[i]?.httpUrl}/metrics`)).text())?.[1]);
    const bobHere = await rawClient(url(0), 'gr-bob'); // a raw client: it never sends a receipt
    const alice = await rawClient(url(0), 'gr-alice');
    alice.ws.send(JSON.stringify({ type: 'sendC2C', rid: 2, to: 'gr-bob', payload: 'ring', onlineUserOnly: false }));
    await until('the copy handed on node 0', () => bobHere.messages().length, (n) => n === 1);
    bobHere.ws.close();
    // His session on node 0 ends once its grace is over; the copy stays stored there. (Both gauges: no session
    // detached was true before his close was seen too, and the test failed at times.)
    const users = async () => [await gauge(0, 'hc_logged_in_users'), await gauge(0, 'hc_detached_sessions')];
    await until('bob gone from node 0', users, ([loggedIn, detached]) => loggedIn === 1 && detached === 0); // alice
    const bobThere = await rawClient(url(1), 'gr-bob');
    const moved = await until('the copy on node 1', () => bobThere.messages(), (m) => m.length === 1);
    expect(moved[0]).toBe(bobHere.messages()[0]); // the same message id and payload
    for (const c of [alice, bobThere]) c.ws.close();
  }, 30_000);
});
