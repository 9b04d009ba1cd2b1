/**
 * `fn`, guarded: what it throws (an app's inspector, or its inspector target's `send`) stays here, told on the
 * console the first time only (a dev tool's fault: the calls go on; once per event, a broken one wrote ~100 a call).
 */
export function toldOnce<T>(fn: (value: T) => void): (value: T) => void {
  let told = false;
  const tell = (error: unknown) => {
    if (!told) console.error('headless-calling: the inspector threw (told once; the calls go on):', error);
    told = true;
  };
  return (value) => {
    try {
      // An async inspector's exception is its promise's rejection: told the same (unhandled, it ends a Node app).
      const returned: unknown = fn(value);
      if (returned instanceof Promise) returned.catch(tell);
    } catch (error) {
      tell(error);
    }
  };
}
