/**
 * The page's `?config=`: JSON handed to `new TRTCCalling({ config })` at sign-in (the browser tests shorten the waits
 * they sit out with it). Read once as the page loads: a malformed one is said on the page at once, and signing in is
 * refused with the same words, rather than signing in with the defaults (a test or a person trying other waits would
 * be timing the ones they meant to change) or failing with the parser's bare "Unexpected token". What the JSON holds
 * is the library's to check: an unknown key or a bad duration is refused by `new TRTCCalling` in its own words.
 */
import type { TRTCCallingOptions } from 'headless-calling';

/** `?config=` as read: none, the options to spread into `new TRTCCalling(...)`, or why it cannot be used. */
export type ConfigParam = { readonly ok: true; readonly options: Pick<TRTCCallingOptions, 'config'> } | { readonly ok: false; readonly error: string };

export function readConfigParam(text: string | null): ConfigParam {
  if (text === null) return { ok: true, options: {} };
  try {
    return { ok: true, options: { config: JSON.parse(text) as TRTCCallingOptions['config'] } };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `The address's ?config= is not JSON (${why}): correct it, or take it out of the address, to sign in.` };
  }
}
