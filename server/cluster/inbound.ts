/**
 * What a node does with a frame another node published on its channel or on the one for all (`node.ts`): each frame
 * validated (anything malformed is dropped and logged) and handed to the part it is for, a takeover notice weighed
 * against the login here. It stands alone: it only reads frames and calls the node's parts (given in {@link Inbound}),
 * and keeps no state of its own.
 */
import type { Hub } from '../hub';
import type { Logger } from '../options';
import type { BudgetAsks } from './budgetAsks';
import { isRoomEvent, isStrings, isTravelling, parseJson } from './frames';
import type { StreamMailbox } from './mailbox';
import { type ClusterOnline, isOnlineFrame } from './online';
import type { Change, Replica } from './replica';
import type { ClusterRooms, RelayEvent } from './rooms';

/** The parts of a node the frames from others are for (`rooms`, `hub`: null until the node is attached). */
export interface Inbound {
  readonly node: string;
  readonly logger: Logger;
  readonly counts: { received: number };
  /** The epoch of each user logged in here. */
  readonly epochs: Map<string, number>;
  readonly mailbox: StreamMailbox;
  readonly replica: Replica;
  readonly asks: BudgetAsks;
  readonly directory: ClusterOnline;
  rooms(): ClusterRooms | null;
  hub(): Hub | null;
  /** `user`'s session here goes to a later login elsewhere (kicked, or handed over if that login resumed it). */
  letGo(user: string, resume: string | undefined): void;
}

/** A frame from another node (validated: anything malformed is dropped and logged). */
export function receiveFrame(text: string, to: Inbound): void {
  const msg = parseJson(text) as Record<string, unknown> | null;
  if (!msg || typeof msg.t !== 'string') return to.logger.warn('cluster: dropped a malformed frame', { size: text.length });
  to.counts.received++;
  try {
    switch (msg.t) {
      case 'takeover':
        if (typeof msg.user === 'string' && typeof msg.epoch === 'number') onTakeover(to, msg.user, typeof msg.resume === 'string' && msg.resume !== '' ? msg.resume : undefined, msg.epoch);
        return;
      case 'mail': {
        const { user, ids, m } = msg;
        if (typeof user !== 'string') return;
        if (isStrings(ids) && isStrings(m) && ids.length === m.length) {
          void to.mailbox.takeIn(user, ids.map((id, i) => [id, m[i]]));
        } else void to.mailbox.drain(user);
        return;
      }
      case 'room':
        if (msg.node !== to.node && isRoomEvent(msg)) to.rooms()?.applyRemote(msg);
        return;
      case 'relay':
        if (typeof msg.roomID === 'number' && typeof msg.from === 'string' && typeof msg.data === 'string' && (msg.to === undefined || typeof msg.to === 'string')) {
          to.rooms()?.deliverRemote(msg as unknown as RelayEvent);
        }
        return;
      case 'grant':
      case 'group':
        if (typeof msg.node === 'string' && typeof msg.op === 'string' && typeof msg.v === 'number') to.replica.receive(msg as unknown as Change);
        return;
      case 'budgets?':
      case 'budgets':
        to.asks.receive(msg);
        return;
      case 'online':
        if (isOnlineFrame(msg)) to.directory.receive(msg);
        return;
      case 'online-copy': {
        // Not stored anywhere: its id here is no row (it is never confirmed to the store).
        const hub = to.hub();
        if (typeof msg.user === 'string' && isTravelling(msg.copy)) hub?.mailer.handOnline(hub.session(msg.user), { ...msg.copy, id: 0 });
        return;
      }
      default:
        to.logger.warn('cluster: dropped a frame of unknown type', { t: msg.t });
    }
  } catch (error) {
    to.logger.warn('cluster: a frame from another node failed', { t: msg.t, error: String(error) });
  }
}

/** Another node claimed `user` with `epoch`: the session here goes (kicked, or handed over). */
function onTakeover(to: Inbound, user: string, resume: string | undefined, epoch: number): void {
  if ((to.epochs.get(user) ?? 0) > epoch) return; // a later login here already won
  to.epochs.delete(user);
  if (to.hub()?.session(user)) to.letGo(user, resume);
}
