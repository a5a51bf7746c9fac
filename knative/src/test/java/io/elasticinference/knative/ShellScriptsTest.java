package io.elasticinference.knative;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shell script of the repository passes shellcheck (Debian's package). */
class ShellScriptsTest {

    @Test
    void shellcheckPasses() throws Exception {
        Path shellcheck = Path.of("/usr/bin/shellcheck");
        if (!Files.isExecutable(shellcheck)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("shellcheck missing (apt-get install shellcheck); required under CI=true");
            }
            Assumptions.abort("shellcheck not installed: apt-get install shellcheck");
        }
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().endsWith(".sh") || p.endsWith(Path.of(".ci", "run")))
                    .forEach(p -> scripts.add(p.toString()));
        }
        assertTrue(scripts.size() >= 3, "scripts: " + scripts);
        List<String> cmd = new ArrayList<>(List.of(shellcheck.toString(), "-S", "warning"));
        cmd.addAll(scripts);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

}
