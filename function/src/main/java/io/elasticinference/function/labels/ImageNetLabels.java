package io.elasticinference.function.labels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The 1,000 ImageNet class names in the standard index order (packaged from shared/imagenet/classes.txt). */
public final class ImageNetLabels {

    public static final String RESOURCE = "imagenet-classes.txt";

    private final List<String> names;

    private ImageNetLabels(List<String> names) {
        this.names = List.copyOf(names);
    }

    public static ImageNetLabels load() {
        try (InputStream in = ImageNetLabels.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("class list " + RESOURCE + " missing from the classpath");
            }
            List<String> names = new ArrayList<>(1000);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        names.add(line.strip());
                    }
                }
            }
            return new ImageNetLabels(names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int size() {
        return names.size();
    }

    public String name(int index) {
        return index >= 0 && index < names.size() ? names.get(index) : "class " + index;
    }
}
