package io.tickwire.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/** What the server processes of the tests share: finding their binary, and a free loopback port. */
final class ServerBinaries {

    private ServerBinaries() {}

    /**
     * The executable named by {@code variable}, else {@code name} on the {@code PATH}, else {@code packaged} (where
     * Debian's package puts it; a non-root {@code PATH} may lack {@code /usr/sbin}). None: the test fails on CI
     * ({@code CI=true}) and is skipped elsewhere, with {@code hint}.
     */
    static Path find(String variable, String name, Path packaged, String hint) {
        String env = System.getenv(variable);
        if (env != null && !env.isBlank()) {
            Path p = Paths.get(env);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(variable + "=" + env + " is not an executable file");
            }
            return p;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Paths.get(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        if (Files.isExecutable(packaged)) {
            return packaged;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(hint);
        }
        Assumptions.abort(hint);
        return null;
    }

    /** A port free on the loopback interface now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
