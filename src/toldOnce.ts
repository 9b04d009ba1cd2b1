/**
 * `fn`, guarded: what it throws (an app's inspector, or its inspector target's `send`) stays here, told on the
 * console the first time only (a dev tool's fault: the calls go on; once per event, a broken one wrote ~100 a call).
 */
export function toldOnce<T>(fn: (value: T) => void): (value: T) => void {
  let told = false;
  return (value) => {
    try {
      fn(value);
    } catch (error) {
      if (!told) console.error('headless-calling: the inspector threw (told once; the calls go on):', error);
      told = true;
    }
  };
}
