/** userSig verification against signatures made by Tencent's own generator (`tls-sig-api-v2`). */
import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { signUserSig, verifyUserSig } from '../../server/userSig';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from './support';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as {
  Api: new (sdkappid: number, key: string) => { genPrivateMapKey(userID: string, expire: number, roomID: number, privileges: number): string };
};

const key = { sdkAppID: SDKAPPID, secretKey: SECRET_KEY };
const now = () => Date.now();

/** Decodes a userSig's JSON document (for building forgeries). */
function open(sig: string): Record<string, unknown> {
  const b64 = sig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+');
  return JSON.parse(inflateSync(Buffer.from(b64, 'base64')).toString()) as Record<string, unknown>;
}

function seal(doc: Record<string, unknown>): string {
  return deflateSync(Buffer.from(JSON.stringify(doc))).toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

describe('userSig (TLS-sig-api-v2)', () => {
  it("accepts tls-sig-api-v2's genUserSig, and reports when it expires", () => {
    const verdict = verifyUserSig(key, 'alice', tencentUserSig('alice', 600), now());
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.expiresAt).toBeGreaterThan(now() + 590_000);
  });

  it('accepts a signature carrying a userbuf (genPrivateMapKey)', () => {
    const sig = new Api(SDKAPPID, SECRET_KEY).genPrivateMapKey('alice', 600, 1234, 255);
    expect(verifyUserSig(key, 'alice', sig, now())).toMatchObject({ ok: true });
  });

  it('its own signUserSig (demo mode) verifies, and is the same format', () => {
    const sig = signUserSig(key, 'bob', 60, now());
    expect(verifyUserSig(key, 'bob', sig, now())).toMatchObject({ ok: true });
    expect(Object.keys(open(sig))).toEqual(Object.keys(open(tencentUserSig('bob'))));
  });

  it('refuses: missing, malformed, forged, expired, other app, other user', () => {
    const refuse = (userID: string, sig: string, at = now()) => {
      const verdict = verifyUserSig(key, userID, sig, at);
      return verdict.ok ? 'ok' : verdict.code;
    };
    const good = tencentUserSig('alice', 60);
    const forged = seal({ ...open(good), 'TLS.sig': Buffer.alloc(32, 7).toString('base64') });
    const otherKey = tencentUserSig('alice', 60, SDKAPPID, 'another-secret');
    const tampered = seal({ ...open(good), 'TLS.expire': 10 ** 9 });
    expect([
      refuse('alice', ''),
      refuse('alice', 'not-a-signature'),
      refuse('alice', seal({ hello: 'world' })),
      refuse('alice', forged),
      refuse('alice', otherKey),
      refuse('alice', tampered),
      refuse('alice', good, now() + 61_000),
      refuse('alice', tencentUserSig('alice', 60, 1400000002)),
      refuse('mallory', good),
    ]).toEqual([
      'userSigMissing',
      'userSigMalformed',
      'userSigMalformed',
      'userSigForged',
      'userSigForged',
      'userSigForged',
      'userSigExpired',
      'userSigWrongApp',
      'userSigWrongUser',
    ]);
  });

  it('refuses a zip bomb without inflating it', () => {
    const bomb = deflateSync(Buffer.alloc(10_000_000, 32)).toString('base64');
    expect(verifyUserSig(key, 'alice', bomb, now())).toMatchObject({ ok: false, code: 'userSigMalformed' });
  });

  it('the revocation key is the verified content: every re-encoding of one signature has the same key, a fresh signature another', () => {
    const sig = tencentUserSig('alice', 600);
    const doc = open(sig);
    const reordered = Object.fromEntries(Object.entries(doc).reverse());
    const variants = [
      sig,
      seal(doc), // deflated again
      deflateSync(Buffer.from(JSON.stringify(doc, null, 2)), { level: 1 }).toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_'), // spaced, another level
      seal(reordered),
      sig.replace(/_+$/, ''), // padding dropped
      seal({ ...doc, 'TLS.sig': String(doc['TLS.sig']).replace(/=+$/, '') }), // the HMAC's own padding dropped
    ];
    expect(new Set(variants).size).toBeGreaterThanOrEqual(4); // four texts at least (some encodings may coincide)
    const keys = variants.map((v) => {
      const verdict = verifyUserSig(key, 'alice', v, now());
      return verdict.ok ? verdict.key : verdict.code;
    });
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\w-]{22}$/);
    const fresh = verifyUserSig(key, 'alice', signUserSig(key, 'alice', 600, now() + 1000), now());
    expect(fresh.ok && fresh.key !== keys[0]).toBe(true);
  });

  it('a userSig for another app is refused without telling this server\'s SDKAppID', () => {
    const verdict = verifyUserSig(key, 'alice', tencentUserSig('alice', 60, 1400000002), now());
    expect(verdict).toMatchObject({ ok: false, code: 'userSigWrongApp' });
    expect(verdict.ok ? '' : verdict.message).not.toContain(String(SDKAPPID));
  });
});
