/** The `ImPort` of the embedded backend: IM over a {@link WsConnection}. */
import type { UserID } from '../../machines/types';
import type { ConnectionState, ImMessage, ImPort, SendOptions, Unsubscribe } from '../ImPort';
import type { ReplyFrame } from './protocol';
import type { WsConnection } from './WsConnection';

/** What the server answered a send with. */
export interface SendReceipt {
  /** The server's message id. */
  readonly id: string;
  /** When the server accepted it, in ms on the server's clock. */
  readonly sentAt: number;
}

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

  /** Resolves once the server accepted the message (delivered or stored). */
  async sendToUser(to: UserID, payload: string, options: SendOptions): Promise<void> {
    await this.send({ type: 'sendC2C', to, payload, onlineUserOnly: options.onlineUserOnly });
  }

  async sendToGroup(groupID: string, payload: string, options: SendOptions): Promise<void> {
    await this.send({ type: 'sendGroup', groupID, payload, onlineUserOnly: options.onlineUserOnly });
  }

  /** Like {@link WsImPort.sendToUser}, with the server's message id and time stamp. */
  async send(
    request: { type: 'sendC2C'; to: UserID; payload: string; onlineUserOnly: boolean } | { type: 'sendGroup'; groupID: string; payload: string; onlineUserOnly: boolean },
  ): Promise<SendReceipt> {
    const reply = await this.connection.request(request);
    return reply.type === 'ack' ? { id: reply.id ?? '', sentAt: reply.sentAt ?? 0 } : { id: '', sentAt: 0 };
  }

  /** Creates an IM group with these members (and the caller). Rejects 10021 when the ID is taken. */
  async createGroup(groupID: string, members: readonly UserID[]): Promise<readonly UserID[]> {
    return this.members(await this.connection.request({ type: 'groupCreate', groupID, members: [...members] }));
  }

  /** Joins a group; resolves with its members. Rejects 10010 for an unknown group. */
  async joinGroup(groupID: string): Promise<readonly UserID[]> {
    return this.members(await this.connection.request({ type: 'groupJoin', groupID }));
  }

  async quitGroup(groupID: string): Promise<void> {
    await this.connection.request({ type: 'groupQuit', groupID });
  }

  /** A group's members in join order. */
  async groupMembers(groupID: string): Promise<readonly UserID[]> {
    return this.members(await this.connection.request({ type: 'groupMembers', groupID }));
  }

  onMessage(listener: (message: ImMessage) => void): Unsubscribe {
    return this.connection.messages.add((m) =>
      listener({ from: m.from, payload: m.payload, sentAt: m.sentAt, defer: m.defer, ...(m.groupID === undefined ? {} : { groupID: m.groupID }) }),
    );
  }

  onKickedOut(listener: (reason: string) => void): Unsubscribe {
    return this.connection.kicked.add(listener);
  }

  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.connection.states.add(listener);
  }

  private members(reply: ReplyFrame): readonly UserID[] {
    return reply.type === 'groupInfo' ? reply.members : [];
  }
}
