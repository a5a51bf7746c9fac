package io.elasticinference.function.it;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need a program from Debian (prometheus, chromium): skipped with a message where it is missing, except
 * under CI=true, where a missing program is a failure (.ci/run installs them).
 */
final class ExternalTools {

    private ExternalTools() {
    }

    static Path require(String path, String debianPackage) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            String message = path + " not found: apt-get install " + debianPackage;
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(message + " (required under CI=true)");
            }
            Assumptions.abort(message);
        }
        return p;
    }
}
