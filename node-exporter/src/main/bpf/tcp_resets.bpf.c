// x0tta6bl4 metric family "tcp_resets": TCP resets sent (slot 0) and received (slot 1) by this host.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} x0_tcp_resets SEC(".maps");

static __always_inline void x0_count(__u32 slot)
{
    __u64 *count = bpf_map_lookup_elem(&x0_tcp_resets, &slot);
    if (count)
        (*count)++;
}

SEC("tp_btf/tcp_send_reset")
int x0_tcp_send_reset(void *ctx)
{
    x0_count(0);
    return 0;
}

SEC("tp_btf/tcp_receive_reset")
int x0_tcp_receive_reset(void *ctx)
{
    x0_count(1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
