package io.elasticinference.function.startup;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/** Where the runner jar lies: the build unpacks what a start should not extract from it into that directory. */
final class RunnerJar {

    private RunnerJar() {
    }

    /** The directory of the jar that holds this class (the runner jar's); empty when not run from a jar. */
    static Optional<Path> directory() {
        try {
            CodeSource source = RunnerJar.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return Optional.empty();
            }
            Path jar = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(jar) || jar.getParent() == null) {
                return Optional.empty();
            }
            return Optional.of(jar.getParent());
        } catch (URISyntaxException | RuntimeException e) {
            // not a file on disk (the native executable, an unusual class loader): nothing unpacked to use
            return Optional.empty();
        }
    }
}
