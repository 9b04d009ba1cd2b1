import { it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { lineMachine } from '../../machines/lineMachine';
import { callMachine } from '../../machines/callMachine';
import { inspect } from 'node:util';
const sum = (as: readonly { type: string; params?: unknown }[]) => as.map((a) => {
  const p = a.params as Record<string, unknown> | undefined;
  const to = p && typeof p === 'object' && 'to' in p ? (p.to as { id?: string })?.id : undefined;
  return { type: a.type, to, event: p && (p as {event?: unknown}).event, id: p && (p as {id?: unknown}).id, keys: p ? Object.keys(p) : [] };
});
it('exp', () => {
  const [l0] = initialTransition(lineMachine, {});
  const [l1, la1] = transition(lineMachine, l0, { type: 'line.login', id: 1, at: 0, userID: 'alice', userSig: 's' });
  console.log(l1.value, inspect(sum(la1), { depth: 5 }));
  const [l2, la2] = transition(lineMachine, l1, { type: 'im.loggedIn', at: 0 });
  console.log(l2.value, inspect(sum(la2), { depth: 5 }));
  const [l3, la3] = transition(lineMachine, l2, { type: 'call.dial', id: 2, at: 0, userID: 'bob', inviteID: 'i1', roomID: 7, callType: 2, timeout: 30 });
  console.log(l3.value, inspect(sum(la3), { depth: 5 }), Object.keys(l3.children), l3.children.call?.getSnapshot().value);
  try {
  const [c0, ca0] = initialTransition(callMachine, { self: 'alice', role: 'caller', inviteID: 'i1', inviter: 'alice', invitees: ['bob'], groupID: '', isGroup: false, callType: 2, roomID: 7, timeout: 30, age: 0, startedAt: 0, onlineUserOnly: false, noAnswerGraceMs: 5000, exitTimeoutMs: 5000 });
  console.log(c0.value, inspect(sum(ca0), { depth: 2 }));
  } catch (e) { console.log('ERR', e); }
});
