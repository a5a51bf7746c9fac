package io.elasticinference.function.startup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training run's arguments; the run itself is StartupArchiveIT's and AotCacheIT's (they need the package). */
class StartupArchiveTrainingTest {

    @TempDir
    Path dir;

    private Path app() throws IOException {
        Path app = Files.createDirectories(dir.resolve("target"));
        Files.writeString(app.resolve("function-runner.jar"), "");
        Files.writeString(dir.resolve("t.jpg"), "");
        return app;
    }

    @Test
    void theArchiveDefaultsBesideTheJarAndTheRecordingOptionComesFirst() throws IOException {
        Path app = app();
        StartupArchiveTraining.Settings cds = StartupArchiveTraining.parse(new String[]{"--app-dir=" + app,
                "--image=" + dir.resolve("t.jpg"), "--jvm-options=-XX:TieredStopAtLevel=1  -Xss512k"});
        assertEquals(app.resolve("app-cds.jsa"), cds.archive());
        List<String> command = StartupArchiveTraining.command(cds, 1234);
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + app.resolve("app-cds.jsa"), "-XX:TieredStopAtLevel=1",
                "-Xss512k", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=1234", "-jar", "function-runner.jar"),
                command.subList(1, command.size()));

        StartupArchiveTraining.Settings aot = StartupArchiveTraining.parse(new String[]{"--app-dir=" + app,
                "--image=" + dir.resolve("t.jpg"), "--mode=aot"});
        assertEquals(app.resolve("app.aot"), aot.archive());
        assertTrue(StartupArchiveTraining.command(aot, 1).contains("-XX:AOTCacheOutput=" + app.resolve("app.aot")));
    }

    @Test
    void badArgumentsAreRefusedWithWhatIsWrong() throws IOException {
        Path app = app();
        String image = "--image=" + dir.resolve("t.jpg");
        assertMessage("--mode must be appcds or aot", "--app-dir=" + app, image, "--mode=jit");
        assertMessage("holds no function-runner.jar", "--app-dir=" + dir, image);
        assertMessage("holds no other.jar", "--app-dir=" + app, image, "--jar=other.jar");
        assertMessage("no such image", "--app-dir=" + app, "--image=" + dir.resolve("missing.jpg"));
        assertMessage("--requests must be at least 1", "--app-dir=" + app, image, "--requests=0");
        assertMessage("--image is required", "--app-dir=" + app);
        assertMessage("expected --key=value", "--app-dir=" + app, image, "stray");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StartupArchiveTraining.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
