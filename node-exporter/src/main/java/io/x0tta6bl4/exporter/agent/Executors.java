package io.x0tta6bl4.exporter.agent;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The executors an agent has, by action name. */
public final class Executors {
    private final Map<String, ActionExecutor> byAction = new TreeMap<>();

    public Executors register(ActionExecutor executor) {
        if (byAction.putIfAbsent(executor.action(), executor) != null) {
            throw new IllegalArgumentException("two executors for action " + executor.action());
        }
        return this;
    }

    public ActionExecutor find(String action) {
        return byAction.get(action);
    }

    public Collection<String> actions() {
        return byAction.keySet();
    }

    /** The executors that act on a real Linux host through systemd and iproute2. */
    public static Executors host() {
        return new Executors()
                .register(new HostActions.CpuThrottle())
                .register(new HostActions.IoThrottle())
                .register(new HostActions.MemoryLimit())
                .register(new HostActions.ServiceRestart())
                .register(new HostActions.ProcessRenice())
                .register(new HostActions.RestartInterface());
    }
}
