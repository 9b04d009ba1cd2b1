/**
 * The login shared by the two ports of one tencent backend: TRTC needs the same SDKAppID,
 * userID and userSig that TIM accepted, so the IM port records them and the room port reads them.
 */
import type { UserID } from '../../machines/types';

/** What TRTC's `createClient` needs from the IM login. */
export interface TencentCredentials {
  readonly sdkAppId: number;
  readonly userID: UserID;
  readonly userSig: string;
}

/** One backend's current login; empty while logged out or after a kick. */
export class CredentialStore {
  #current: TencentCredentials | null = null;

  constructor(readonly sdkAppId: number) {}

  /** The credentials of the current IM session, or `null`. */
  get current(): TencentCredentials | null {
    return this.#current;
  }

  /** Records a successful IM login. */
  set(userID: UserID, userSig: string): void {
    this.#current = { sdkAppId: this.sdkAppId, userID, userSig };
  }

  /** Forgets the login (logout, kicked out). */
  clear(): void {
    this.#current = null;
  }
}
