package io.x0tta6bl4.jobs.heal;

import io.x0tta6bl4.schema.CommandBody;

/** A planned command and the blast-radius scope it counts against ("role=db", or "fleet"). A Flink POJO. */
public class PlannedCommand {
    public CommandBody command;
    public String scope;

    public PlannedCommand() {}

    public PlannedCommand(CommandBody command, String scope) {
        this.command = command;
        this.scope = scope;
    }

    /** Nodes are grouped by role for the blast radius; nodes without a role form one group, the fleet. */
    static String scopeOf(java.util.Map<String, String> labels) {
        String role = labels.get("role");
        return role == null ? LimitBlastRadius.FLEET : "role=" + role;
    }
}
