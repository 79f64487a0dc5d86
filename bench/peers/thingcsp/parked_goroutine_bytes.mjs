// parked_goroutine_bytes in @thi.ng/csp: not expressible. A channel keeps at most MAX_READS
// (1024) pending reads; beyond that, read() resolves to undefined at once, as if the channel were
// closed, so 10^5 readers cannot park on one channel (test/bench/peers.test.ts checks that the
// limit holds).
export const notExpressible =
  "a @thi.ng/csp channel keeps at most 1024 pending reads (MAX_READS); further reads resolve to undefined at once, so 10^5 readers cannot park on one channel";
