package io.x0tta6bl4.exporter.bpf;

/** Why eBPF telemetry (or one family of it) cannot run here; said once, then the exporter goes on with procfs. */
public final class BpfUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The classified cause. */
    public enum Reason {
        LIBBPF_MISSING("libbpf.so.1 not found: install libbpf1"),
        OBJECT_MISSING("BPF object not found in the jar"),
        OBJECT_INVALID("BPF object is not a valid ELF/BPF object"),
        NO_KERNEL_BTF("the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot load"),
        NO_PERMISSION("needs root or CAP_BPF+CAP_PERFMON"),
        LOAD_FAILED("the kernel refused the program"),
        ATTACH_FAILED("the program could not be attached (tracepoint missing on this kernel?)");

        private final String explanation;

        Reason(String explanation) {
            this.explanation = explanation;
        }

        public String explanation() {
            return explanation;
        }
    }

    private final Reason reason;

    public BpfUnavailableException(Reason reason, String detail) {
        super(reason + ": " + reason.explanation() + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
