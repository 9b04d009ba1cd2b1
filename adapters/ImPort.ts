/**
 * The instant-messaging side of a backend. The codec owns what payloads mean; an `ImPort`
 * only carries opaque strings between authenticated users, like Tencent IM does.
 */
import type { PortError, UserID } from '../machines/types';

/** Unsubscribes a listener. */
export type Unsubscribe = () => void;

/** One message as the IM delivered it. */
export interface ImMessage {
  /** The sender, as authenticated by the IM (never read from the payload). */
  readonly from: UserID;
  /** Set for group messages. */
  readonly groupID?: string;
  /** The opaque payload (for calls: a TSignaling envelope as JSON). */
  readonly payload: string;
  /** When the IM accepted the message, in ms on the backend's clock. */
  readonly sentAt: number;
  /**
   * Set by ports whose IM wants a receipt (the embedded server deletes what is confirmed):
   * a listener that calls it takes over the receipt and gets the function to call once the
   * message was taken; without a call, the port confirms it as soon as its listeners returned.
   * A message never confirmed is delivered again at the next login.
   */
  readonly defer?: () => () => void;
}

export interface SendOptions {
  /** Drop instead of storing when the recipient is offline. */
  readonly onlineUserOnly: boolean;
  /** Offline push text for invitations (backends without push ignore it). */
  readonly offlinePush?: { readonly title: string; readonly description: string };
}

export type ConnectionState = 'connected' | 'connecting' | 'disconnected';

/** Rejections of an `ImPort` use this error shape; `cause`: the IM SDK's own error, when one failed. */
export class ImPortError extends Error implements PortError {
  override readonly name = 'ImPortError';
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ImPort {
  /** Authenticates; resolves once messages for `userID` will be delivered. */
  login(userID: UserID, userSig: string): Promise<void>;
  logout(): Promise<void>;
  /** Resolves when the IM has accepted the message (delivered or stored). */
  sendToUser(to: UserID, payload: string, options: SendOptions): Promise<void>;
  sendToGroup(groupID: string, payload: string, options: SendOptions): Promise<void>;
  onMessage(listener: (message: ImMessage) => void): Unsubscribe;
  /** Another login of the same user took over this session. */
  onKickedOut(listener: (reason: string) => void): Unsubscribe;
  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe;
}
