import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    embedded: 'src/embedded.ts',
    tencent: 'src/tencent.ts',
    inspect: 'src/inspect.ts',
  },
  // Backend SDKs are the app's to install (optional peers); never bundle them.
  external: ['trtc-js-sdk', 'tim-js-sdk', '@statelyai/inspect'],
  format: ['esm', 'cjs'],
  // Shared chunks for CommonJS too (esbuild splits ESM only unless asked): without them each .cjs entry point had
  // its own copy of the shared classes, and an embedded backend's WsPortError was no `instanceof ImPortError` of
  // `require('headless-calling')`, as the README says to test it (test/package/exports.test.ts).
  splitting: true,
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  // No source maps in the package: the output is unminified ES2022, readable as it is and close to
  // the TypeScript it comes from, and maps (with their sources inlined) more than doubled what ships.
  sourcemap: false,
  target: 'es2022',
  treeshake: true,
});
