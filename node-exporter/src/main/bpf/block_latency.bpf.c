// x0tta6bl4 metric family "block_latency": block I/O request latency, issue to completion, log2 histogram.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "x0_hist.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);          // requests in flight; a full map only loses samples
    __type(key, __u64);                  // the request's address
    __type(value, __u64);                // issue time, ns
} x0_block_start SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, X0_HIST_BUCKETS + 1);
    __type(key, __u32);
    __type(value, __u64);
} x0_block_latency SEC(".maps");

SEC("tp_btf/block_rq_issue")
int BPF_PROG(x0_block_rq_issue, struct request *rq)
{
    __u64 key = (__u64)rq;
    __u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&x0_block_start, &key, &now, BPF_ANY);
    return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(x0_block_rq_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
    __u64 key = (__u64)rq;
    __u64 *start = bpf_map_lookup_elem(&x0_block_start, &key);
    if (!start)
        return 0;
    __u64 delta = bpf_ktime_get_ns() - *start;
    bpf_map_delete_elem(&x0_block_start, &key);
    X0_HIST_RECORD(x0_block_latency, delta);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
