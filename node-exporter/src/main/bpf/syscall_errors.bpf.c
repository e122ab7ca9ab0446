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

// Failed calls by errno and process name: an LRU hash, so a storm of short-lived processes evicts old keys
// instead of growing without bound; the exporter keeps the top K per interval and folds the rest into "other".
struct x0_errno_comm {
    __u32 err;
    char comm[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 4096);
    __type(key, struct x0_errno_comm);
    __type(value, __u64);
} x0_syscall_errors_by_comm SEC(".maps");

SEC("tp_btf/sys_exit")
int BPF_PROG(x0_sys_exit, struct pt_regs *regs, long ret)
{
    if (ret >= 0 || ret <= -X0_MAX_ERRNO)
        return 0;
    __u32 errno_slot = (__u32)(-ret);
    __u64 *count = bpf_map_lookup_elem(&x0_syscall_errors, &errno_slot);
    if (count)
        (*count)++;

    struct x0_errno_comm key = {};
    key.err = errno_slot;
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    __u64 *by_comm = bpf_map_lookup_elem(&x0_syscall_errors_by_comm, &key);
    if (by_comm) {
        __sync_fetch_and_add(by_comm, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&x0_syscall_errors_by_comm, &key, &one, BPF_NOEXIST);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
