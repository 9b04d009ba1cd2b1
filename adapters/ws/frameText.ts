/**
 * What reads a frame's text without parsing it (taken out of `protocol.ts`, which exports these as
 * before): how deep it nests, the `rid` it names, how many UTF-8 bytes it takes. Each is one linear
 * pass that allocates nothing, so that they can run before anything parses an attacker's frame.
 */

/**
 * True when `text`, read as JSON, nests arrays and objects deeper than `max`. One linear pass
 * (strings skipped with `indexOf`) that allocates nothing, so that a frame built to make a parser or a printer recurse (a
 * `type` nested thousands deep) is refused before anything recursive touches it.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: jump to its closing quote (one preceded by an even run of backslashes).
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return false; // never closed: JSON.parse refuses it
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const RID_AT_END = /"rid"\s*:\s*(\d{1,16})\s*}\s*$/;
const RID_AT_START = /^\s*{[^{}[\]]{0,64}?"rid"\s*:\s*(\d{1,16})/;

/**
 * The `rid` of a frame without parsing it, where clients put it (last, or among the first
 * fields): so that a frame refused before parsing (over the rate) still names its request.
 * Reads at most a few dozen characters at each end.
 */
export function peekRid(text: string): number | undefined {
  const match = RID_AT_END.exec(text.slice(-48)) ?? RID_AT_START.exec(text.slice(0, 96));
  const rid = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(rid) ? rid : undefined;
}

/** Size of a string in UTF-8 bytes, without allocating for ASCII-only text. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
