package io.elasticinference.function.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need a program from Debian (prometheus, chromium, python3-torch): skipped with a message where it is missing, except
 * under CI=true, where a missing program is a failure (.ci/run installs them).
 */
final class ExternalTools {

    private ExternalTools() {
    }

    static Path require(String path, String debianPackage) {
        Path p = Path.of(path);
        if (!Files.isExecutable(p)) {
            missing(path + " not found: apt-get install " + debianPackage);
        }
        return p;
    }

    /** Debian's python3 with the given modules importable (e.g. "torch, torchvision"). */
    static Path requirePython(String modules, String debianPackages) throws IOException, InterruptedException {
        Path python = require("/usr/bin/python3", "python3");
        Process check = new ProcessBuilder(python.toString(), "-c", "import " + modules)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (check.waitFor() != 0) {
            missing("python3 cannot import " + modules + ": apt-get install " + debianPackages);
        }
        return python;
    }

    private static void missing(String message) {
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + " (required under CI=true)");
        }
        Assumptions.abort(message);
    }
}
