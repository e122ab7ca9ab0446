// x0tta6bl4 metric family "tcp": TCP resets sent (slot 0), resets received (slot 1) and retransmitted segments
// (slot 2) by this host, and the same per process where the socket's owner is known.
//
// Resets and retransmits mostly happen in softirq context, where the "current" task is whoever was interrupted:
// attributing them to it would be wrong. So a socket's owner is remembered when that owner is certainly running:
// at connect() (the socket enters SYN_SENT in the caller's context), and forgotten when the socket closes.
// Events on sockets without a known owner (accepted connections, resets to closed ports) count in the totals only.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define X0_TCP_RESET_SENT 0
#define X0_TCP_RESET_RECEIVED 1
#define X0_TCP_RETRANSMIT 2

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __type(value, __u64);
} x0_tcp SEC(".maps");

struct x0_tcp_owner {
    char comm[16];
};

// Socket (its kernel address) to the process that connected it. LRU: sockets that vanish without a CLOSE
// transition cannot fill it up.
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, __u64);
    __type(value, struct x0_tcp_owner);
} x0_tcp_owners SEC(".maps");

struct x0_tcp_event_comm {
    __u32 event;
    char comm[16];
};

// Events by kind and owning process name: LRU, so process churn evicts old keys; the exporter keeps the top K
// per interval and folds the rest into "other".
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 4096);
    __type(key, struct x0_tcp_event_comm);
    __type(value, __u64);
} x0_tcp_by_comm SEC(".maps");

static __always_inline void x0_tcp_count(__u32 event, const struct sock *sk)
{
    __u64 *count = bpf_map_lookup_elem(&x0_tcp, &event);
    if (count)
        (*count)++;

    __u64 sk_key = (__u64)sk;
    struct x0_tcp_owner *owner = bpf_map_lookup_elem(&x0_tcp_owners, &sk_key);
    if (!owner)
        return;
    struct x0_tcp_event_comm key = {};
    key.event = event;
    __builtin_memcpy(key.comm, owner->comm, sizeof(key.comm));
    __u64 *by_comm = bpf_map_lookup_elem(&x0_tcp_by_comm, &key);
    if (by_comm) {
        __sync_fetch_and_add(by_comm, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&x0_tcp_by_comm, &key, &one, BPF_NOEXIST);
    }
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(x0_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
    __u64 sk_key = (__u64)sk;
    if (newstate == TCP_SYN_SENT) {
        struct x0_tcp_owner owner = {};
        bpf_get_current_comm(&owner.comm, sizeof(owner.comm));
        bpf_map_update_elem(&x0_tcp_owners, &sk_key, &owner, BPF_ANY);
    } else if (newstate == TCP_CLOSE) {
        bpf_map_delete_elem(&x0_tcp_owners, &sk_key);
    }
    return 0;
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(x0_tcp_send_reset, const struct sock *sk)
{
    x0_tcp_count(X0_TCP_RESET_SENT, sk);
    return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(x0_tcp_receive_reset, struct sock *sk)
{
    x0_tcp_count(X0_TCP_RESET_RECEIVED, sk);
    return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(x0_tcp_retransmit, const struct sock *sk)
{
    x0_tcp_count(X0_TCP_RETRANSMIT, sk);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
