/**
 * No interop test may reach a real network: every socket connect (TCP, TLS, HTTP, WebSocket and
 * Node's `fetch` all go through `net.Socket#connect`), every DNS lookup and every `fetch` of this
 * process is refused and recorded while a test runs. The official bundles never get this far
 * (their page has its own `XMLHttpRequest` and `fetch`, see browser.ts); this catches anything
 * that would slip past the fakes, ours included. `attempts` must be empty after each test.
 */
import dns from 'node:dns';
import net from 'node:net';

export interface NetworkTrap {
  /** What tried to reach the network, oldest first. */
  readonly attempts: string[];
  restore(): void;
}

export function trapRealNetwork(): NetworkTrap {
  const attempts: string[] = [];
  const refuse = (what: string): Error => {
    attempts.push(what);
    return new Error(`interop tests run without a network: ${what}`);
  };
  const connect = net.Socket.prototype.connect;
  const lookup = dns.lookup;
  const fetch = globalThis.fetch;
  net.Socket.prototype.connect = function (...args: unknown[]): never {
    throw refuse(`net connect ${JSON.stringify(args[0] ?? null)}`);
  } as typeof connect;
  (dns as { lookup: unknown }).lookup = (hostname: string) => {
    throw refuse(`dns lookup ${hostname}`);
  };
  globalThis.fetch = (async (input: unknown) => {
    throw refuse(`fetch ${String(input)}`);
  }) as typeof fetch;
  return {
    attempts,
    restore() {
      net.Socket.prototype.connect = connect;
      (dns as { lookup: unknown }).lookup = lookup;
      globalThis.fetch = fetch;
    },
  };
}
