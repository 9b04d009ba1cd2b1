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
        listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
