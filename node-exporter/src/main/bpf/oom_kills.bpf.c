// x0tta6bl4 metric family "oom_kills": processes chosen by the OOM killer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} x0_oom_kills SEC(".maps");

SEC("tp_btf/mark_victim")
int x0_mark_victim(void *ctx)
{
    __u32 slot = 0;
    __u64 *count = bpf_map_lookup_elem(&x0_oom_kills, &slot);
    if (count)
        (*count)++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
