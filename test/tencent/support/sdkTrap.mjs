// Preloaded with `node --import`: any attempt to load a Tencent SDK, from ESM or CommonJS,
// throws "TRAPPED <specifier>". Used by test/tencent/noSdkLoad.test.ts.
import Module, { register } from 'node:module';

const SDK = /^(trtc-js-sdk|tim-js-sdk)(\/|$)/;

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (${SDK}.test(specifier)) throw new Error('TRAPPED ' + specifier);
  return next(specifier, context);
}`),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (SDK.test(request)) throw new Error(`TRAPPED ${request}`);
  return resolveFilename.call(this, request, ...rest);
};
