/**
 * userSig, exactly as Tencent's TLS-sig-api-v2 makes it, so that an app's existing generator
 * works unchanged: a JSON document
 * `{ "TLS.ver": "2.0", "TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire", "TLS.sig" [, "TLS.userbuf"] }`
 * zlib-deflated, base64-encoded with `+ / =` replaced by `* - _`. `TLS.sig` is the base64
 * HMAC-SHA256, keyed by the app's secret key, of the lines
 * `TLS.identifier:<id>\nTLS.sdkappid:<n>\nTLS.time:<s>\nTLS.expire:<s>\n` (+ `TLS.userbuf:<b64>\n`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import * as v from 'valibot';

/** Why a userSig was refused (the protocol's `userSig*` error codes). */
export type UserSigRefusal =
  | 'userSigMissing'
  | 'userSigMalformed'
  | 'userSigForged'
  | 'userSigExpired'
  | 'userSigWrongApp'
  | 'userSigWrongUser';

/** The verdict on one userSig. */
export type UserSigVerdict =
  | {
      readonly ok: true;
      readonly expiresAt: number;
      /**
       * What the userSig says, whatever its encoding: a digest of its verified HMAC, which covers
       * identifier, SDKAppID, time, expiry and userbuf. Two texts of one signature (other
       * base64 padding or escaping, JSON spacing or key order, deflate level) have the same key;
       * a fresh userSig has another. Revocation is keyed on it, never on the text.
       */
      readonly key: string;
    }
  | { readonly ok: false; readonly code: UserSigRefusal; readonly message: string };

/** A decoded userSig is a few hundred bytes; anything that inflates past this is not one. */
const MAX_INFLATED = 8 * 1024;

const SigDocSchema = v.object({
  'TLS.ver': v.literal('2.0'),
  'TLS.identifier': v.string(),
  'TLS.sdkappid': v.pipe(v.number(), v.integer()),
  'TLS.time': v.pipe(v.number(), v.integer()),
  'TLS.expire': v.pipe(v.number(), v.integer()),
  'TLS.sig': v.string(),
  'TLS.userbuf': v.optional(v.string()),
});

function unescape(sig: string): string {
  return sig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+');
}

function escape(base64: string): string {
  return base64.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function hmac(secretKey: string, identifier: string, sdkAppID: number, time: number, expire: number, userbuf?: string): Buffer {
  let content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppID}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  if (userbuf !== undefined) content += `TLS.userbuf:${userbuf}\n`;
  return createHmac('sha256', secretKey).update(content).digest();
}

/** What {@link verifyUserSig} checks a userSig against. */
export interface UserSigKey {
  readonly sdkAppID: number;
  readonly secretKey: string;
}

/**
 * Verifies `userSig` for `userID`: decodes it, recomputes the HMAC and compares in constant
 * time, then checks the app, the identifier and the expiry against `nowMs`.
 */
export function verifyUserSig(key: UserSigKey, userID: string, userSig: string, nowMs: number): UserSigVerdict {
  if (!userSig) return { ok: false, code: 'userSigMissing', message: 'userSig is empty' };
  let doc: v.InferOutput<typeof SigDocSchema>;
  try {
    const json = inflateSync(Buffer.from(unescape(userSig), 'base64'), { maxOutputLength: MAX_INFLATED, chunkSize: 1024 }).toString('utf8');
    const parsed = v.safeParse(SigDocSchema, JSON.parse(json));
    if (!parsed.success) return { ok: false, code: 'userSigMalformed', message: 'userSig is not a TLS-sig-api-v2 signature' };
    doc = parsed.output;
  } catch {
    return { ok: false, code: 'userSigMalformed', message: 'userSig cannot be decoded' };
  }
  const time = doc['TLS.time'];
  const expire = doc['TLS.expire'];
  const expected = hmac(key.secretKey, doc['TLS.identifier'], doc['TLS.sdkappid'], time, expire, doc['TLS.userbuf']);
  const given = Buffer.from(doc['TLS.sig'], 'base64');
  // A forged signature and a signature for another app look alike to the HMAC: check the
  // app first so that a client configured for the wrong app gets the clearer answer.
  if (doc['TLS.sdkappid'] !== key.sdkAppID) {
    // Says which app the userSig names, never which app this server is for.
    return { ok: false, code: 'userSigWrongApp', message: `userSig was issued for SDKAppID ${doc['TLS.sdkappid']}, another app than this server's` };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'userSigForged', message: 'userSig signature does not verify with this app secret key' };
  }
  if (doc['TLS.identifier'] !== userID) {
    return { ok: false, code: 'userSigWrongUser', message: 'userSig was issued for another userID' };
  }
  const expiresAt = (time + expire) * 1000;
  if (nowMs >= expiresAt) return { ok: false, code: 'userSigExpired', message: 'userSig has expired' };
  // 128 bits of the digest, encoded on their own: a flat 22-character string (a slice of the
  // whole digest's text would keep that text alive beside it in every session).
  return { ok: true, expiresAt, key: createHash('sha256').update(expected).digest().subarray(0, 16).toString('base64url') };
}

/**
 * Signs a userSig the way TLS-sig-api-v2's `genUserSig(userID, expireSeconds)` does, with the
 * time taken from `nowMs`. The server uses it only in demo mode.
 */
export function signUserSig(key: UserSigKey, userID: string, expireSeconds: number, nowMs: number): string {
  const time = Math.floor(nowMs / 1000);
  const doc = {
    'TLS.ver': '2.0',
    'TLS.identifier': userID,
    'TLS.sdkappid': key.sdkAppID,
    'TLS.time': time,
    'TLS.expire': expireSeconds,
    'TLS.sig': hmac(key.secretKey, userID, key.sdkAppID, time, expireSeconds).toString('base64'),
  };
  return escape(deflateSync(Buffer.from(JSON.stringify(doc))).toString('base64'));
}
