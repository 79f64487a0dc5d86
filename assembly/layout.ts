// The memory map of baton's core. Every byte the core touches is at an address derived from the
// constants below: the core has no AssemblyScript runtime (`--runtime stub`), no managed objects
// and no mutable module globals, because one shared memory is used by one instance per thread and
// an instance's globals, data segments and allocator are its own.
//
//   0            1024          4096                                  65536 (--memoryBase)
//   ├────────────┼─────────────┼──────────────────────────────────────┼──────────────────────────▶
//   │ unused     │ HEADER      │ THREAD CONTEXTS: MAX_THREADS × 256 B │ HEAP: records and blocks,
//   │ (0 = null) │ (global)    │ (one per instance, i.e. per thread)  │ from the TLSF allocator
//   └────────────┴─────────────┴──────────────────────────────────────┴ (alloc.ts), growing up
//
// HEADER (global, written with atomics: every thread shares it)
//   +0  MAGIC        'BATN' once initialised
//   +4  INIT         0 = untouched, 1 = initialising, 2 = ready (CAS-guarded one-time init)
//   +8  BUMP         next unallocated heap address (atomic add)
//   +12 GROW_LOCK    spin lock held while growing the memory
//   +16 NTHREADS     thread contexts handed out so far
//   +20 GEN          generation counter: each shared channel takes the next value (its identity)
//   +24 LIST_LOCK    lock word (holder tid + 1) of the list of shared channels below
//   +28 LIST_HEAD    first shared channel (linked by C_LIST_NEXT/C_LIST_PREV)
//   +32 MEMID        two random words that the first thread writes (facade): a handle's memory is
//   +36              this thread's iff they read the same
//   +256..4096       the allocator's own words (alloc.ts)
//
// THREAD CONTEXT t (owned by one thread; plain loads and stores)
//   +0  TID          index of this context
//   +4  RNG          xorshift32 state for select's poll order (never 0)
//   +8  (unused)
//   +12 RUNQ_HEAD    the run queue's next token to start (runq.ts)
//   +16 RUNQ_TAIL    the run queue's next token to hand out
//   +20 BYTES        heap bytes this thread owns in blocks (alloc.ts)
//   +24 FIRED        case index of the parked select that this thread's last operation woke
//   +28 LAST_POS     ring position of the last buffered receive that also took a sender
//   +32 SCRATCH      address of this thread's select scratch block (cases, then poll order)
//   +36 SCRATCH_CAP  cases the scratch block holds
//   +40 (unused)
//   +44 NCHANS       live channels created by this thread
//   +48 SEL_CASE     case index that this thread's last selPoll performed (or found bad)
//   +64 ALLOC        the allocator's per-thread words (alloc.ts: its cache), up to +160
//  -- cross-thread words (atomics: other threads read or write them) --
//   +160 STATE       0 never used, 1 alive, 2 dead (being cleaned up), 3 free for reuse,
//                    4 being handed out again
//   +164 INBOX       completed waits of this thread's, posted by other threads (a LIFO stack of
//                    waiter records linked by W_INBOX_NEXT; the owner takes it whole)
//   +168 WAKE        bumped after every post to INBOX: the word the owner Atomics.waitAsync-s on
//   +172 SLEEPING    1 while the owner is (about to be) asleep on WAKE: posters notify only then
//   +176 PARENT      thread context + 1 of the thread that started this one (0: none known)
//   +180 OSID        the host's id for this thread (Node's worker threadId), set by the facade
//  -- this thread's own words --
//   +184 CLEANUP     selects of this thread's that fired during the current call, to be torn
//                    down once the call has unlocked everything (linked by S_NEXT)
//   +224 DEFERRED    fired selects whose teardown found a channel lock taken: torn down later
//                    (selDeferred), their records kept meanwhile (linked by S_NEXT)
//   +236 POSTS       completions for other threads made under a lock during the current call,
//                    posted to their inboxes once the call has unlocked (linked by W_INBOX_NEXT)
//   +228 WCACHE      this thread's spare waiter records (linked by W_NEXT): a park and a wake
//   +232 WCOUNT      reuse one without a trip through the allocator; at most WCACHE_MAX
//   +188 PENDING     completions taken from INBOX, oldest first, not yet handed to the facade
//   +192 STAGE_IN    16-byte value slot: the value of the next shared send (written by the facade)
//   +208 STAGE_OUT   16-byte value slot: the value the last shared receive took
//
// Heap blocks know their own size (alloc.ts, a header before each). The first word of every record
// is a magic tag, cleared when it is freed, so a stale or forged address is refused.

// @ts-ignore: decorator
@inline export const HDR: u32 = 1024;
// @ts-ignore: decorator
@inline export const H_MAGIC: u32 = 0;
// @ts-ignore: decorator
@inline export const H_INIT: u32 = 4;
// @ts-ignore: decorator
@inline export const H_BUMP: u32 = 8;
// @ts-ignore: decorator
@inline export const H_GROW_LOCK: u32 = 12;
// @ts-ignore: decorator
@inline export const H_NTHREADS: u32 = 16;
// @ts-ignore: decorator
@inline export const H_GEN: u32 = 20;
// @ts-ignore: decorator
@inline export const H_LIST_LOCK: u32 = 24;
// @ts-ignore: decorator
@inline export const H_LIST_HEAD: u32 = 28;
// @ts-ignore: decorator
@inline export const H_MEMID: u32 = 32;
// @ts-ignore: decorator
@inline export const MAGIC_HEADER: u32 = 0x4e544142; // 'BATN' little-endian

// @ts-ignore: decorator
@inline export const TBASE: u32 = 4096;
// @ts-ignore: decorator
@inline export const TSIZE: u32 = 256;
// @ts-ignore: decorator
@inline export const MAX_THREADS: u32 = (65536 - 4096) / 256; // 240
// @ts-ignore: decorator
@inline export const T_TID: u32 = 0;
// @ts-ignore: decorator
@inline export const T_RNG: u32 = 4;
// @ts-ignore: decorator
@inline export const T_RUNQ_HEAD: u32 = 12;
// @ts-ignore: decorator
@inline export const T_RUNQ_TAIL: u32 = 16;
// @ts-ignore: decorator
@inline export const T_BYTES: u32 = 20;
// @ts-ignore: decorator
@inline export const T_FIRED: u32 = 24;
// @ts-ignore: decorator
@inline export const T_LAST_POS: u32 = 28;
// @ts-ignore: decorator
@inline export const T_SCRATCH: u32 = 32;
// @ts-ignore: decorator
@inline export const T_SCRATCH_CAP: u32 = 36;
// @ts-ignore: decorator
@inline export const T_NCHANS: u32 = 44;
// @ts-ignore: decorator
@inline export const T_SEL_CASE: u32 = 48;
// @ts-ignore: decorator
@inline export const T_FREE: u32 = 64;
// @ts-ignore: decorator
@inline export const NCLASSES: u32 = 24; // 16 B .. 128 MiB
// @ts-ignore: decorator
@inline export const T_STATE: u32 = 160;
// @ts-ignore: decorator
@inline export const T_INBOX: u32 = 164;
// @ts-ignore: decorator
@inline export const T_WAKE: u32 = 168;
// @ts-ignore: decorator
@inline export const T_SLEEPING: u32 = 172;
// @ts-ignore: decorator
@inline export const T_PARENT: u32 = 176;
// @ts-ignore: decorator
@inline export const T_OSID: u32 = 180;
// @ts-ignore: decorator
@inline export const T_CLEANUP: u32 = 184;
// @ts-ignore: decorator
@inline export const T_PENDING: u32 = 188;
// @ts-ignore: decorator
@inline export const T_STAGE_IN: u32 = 192;
// @ts-ignore: decorator
@inline export const T_DEFERRED: u32 = 224;
// @ts-ignore: decorator
@inline export const T_WCACHE: u32 = 228;
// @ts-ignore: decorator
@inline export const T_WCOUNT: u32 = 232;
// @ts-ignore: decorator
@inline export const WCACHE_MAX: u32 = 64;
// @ts-ignore: decorator
@inline export const T_POSTS: u32 = 236;
// @ts-ignore: decorator
@inline export const T_STAGE_OUT: u32 = 208;
// Thread states (T_STATE).
// @ts-ignore: decorator
@inline export const TS_ALIVE: u32 = 1;
// @ts-ignore: decorator
@inline export const TS_DEAD: u32 = 2;
// @ts-ignore: decorator
@inline export const TS_FREE: u32 = 3;
// @ts-ignore: decorator
@inline export const TS_CLAIMED: u32 = 4; // a free context that threadNew is handing out

// ── VALUE slot: 16 bytes — one value of a shared channel (in its ring, in a waiter, in STAGE_*) ─
//   +0  TAG          V_* below
//   +4  LEN          V_STR, V_BIGINT: UTF-16 code units; V_OBJ: bytes
//   +8  PAYLOAD      V_NUM: the f64; V_STR, V_BIGINT, V_OBJ: address of a block (owned by the
//                    value: whoever takes the value out of the channel frees it)
// The core copies slots and frees their blocks; only the facade reads or writes what they hold.
// @ts-ignore: decorator
@inline export const VALUE_SIZE: u32 = 16;
// @ts-ignore: decorator
@inline export const V_TAG: u32 = 0;
// @ts-ignore: decorator
@inline export const V_LEN: u32 = 4;
// @ts-ignore: decorator
@inline export const V_PAYLOAD: u32 = 8;
// @ts-ignore: decorator
@inline export const V_UNDEFINED: u32 = 0;
// @ts-ignore: decorator
@inline export const V_NULL: u32 = 1;
// @ts-ignore: decorator
@inline export const V_FALSE: u32 = 2;
// @ts-ignore: decorator
@inline export const V_TRUE: u32 = 3;
// @ts-ignore: decorator
@inline export const V_NUM: u32 = 4;
// @ts-ignore: decorator
@inline export const V_STR: u32 = 5;
// @ts-ignore: decorator
@inline export const V_BIGINT: u32 = 6;
// @ts-ignore: decorator
@inline export const V_OBJ: u32 = 7;
// Blocks of values are owned by no thread (they travel between threads).
// @ts-ignore: decorator
@inline export const OWNER_SHARED: u32 = 255;

// The heap starts at the first 64 KiB page after the static data (there is none to speak of).
// @ts-ignore: decorator
@inline export const HEAP_ALIGN: u32 = 16;

// ── CHANNEL record: 64 bytes (class 2) local, 128 bytes (class 3) shared ───────────────────────
//   +0  MAGIC        MAGIC_CHAN while live
//   +4  FLAGS        bit 0 closed, bit 1 shared (lives in shared memory, used under LOCK)
//   +8  CAP          buffer capacity in elements (0 = unbuffered)
//   +12 COUNT        elements in the buffer                 (qcount in Go)
//   +16 HEAD         ring position of the next receive       (recvx)
//   +20 TAIL         ring position of the next send          (sendx)
//   +24 RECVQ_HEAD   waiting receivers, FIFO (waiter records)
//   +28 RECVQ_TAIL
//   +32 SENDQ_HEAD   waiting senders, FIFO
//   +36 SENDQ_TAIL
//   +40 LOCK         spin lock word for shared channels (unused by local ones)
//   +44 OWNER        thread context that created it
//   +48 GEN          shared: its generation (H_GEN when made), checked with every handle
//   +52 BUF          shared: its ring of CAP value slots (VALUE_SIZE each; 0 when CAP = 0)
//   +56 SELF         shared: its own address (a forged address inside another record fails)
//   +60 LIST_NEXT    shared: the list of shared channels (H_LIST_HEAD), under H_LIST_LOCK
//   +64 LIST_PREV
//   +68 PINS         shared: copies of it inside values in transit (sent, not yet received and
//                    attached); it is not freed while any is, even if no thread holds it
//   +96 HOLDERS      shared: 256 bits, bit t set while thread t holds the channel
// A local channel's values stay in the facade, in a JS array indexed by the ring positions that
// the core hands out; the core only does the bookkeeping. A shared channel's values are value
// slots in its ring (or in a parked sender's waiter), and every field is read and written under
// LOCK (holder tid + 1, 0 when free).
// @ts-ignore: decorator
@inline export const MAGIC_CHAN: u32 = 0x4e414843; // 'CHAN'
// @ts-ignore: decorator
@inline export const CHAN_CLASS: u32 = 2;
// @ts-ignore: decorator
@inline export const C_MAGIC: u32 = 0;
// @ts-ignore: decorator
@inline export const C_FLAGS: u32 = 4;
// @ts-ignore: decorator
@inline export const C_CAP: u32 = 8;
// @ts-ignore: decorator
@inline export const C_COUNT: u32 = 12;
// @ts-ignore: decorator
@inline export const C_HEAD: u32 = 16;
// @ts-ignore: decorator
@inline export const C_TAIL: u32 = 20;
// @ts-ignore: decorator
@inline export const C_RECVQ_HEAD: u32 = 24;
// @ts-ignore: decorator
@inline export const C_RECVQ_TAIL: u32 = 28;
// @ts-ignore: decorator
@inline export const C_SENDQ_HEAD: u32 = 32;
// @ts-ignore: decorator
@inline export const C_SENDQ_TAIL: u32 = 36;
// @ts-ignore: decorator
@inline export const C_LOCK: u32 = 40;
// @ts-ignore: decorator
@inline export const C_OWNER: u32 = 44;
// @ts-ignore: decorator
@inline export const C_GEN: u32 = 48;
// @ts-ignore: decorator
@inline export const C_BUF: u32 = 52;
// @ts-ignore: decorator
@inline export const C_SELF: u32 = 56;
// @ts-ignore: decorator
@inline export const C_LIST_NEXT: u32 = 60;
// @ts-ignore: decorator
@inline export const C_LIST_PREV: u32 = 64;
// @ts-ignore: decorator
@inline export const C_PINS: u32 = 68;
// @ts-ignore: decorator
@inline export const C_HOLDERS: u32 = 96;
// @ts-ignore: decorator
@inline export const SHARED_CHAN_CLASS: u32 = 3;
// @ts-ignore: decorator
@inline export const F_CLOSED: u32 = 1;
// @ts-ignore: decorator
@inline export const F_SHARED: u32 = 2;

// The largest capacity a channel may have. Positions travel to JS in the 28-bit payload of a
// result word (see RESULT below), so capacities stay below 2^28.
// @ts-ignore: decorator
@inline export const MAX_CAP: u32 = (1 << 28) - 1;

// ── WAITER record: 48 bytes, 64 on a shared channel — one blocked send or receive on one channel ─
//   +0  MAGIC        MAGIC_WAITER while live
//   +4  NEXT         next waiter in the channel's queue
//   +8  PREV         previous waiter in the channel's queue
//   +12 CHAN         the channel it waits on
//   +16 SEL          its select record, 0 for a plain send or receive
//   +20 SLOT         the facade's token for whoever waits (a JS slot index, opaque to the core)
//   +24 KIND         bit 0: 1 = send, 0 = receive; bits 1..: case index within its select
//   +28 SEL_NEXT     next waiter of the same select
//   +32 THREAD       the thread whose operation waits (wakes of other threads go to its INBOX)
//   +36 QUEUED       1 while it is in its channel's queue (shared: read and written under LOCK)
//   +40 INBOX_NEXT   next completed wait in its thread's INBOX
//   +44 RESULT       set when completed by another thread: R_HANDOFF (done) or R_CLOSED
//   +48 VALUE        shared channels only: a value slot (the sender's value, or the one received)
// @ts-ignore: decorator
@inline export const MAGIC_WAITER: u32 = 0x54494157; // 'WAIT'
// @ts-ignore: decorator
@inline export const W_THREAD: u32 = 32;
// @ts-ignore: decorator
@inline export const W_QUEUED: u32 = 36;
// @ts-ignore: decorator
@inline export const W_INBOX_NEXT: u32 = 40;
// @ts-ignore: decorator
@inline export const W_RESULT: u32 = 44;
// @ts-ignore: decorator
@inline export const W_VALUE: u32 = 48;
// @ts-ignore: decorator
@inline export const W_MAGIC: u32 = 0;
// @ts-ignore: decorator
@inline export const W_NEXT: u32 = 4;
// @ts-ignore: decorator
@inline export const W_PREV: u32 = 8;
// @ts-ignore: decorator
@inline export const W_CHAN: u32 = 12;
// @ts-ignore: decorator
@inline export const W_SEL: u32 = 16;
// @ts-ignore: decorator
@inline export const W_SLOT: u32 = 20;
// @ts-ignore: decorator
@inline export const W_KIND: u32 = 24;
// @ts-ignore: decorator
@inline export const W_SEL_NEXT: u32 = 28;

// ── SELECT record: 32 bytes (class 1) — one blocked select ──────────────────────────────────────
//   +0  MAGIC        MAGIC_SELECT while live
//   +4  FIRST        first of its waiters (linked by W_SEL_NEXT)
//   +8  SLOT         the facade's token for the waiting select
//   +12 DONE         0 while waiting; the first waker sets it to 1 with a CAS (Go's selectDone),
//                    so a select that two threads try to fire is fired by exactly one
//   +16 FIRED        the waiter that fired it
//   +20 SHARED       1 if any case is on a shared channel (then wakers use DONE, and the waiters
//                    left in other queues are torn down by its thread, see selCleanup)
//   +24 NEXT         next select in its thread's CLEANUP list
// @ts-ignore: decorator
@inline export const MAGIC_SELECT: u32 = 0x544c4553; // 'SELT'
// @ts-ignore: decorator
@inline export const SELECT_CLASS: u32 = 1;
// @ts-ignore: decorator
@inline export const S_DONE: u32 = 12;
// @ts-ignore: decorator
@inline export const S_FIRED: u32 = 16;
// @ts-ignore: decorator
@inline export const S_SHARED: u32 = 20;
// @ts-ignore: decorator
@inline export const S_NEXT: u32 = 24;
// @ts-ignore: decorator
@inline export const S_MAGIC: u32 = 0;
// @ts-ignore: decorator
@inline export const S_FIRST: u32 = 4;
// @ts-ignore: decorator
@inline export const S_SLOT: u32 = 8;

// ── WAITQ record: 16 bytes (class 0) — a wait queue of a sync primitive (waitq.ts) ─────────────
//   +0  MAGIC        MAGIC_WAITQ while live
//   +4  HEAD         first waiter (waiter records, as channels queue them; W_KIND = arg << 1)
//   +8  TAIL         last waiter
//   +12 COUNT        waiters queued
// @ts-ignore: decorator
@inline export const MAGIC_WAITQ: u32 = 0x55455157; // 'WQEU'
// @ts-ignore: decorator
@inline export const WAITQ_CLASS: u32 = 0;
// @ts-ignore: decorator
@inline export const Q_MAGIC: u32 = 0;
// @ts-ignore: decorator
@inline export const Q_HEAD: u32 = 4;
// @ts-ignore: decorator
@inline export const Q_TAIL: u32 = 8;
// @ts-ignore: decorator
@inline export const Q_COUNT: u32 = 12;

// ── RESULT word: what an operation returns to the facade ───────────────────────────────────────
//   bits 0..3  code (R_*)      bits 4..31  payload (a ring position or a slot), read with >>> 4
// Every channel and select export returns a result word; exports that return an address or a
// count return it (>= 0) or a negative E_* code: that is the core's one failure convention.
// @ts-ignore: decorator
@inline export const R_BUFFERED: u32 = 0; // done through the buffer; payload = ring position
// @ts-ignore: decorator
@inline export const R_HANDOFF: u32 = 1; // done with a parked peer; payload = its slot
// @ts-ignore: decorator
@inline export const R_BLOCKED: u32 = 2; // parked: the caller's slot is now in a queue
// @ts-ignore: decorator
@inline export const R_WOULD_BLOCK: u32 = 3; // non-blocking attempt found nothing to do
// @ts-ignore: decorator
@inline export const R_CLOSED: u32 = 4; // receive: closed and drained; send/close: panic
// @ts-ignore: decorator
@inline export const R_BAD: u32 = 5; // the handle is not a live channel (or bad argument)
// @ts-ignore: decorator
@inline export const R_BUFFERED_SENDER: u32 = 6; // receive from a full buffer that also took a
//                                                  parked sender's value into LAST_POS; payload = its slot
// @ts-ignore: decorator
@inline export const R_NOMEM: u32 = 7; // the core could not allocate a record
// @ts-ignore: decorator
@inline export const R_DONE: u32 = 8; // shared: done, with nothing for this thread to wake (a
//                                       received value is in STAGE_OUT)
// @ts-ignore: decorator
@inline export const R_BUSY: u32 = 9; // shared: a lock stayed taken (its holder is slow, or ended
//                                       and not yet declared dead): nothing was done, try later
// @ts-ignore: decorator
@inline export const CODE_BITS: u32 = 4;
// @ts-ignore: decorator
@inline export const CODE_MASK: u32 = 15;
// Failure codes of the exports that return an address or a count.
// @ts-ignore: decorator
@inline export const E_BAD: i32 = -1; // a bad handle or argument
// @ts-ignore: decorator
@inline export const E_RANGE: i32 = -2; // a size out of range
// @ts-ignore: decorator
@inline export const E_NOMEM: i32 = -3; // memory exhausted

// @ts-ignore: decorator
@inline export function result(code: u32, payload: u32): i32 {
  return <i32>((payload << CODE_BITS) | code);
}

// @ts-ignore: decorator
@inline export function ctx(t: u32): u32 {
  return TBASE + t * TSIZE;
}

// ── SELECT scratch block: one per thread (T_SCRATCH), written by the facade before selPoll ──────
//   n cases × SC_STRIDE bytes: +0 CHAN (0 = nil), +4 KIND (1 = send), +8 VALUE (a value slot, for
//   a send case on a shared channel), then n × 4 bytes ORDER (poll order), then n × 4 bytes LOCKS
//   (shared channels in address order, each once).
// @ts-ignore: decorator
@inline export const SC_STRIDE: u32 = 24;
// @ts-ignore: decorator
@inline export const SC_CHAN: u32 = 0;
// @ts-ignore: decorator
@inline export const SC_KIND: u32 = 4;
// @ts-ignore: decorator
@inline export const SC_VALUE: u32 = 8;
// @ts-ignore: decorator
@inline export const SC_BYTES_PER_CASE: u32 = 32; // SC_STRIDE + ORDER + LOCKS
/** Go rejects selects of more than 65536 cases; so do we. */
// @ts-ignore: decorator
@inline export const MAX_CASES: u32 = 65536;
