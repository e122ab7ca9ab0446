// x0tta6bl4 metric family "syscall_errors": failed system calls by errno, counted at syscall exit.
// One per-CPU slot per errno (1..511): no locking on the hot path, summed by the exporter each interval.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define X0_MAX_ERRNO 512

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, X0_MAX_ERRNO);
    __type(key, __u32);
    __type(value, __u64);
} x0_syscall_errors SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(x0_sys_exit, struct pt_regs *regs, long ret)
{
    if (ret >= 0 || ret <= -X0_MAX_ERRNO)
        return 0;
    __u32 errno_slot = (__u32)(-ret);
    __u64 *count = bpf_map_lookup_elem(&x0_syscall_errors, &errno_slot);
    if (count)
        (*count)++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
