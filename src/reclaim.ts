// Reclaiming core records of JS objects that were garbage collected.
//
// Invariant: a record registered here is freed exactly once, by sweep(), after its owner was
// collected; never from inside the finalizer (which may run in the middle of a core call).

/**
 * Frees core records (channels, wait queues) once the JS object that owns each has been garbage
 * collected: the finalizer only queues the address, and sweep() frees the queued records later,
 * outside the GC's callback (the owners call it before they allocate, so freed records are reused).
 */
export class Reclaimer {
  readonly #dead: number[] = [];
  readonly #registry = new FinalizationRegistry<number>((addr) => {
    this.#dead.push(addr);
  });
  constructor(readonly free: (addr: number) => void) {}

  /** Frees `addr` once `owner` has been collected. */
  register(owner: object, addr: number): void {
    this.#registry.register(owner, addr);
  }

  /** Frees the records of owners collected so far. */
  sweep(): void {
    const dead = this.#dead;
    if (dead.length === 0) return;
    for (let i = 0; i < dead.length; i++) this.free(dead[i]!);
    dead.length = 0; // also lets go of the array's storage, which a burst of deaths may have grown
  }
}

