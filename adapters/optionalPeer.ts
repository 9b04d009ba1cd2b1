/**
 * The optional peer dependencies (`tim-js-sdk`, `trtc-js-sdk`, `@statelyai/inspect`) are loaded on first use, by an
 * `import()` each call site writes out (so that bundlers see the specifier). One that is not installed failed with
 * the platform's own words (Node: `ERR_MODULE_NOT_FOUND`, "Cannot find package ... imported from .../dist/inspect.js"),
 * which name neither what needed it nor what to do. {@link importPeer} says both, keeping that error as `cause`.
 */

/** Runs `load` (an `import()` of `name`); a `name` that is not installed becomes an `Error` saying so. */
export async function importPeer<T>(name: string, neededBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!notInstalled(error, name)) throw error;
    throw new Error(`${neededBy} needs ${name}, an optional peer dependency of headless-calling that is not installed: npm install ${name}`, { cause: error });
  }
}

/**
 * Whether `error` is the failure to find `name` itself (not a module it imports in turn, nor its own exception):
 * Node's ESM (`ERR_MODULE_NOT_FOUND`) and CommonJS (`MODULE_NOT_FOUND`) loaders, and a browser's or dev server's
 * unresolved bare specifier, each naming it.
 */
function notInstalled(error: unknown, name: string): boolean {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  const quoted = [`'${name}'`, `"${name}"`].some((q) => message.includes(q));
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return quoted;
  return quoted && /failed to resolve module specifier|failed to load url|cannot find (module|package)/i.test(message);
}
