package io.x0tta6bl4.jobs.common;

import java.util.Map;
import java.util.TreeMap;

/** Labels as a canonical string ("k=v,k=v", keys sorted): cheap to key by and to keep in Flink state. */
public final class Labels {
    private Labels() {}

    public static String canonical(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "";
        }
        if (labels.size() == 1) { // the common case (device=, interface=): no sorting needed
            Map.Entry<String, String> only = labels.entrySet().iterator().next();
            return only.getKey() + "=" + only.getValue();
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return sb.toString();
    }

    /** Whether {@code labels} are the ones written canonically as {@code canonical}, without building the string in the common cases. */
    public static boolean matches(String canonical, Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return canonical.isEmpty();
        }
        if (labels.size() == 1) {
            Map.Entry<String, String> only = labels.entrySet().iterator().next();
            String k = only.getKey();
            String v = only.getValue();
            return canonical.length() == k.length() + 1 + v.length() && canonical.startsWith(k) && canonical.charAt(k.length()) == '='
                    && canonical.endsWith(v);
        }
        return canonical.equals(canonical(labels));
    }

    public static Map<String, String> parse(String labels) {
        Map<String, String> map = new TreeMap<>();
        if (labels != null && !labels.isEmpty()) {
            for (String pair : labels.split(",")) {
                int eq = pair.indexOf('=');
                map.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return map;
    }
}
