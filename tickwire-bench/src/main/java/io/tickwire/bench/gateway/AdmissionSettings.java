package io.tickwire.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gateway's admission settings, for the report: read from the effective configuration the gateway logs at
 * start ({@code server.handshakes-per-second: 2000}, the last start in the file wins), or, failing that, from the
 * {@code TICKWIRE_SERVER_*} variables of its process, where a key that is not set shows as {@code unset} (the
 * gateway then takes its default, or its {@code --config} file's value, which the bench cannot see).
 */
public final class AdmissionSettings {

    /** The keys that decide how fast clients are let in, as in defaults.yaml. */
    static final List<String> KEYS = List.of("handshakes-per-second", "handshake-burst", "address-handshakes-per-second",
            "address-handshake-burst", "max-connections", "max-connections-per-user");

    private AdmissionSettings() {}

    /** One line naming each setting and where it was read. */
    public static String describe(Path gatewayLog, Long gatewayPid) {
        try {
            if (gatewayLog != null) {
                return fromLog(Files.readAllLines(gatewayLog, StandardCharsets.UTF_8)) + " (from " + gatewayLog + ")";
            }
            if (gatewayPid != null) {
                String environ = Files.readString(Path.of("/proc", gatewayPid.toString(), "environ"), StandardCharsets.UTF_8);
                String cmdline = Files.readString(Path.of("/proc", gatewayPid.toString(), "cmdline"), StandardCharsets.UTF_8);
                return fromEnvironment(environ) + " (from the gateway's environment"
                        + (cmdline.contains("--config") ? "; it has a --config file, not read" : "") + ")";
            }
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
        return "unknown (give --gateway-log or --gateway-pid)";
    }

    static String fromLog(List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            values.put(key, "?");
        }
        for (String line : lines) {
            String l = line.strip();
            for (String key : KEYS) {
                String prefix = "server." + key + ":";
                if (l.startsWith(prefix)) {
                    values.put(key, l.substring(prefix.length()).strip());
                }
            }
        }
        return join(values);
    }

    /** {@code environ}: NUL-separated {@code NAME=value} entries, as in {@code /proc/<pid>/environ}. */
    static String fromEnvironment(String environ) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : environ.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            String name = "TICKWIRE_SERVER_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
            values.put(key, env.getOrDefault(name, "unset"));
        }
        return join(values);
    }

    private static String join(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return out.toString();
    }
}
