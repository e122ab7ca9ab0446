// Shared by the histogram families: log2 buckets of nanoseconds in a per-CPU array, plus a running sum.
#ifndef X0_HIST_H
#define X0_HIST_H

#define X0_HIST_BUCKETS 32   // bucket i counts values in [2^i, 2^(i+1)) ns; the last one takes everything above
#define X0_HIST_SUM_SLOT X0_HIST_BUCKETS

static __always_inline __u32 x0_log2(__u64 v)
{
    __u32 r = 0;
    #pragma unroll
    for (int i = 5; i >= 0; i--) {
        __u32 shift = 1u << i;
        if (v >= (1ULL << shift)) {
            v >>= shift;
            r += shift;
        }
    }
    return r;
}

#define X0_HIST_RECORD(map, delta_ns)                                          \
    do {                                                                        \
        __u32 slot = x0_log2(delta_ns);                                         \
        if (slot >= X0_HIST_BUCKETS)                                            \
            slot = X0_HIST_BUCKETS - 1;                                         \
        __u64 *bucket = bpf_map_lookup_elem(&map, &slot);                       \
        if (bucket)                                                             \
            (*bucket)++;                                                        \
        __u32 sum_slot = X0_HIST_SUM_SLOT;                                      \
        __u64 *sum = bpf_map_lookup_elem(&map, &sum_slot);                      \
        if (sum)                                                                \
            *sum += (delta_ns);                                                 \
    } while (0)

#endif
