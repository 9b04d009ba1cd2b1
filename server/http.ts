/** The server's plain HTTP side: health, metrics and (demo mode only) userSig signing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as v from 'valibot';
import { UserIDSchema } from '../adapters/ws/protocol';
import type { MetricsSnapshot } from './metrics';
import { renderMetrics } from './metrics';
import type { ResolvedOptions } from './options';
import { signUserSig } from './userSig';

/** What the HTTP handler needs from the running server. */
export interface HttpContext {
  readonly options: ResolvedOptions;
  readonly metrics: () => MetricsSnapshot;
  /** Throws when the store is unusable. */
  readonly checkStore: () => void;
}

/** Lifetime of a demo userSig, in seconds. */
const DEMO_SIG_SECONDS = 86_400;

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));

/** Creates the request listener of the HTTP server. */
export function httpHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { options } = ctx;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
    switch (url.pathname) {
      case '/healthz':
        try {
          ctx.checkStore();
          return json(res, 200, { status: 'ok' });
        } catch (error) {
          return json(res, 503, { status: 'unavailable', error: error instanceof Error ? error.message : String(error) });
        }
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderMetrics(ctx.metrics()));
      case '/usersig': {
        if (!options.demoSigning) return json(res, 404, { error: 'not found' });
        const userID = v.safeParse(UserIDSchema, url.searchParams.get('userID'));
        if (!userID.success) return json(res, 400, { error: 'userID must be 1-32 of A-Z a-z 0-9 - _' });
        const key = { sdkAppID: options.sdkAppId, secretKey: options.secretKey };
        const userSig = signUserSig(key, userID.output, DEMO_SIG_SECONDS, options.clock.now());
        options.logger.warn('demo signing: issued a userSig', { userID: userID.output });
        return json(res, 200, { sdkAppID: options.sdkAppId, userID: userID.output, userSig, expireSeconds: DEMO_SIG_SECONDS });
      }
      default:
        return json(res, 404, { error: 'not found' });
    }
  };
}
