package io.elasticinference.loadtest.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The scaling lab's scripts pass shellcheck (skipped when it is not installed, unless CI=true). */
class ScriptsLintTest {

    @Test
    void scalingLabScriptsPassShellcheck() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean installed;
        try {
            installed = new ProcessBuilder("shellcheck", "--version").redirectErrorStream(true).start()
                    .waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            installed = false;
        }
        if (!installed) {
            if (ci) {
                fail("shellcheck is not installed (apt-get install shellcheck)");
            }
            Assumptions.abort("shellcheck not installed: apt-get install shellcheck to run this test");
        }
        Path scripts = Path.of("..").toAbsolutePath().normalize();
        for (String name : new String[] {"scripts/scaling-comparison.sh", "scripts/simulator-benchmark.sh",
            "loadtest/bench/generator-benchmark.sh", "function/bench/run-benchmarks.sh",
            "function/bench/hello-world.sh"}) {
            Process p = new ProcessBuilder("shellcheck", scripts.resolve(name).toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), name + ":\n" + out);
            assertEquals(true, Files.isExecutable(scripts.resolve(name)), name + " must be executable");
        }
    }
}
