/**
 * The `ImPort` of the embedded backend: IM over a {@link WsConnection}.
 *
 * Payloads stay opaque to the server; what it must know about a call travels beside them. When
 * a payload is an invitation (the codec recognises it), the send carries its room, invitees and
 * ring time as `call`, from which the server admits exactly those invitees to the room; when it
 * answers an invitation, the send carries that as `answer` (many devices: the server keeps the first).
 */
import type { UserID } from '../../machines/types';
import type { ConnectionState, ImMessage, ImPort, SendOptions, Unsubscribe } from '../ImPort';
import { answerOf } from '../answers';
import { decodeSignal } from '../signalingCodec';
import type { CallMeta, JoinRule, ReplyFrame } from './protocol';
import type { WsConnection } from './WsConnection';

/** What the server answered a send with. */
export interface SendReceipt {
  /** The server's message id. */
  readonly id: string;
  /** When the server accepted it, in ms on the server's clock. */
  readonly sentAt: number;
}

/** A group as the server shows it to a member. */
export interface GroupView {
  readonly members: readonly UserID[];
  /** Its creator (`''` for a group the server's administrator made). */
  readonly owner: string;
  readonly joinRule: JoinRule;
  /** Users invited and not joined yet (shown to the owner only). */
  readonly invited: readonly UserID[];
}

type SendRequest =
  | { type: 'sendC2C'; to: UserID; payload: string; onlineUserOnly: boolean }
  | { type: 'sendGroup'; groupID: string; payload: string; onlineUserOnly: boolean };

/** IM over the embedded server: C2C and group messages, groups, kicks, connection state. */
export class WsImPort implements ImPort {
  constructor(private readonly connection: WsConnection) {}

  /** The logged-in user, or `null`. */
  get userID(): UserID | null {
    return this.connection.userID;
  }

  login(userID: UserID, userSig: string): Promise<void> {
    return this.connection.login(userID, userSig);
  }

  logout(): Promise<void> {
    return this.connection.logout();
  }

  /** Resolves once the server accepted the message (stored, and delivered if the user is online). */
  async sendToUser(to: UserID, payload: string, options: SendOptions): Promise<void> {
    await this.send({ type: 'sendC2C', to, payload, onlineUserOnly: options.onlineUserOnly });
  }

  async sendToGroup(groupID: string, payload: string, options: SendOptions): Promise<void> {
    await this.send({ type: 'sendGroup', groupID, payload, onlineUserOnly: options.onlineUserOnly });
  }

  /** Like {@link WsImPort.sendToUser}, with the server's message id and time stamp. */
  async send(request: SendRequest): Promise<SendReceipt> {
    const self = this.connection.userID;
    const call = self === null ? undefined : callMetaOf(request.payload, self);
    const answer = self === null || !this.connection.multiDevice ? undefined : answerOf(request.payload, self);
    const reply = await this.connection.request({ ...request, ...(call ? { call } : {}), ...(answer ? { answer } : {}) });
    return reply.type === 'ack' ? { id: reply.id ?? '', sentAt: reply.sentAt ?? 0 } : { id: '', sentAt: 0 };
  }

  /**
   * Creates an IM group owned by the caller, inviting `members` (each joins with
   * {@link WsImPort.joinGroup}); `joinRule: 'open'` lets anyone join. Resolves with the members
   * (the caller). Rejects 10021 when the ID is taken.
   */
  async createGroup(groupID: string, members: readonly UserID[], options: { readonly joinRule?: JoinRule } = {}): Promise<readonly UserID[]> {
    return (await this.group({ type: 'groupCreate', groupID, members: [...members], ...(options.joinRule ? { joinRule: options.joinRule } : {}) })).members;
  }

  /** The owner invites more users. */
  async inviteToGroup(groupID: string, members: readonly UserID[]): Promise<GroupView> {
    return this.group({ type: 'groupInvite', groupID, members: [...members] });
  }

  /** The owner removes members or withdraws invitations. */
  async removeFromGroup(groupID: string, members: readonly UserID[]): Promise<GroupView> {
    return this.group({ type: 'groupRemove', groupID, members: [...members] });
  }

  /** The owner deletes the group. */
  async deleteGroup(groupID: string): Promise<void> {
    await this.connection.request({ type: 'groupDelete', groupID });
  }

  /** Joins a group that invited us, or an open one; resolves with its members. Rejects 10010 for an unknown group. */
  async joinGroup(groupID: string): Promise<readonly UserID[]> {
    return (await this.group({ type: 'groupJoin', groupID })).members;
  }

  /** Leaves a group (or declines its invitation). */
  async quitGroup(groupID: string): Promise<void> {
    await this.connection.request({ type: 'groupQuit', groupID });
  }

  /** A group's members in join order (members only). */
  async groupMembers(groupID: string): Promise<readonly UserID[]> {
    return (await this.groupInfo(groupID)).members;
  }

  /** A group as the server shows it to us (members and the owner only). */
  async groupInfo(groupID: string): Promise<GroupView> {
    return this.group({ type: 'groupMembers', groupID });
  }

  /**
   * Messages as they arrive; `sentAt` is converted to this client's clock. An invitation whose
   * payload names another invitation or room than the server granted for it (its `call`), or that
   * came with no grant, is dropped (confirmed, never shown): the payload is its sender's word, and
   * accepting it would enter a room of another call this user was admitted to.
   */
  onMessage(listener: (message: ImMessage) => void): Unsubscribe {
    return this.connection.messages.add((m) => {
      if (!this.granted(m)) return;
      listener({
        from: m.from,
        payload: m.payload,
        sentAt: this.connection.toLocalTime(m.sentAt),
        defer: m.defer,
        ...(m.groupID === undefined ? {} : { groupID: m.groupID }),
      });
    });
  }

  onKickedOut(listener: (reason: string) => void): Unsubscribe {
    return this.connection.kicked.add(listener);
  }

  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.connection.states.add(listener);
  }

  /** False for an invitation the server did not grant as its payload says (see {@link onMessage}). */
  private granted(m: { readonly from: string; readonly payload: string; readonly call?: { readonly inviteID: string; readonly roomID: number } | undefined }): boolean {
    if (!this.connection.callGrants) return true; // an older server: it says nothing of them
    const decoded = decodeSignal(m.payload, m.from);
    if (!decoded.ok || decoded.signal.kind !== 'invite') return true;
    return m.call?.inviteID === decoded.signal.inviteID && m.call.roomID === decoded.signal.roomID;
  }

  private async group(request: Parameters<WsConnection['request']>[0]): Promise<GroupView> {
    return view(await this.connection.request(request));
  }
}

/** The call an invitation `self` sends belongs to (`call` of its send), for the server's room grant; undefined for any other payload. */
export function callMetaOf(payload: string, self: string): CallMeta | undefined {
  const decoded = decodeSignal(payload, self);
  if (!decoded.ok || decoded.signal.kind !== 'invite') return undefined;
  const { inviteID, roomID, invitees, timeout } = decoded.signal;
  if (!Number.isInteger(roomID) || roomID < 1 || roomID > 0xffffffff) return undefined; // no room the server could grant
  return { inviteID, roomID, invitees: [...invitees], timeout };
}

function view(reply: ReplyFrame): GroupView {
  if (reply.type !== 'groupInfo') return { members: [], owner: '', joinRule: 'invite', invited: [] };
  return { members: reply.members, owner: reply.owner ?? '', joinRule: reply.joinRule ?? 'invite', invited: reply.invited ?? [] };
}
