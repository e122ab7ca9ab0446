// x0tta6bl4 metric family "runqueue_latency": time from a task's wakeup to running on a CPU, log2 histogram.
// The wakeup time is kept in task storage (freed with the task: short-lived processes cannot grow a map).
// The same waits are also summed per cgroup (v2 id of the task that waited): which container or service is
// starved of CPU. An LRU hash: cgroups that come and go cannot grow it without bound.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "x0_hist.h"

struct {
    __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, int);
    __type(value, __u64);
} x0_wakeup_ts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, X0_HIST_BUCKETS + 1);
    __type(key, __u32);
    __type(value, __u64);
} x0_runqueue_latency SEC(".maps");

struct x0_cgroup_wait {
    __u64 count;
    __u64 sum_ns;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 4096);
    __type(key, __u64);
    __type(value, struct x0_cgroup_wait);
} x0_runqueue_by_cgroup SEC(".maps");

static __always_inline int x0_mark_wakeup(struct task_struct *p)
{
    __u64 *ts = bpf_task_storage_get(&x0_wakeup_ts, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (ts)
        *ts = bpf_ktime_get_ns();
    return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(x0_sched_wakeup, struct task_struct *p)
{
    return x0_mark_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(x0_sched_wakeup_new, struct task_struct *p)
{
    return x0_mark_wakeup(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(x0_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
    // A preempted task goes straight back to the run queue: its wait starts now.
    if (prev->__state == 0 /* TASK_RUNNING */)
        x0_mark_wakeup(prev);
    __u64 *ts = bpf_task_storage_get(&x0_wakeup_ts, next, 0, 0);
    if (!ts || *ts == 0)
        return 0;
    __u64 delta = bpf_ktime_get_ns() - *ts;
    *ts = 0;
    X0_HIST_RECORD(x0_runqueue_latency, delta);

    __u64 cgroup = BPF_CORE_READ(next, cgroups, dfl_cgrp, kn, id);
    struct x0_cgroup_wait *wait = bpf_map_lookup_elem(&x0_runqueue_by_cgroup, &cgroup);
    if (wait) {
        __sync_fetch_and_add(&wait->count, 1);
        __sync_fetch_and_add(&wait->sum_ns, delta);
    } else {
        struct x0_cgroup_wait first = {1, delta};
        bpf_map_update_elem(&x0_runqueue_by_cgroup, &cgroup, &first, BPF_NOEXIST);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
