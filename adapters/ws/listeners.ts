import type { Unsubscribe } from '../ImPort';

/** A set of listeners of one kind; a listener's exception goes to `onError`, never to the emitter. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(listener: (value: T) => void): Unsubscribe {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  /** How many listeners there are. */
  get size(): number {
    return this.set.size;
  }

  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        handled(listener(value), this.onError);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/**
 * What a listener returned: an async listener's promise, whose rejection (its exception) goes to
 * `onError` as a throw does; unhandled, it would end a Node app's process.
 */
export function handled(returned: unknown, onError: (error: unknown) => void): void {
  if (returned instanceof Promise) returned.catch(onError);
}
