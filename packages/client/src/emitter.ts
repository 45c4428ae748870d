/** Reports a throwing user callback without breaking the caller's loop (like EventTarget). */
export function reportError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** A tiny typed event emitter; `on` returns the function that removes the listener. */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (event: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (event: Events[K]) => void)(payload);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
