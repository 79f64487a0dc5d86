// Wake sources: things outside baton's waits that can still wake a parked wait (baton's timers,
// other threads). The deadlock check (diag.ts) asks them before it calls a program stuck.

/** Sources of wake-ups from outside baton's waits (timers). When the event loop is about to go
 *  idle (Node's 'beforeExit') with waits parked, the deadlock check (diag.ts) asks each whether it
 *  will wake something; one that answers true must keep the loop alive (ref its host timer) until
 *  it has. Asked with `parked` false, it may let the loop go (unref). */
export const wakeSources: ((parked: boolean) => boolean)[] = [];

