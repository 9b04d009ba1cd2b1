import { describe, expect, it } from 'vitest';
import { WsPortError } from '../../../adapters/ws/errors';
import { MAX_FRAME_BYTES, parseClientFrame, type ClientRequest } from '../../../adapters/ws/protocol';
import { encodeRequest } from '../../../adapters/ws/requests';

/** What `encodeRequest` threw, or a failure when it did not throw. */
function refusal(request: unknown): WsPortError {
  try {
    encodeRequest(request as ClientRequest, 7);
  } catch (error) {
    if (error instanceof WsPortError) return error;
    throw error;
  }
  throw new Error('encodeRequest took it');
}

describe('encodeRequest: a request checked by the schema of its type before it is sent', () => {
  it('writes a valid request with its rid, as the server reads it', () => {
    const text = encodeRequest({ type: 'relay', roomID: 5, to: 'bob', data: '{"kind":"offer"}' }, 7);
    expect(parseClientFrame(text)).toEqual({ ok: true, frame: { type: 'relay', roomID: 5, to: 'bob', data: '{"kind":"offer"}', rid: 7 } });
  });

  it('refuses a bad field by the type it was meant for, and a type there is none of', () => {
    const bad = refusal({ type: 'relay', roomID: 'five', data: 'x' });
    expect([bad.serverCode, bad.message]).toEqual(['badFrame', expect.stringMatching(/^invalid relay: roomID: /)]);
    const unknown = refusal({ type: 'teleport', roomID: 5 });
    expect([unknown.serverCode, unknown.message]).toEqual(['badFrame', 'invalid request type "teleport"']);
  });

  it('refuses a request past the largest frame', () => {
    const big = refusal({ type: 'relay', roomID: 5, data: 'é'.repeat(MAX_FRAME_BYTES / 2) });
    expect(big.serverCode).toBe('tooLarge');
  });
});
