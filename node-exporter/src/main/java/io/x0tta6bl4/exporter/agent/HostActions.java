package io.x0tta6bl4.exporter.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The actions on a real host, one class each. Each builds an argument vector (never a shell line), so a
 * parameter can only ever be one argument; policy has already bounded the values.
 */
public final class HostActions {
    private HostActions() {}

    /** Runs a program with arguments and reports its exit status and output. */
    static ActionExecutor.Outcome run(List<String> argv, boolean dryRun) throws IOException, InterruptedException {
        if (dryRun) {
            return ActionExecutor.Outcome.ok("dry run: would run " + argv);
        }
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return ActionExecutor.Outcome.failed(argv.get(0) + " did not finish in 20 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return process.exitValue() == 0
                ? ActionExecutor.Outcome.ok("ran " + argv)
                : ActionExecutor.Outcome.failed(argv + " exited " + process.exitValue() + ": " + output);
    }

    /** Sets one resource-control property of a systemd unit at run time ({@code systemctl set-property --runtime}). */
    abstract static class UnitProperty implements ActionExecutor {
        private final String action;
        private final String property;
        private final String param;
        private final String suffix;

        UnitProperty(String action, String property, String param, String suffix) {
            this.action = action;
            this.property = property;
            this.param = param;
            this.suffix = suffix;
        }

        public String action() { return action; }

        public Outcome execute(Map<String, String> p, boolean dryRun) throws Exception {
            return run(List.of("systemctl", "set-property", "--runtime", p.getOrDefault("unit", "app.service"),
                    property + "=" + p.get(param) + suffix), dryRun);
        }
    }

    /** {@code cpu.throttle}: caps a systemd unit's CPU quota (reversible: set it back to 100%). */
    public static final class CpuThrottle extends UnitProperty {
        public CpuThrottle() { super("cpu.throttle", "CPUQuota", "quota_percent", "%"); }
    }

    /** {@code io.throttle}: lowers a systemd unit's I/O weight. */
    public static final class IoThrottle extends UnitProperty {
        public IoThrottle() { super("io.throttle", "IOWeight", "weight", ""); }
    }

    /** {@code memory.limit}: caps a systemd unit's memory. */
    public static final class MemoryLimit extends UnitProperty {
        public MemoryLimit() { super("memory.limit", "MemoryMax", "limit_percent", "%"); }
    }

    /** {@code service.restart}: restarts a systemd unit (clears leaks and wedged states). */
    public static final class ServiceRestart implements ActionExecutor {
        public String action() { return "service.restart"; }

        public Outcome execute(Map<String, String> p, boolean dryRun) throws Exception {
            return run(List.of("systemctl", "restart", p.get("unit")), dryRun);
        }
    }

    /** {@code process.renice}: lowers the priority of a process: the given pid, or "top", the biggest CPU consumer. */
    public static final class ProcessRenice implements ActionExecutor {
        public String action() { return "process.renice"; }

        public Outcome execute(Map<String, String> p, boolean dryRun) throws Exception {
            String pid = p.getOrDefault("pid", "top");
            if (pid.equals("top")) {
                long top = topCpuProcess();
                if (top < 0) {
                    return Outcome.failed("no process to renice");
                }
                pid = Long.toString(top);
            }
            return run(List.of("renice", "-n", p.get("nice"), "-p", pid), dryRun);
        }

        /** The process with the most CPU time (utime + stime), other than init and this agent. */
        static long topCpuProcess() throws IOException {
            long self = ProcessHandle.current().pid();
            long best = -1;
            long bestTicks = -1;
            try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
                for (java.nio.file.Path dir : (Iterable<java.nio.file.Path>) dirs::iterator) {
                    String name = dir.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit) || name.equals("1") || name.equals(Long.toString(self))) {
                        continue;
                    }
                    try {
                        String stat = java.nio.file.Files.readString(dir.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        if (ticks > bestTicks) {
                            bestTicks = ticks;
                            best = Long.parseLong(name);
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the process ended while we looked
                    }
                }
            }
            return best;
        }
    }

    /** {@code net.restart_interface}: takes an interface down and up again. */
    public static final class RestartInterface implements ActionExecutor {
        public String action() { return "net.restart_interface"; }

        public Outcome execute(Map<String, String> p, boolean dryRun) throws Exception {
            String iface = p.get("interface");
            Outcome down = run(List.of("ip", "link", "set", "dev", iface, "down"), dryRun);
            if (!down.success()) {
                return down;
            }
            return run(List.of("ip", "link", "set", "dev", iface, "up"), dryRun);
        }
    }
}
