package io.elasticinference.loadtest.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The images a run sends, read once into memory and handed out round-robin, as raw bodies or as multipart with a
 * part named {@code file} (what the course projects' clients send).
 */
public final class RequestBodies {

    private static final String BOUNDARY = "elastic-inference-loadtest-boundary";

    /** One ready-to-send body. */
    public record Body(byte[] bytes, String contentType) {
    }

    private final List<Body> bodies;

    private RequestBodies(List<Body> bodies) {
        this.bodies = bodies;
    }

    public static RequestBodies fromDirectory(Path dir, boolean multipart) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image directory not found: " + dir);
        }
        List<Body> bodies = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String type = contentType(p);
                if (type == null) {
                    continue;
                }
                byte[] data = Files.readAllBytes(p);
                bodies.add(multipart ? multipart(p.getFileName().toString(), type, data) : new Body(data, type));
            }
        }
        if (bodies.isEmpty()) {
            throw new IllegalArgumentException("no images (jpg, jpeg, png, gif, bmp, webp) in " + dir);
        }
        return new RequestBodies(bodies);
    }

    /** One file as a body, typed by {@code contentType} or else by its extension (octet-stream if unknown). */
    public static Body fromFile(Path file, String contentType, boolean multipart) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image file not found: " + file);
        }
        String type = contentType != null ? contentType : contentType(file);
        if (type == null) {
            type = "application/octet-stream";
        }
        byte[] data = Files.readAllBytes(file);
        return multipart ? multipart(file.getFileName().toString(), type, data) : new Body(data, type);
    }

    public Body get(long i) {
        return bodies.get((int) (i % bodies.size()));
    }

    public int size() {
        return bodies.size();
    }

    static String contentType(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".gif")) {
            return "image/gif";
        }
        if (n.endsWith(".bmp")) {
            return "image/bmp";
        }
        if (n.endsWith(".webp")) {
            return "image/webp";
        }
        return null;
    }

    static Body multipart(String name, String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 256);
        String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + name.replace("\"", "") + "\"\r\nContent-Type: " + type + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Body(out.toByteArray(), "multipart/form-data; boundary=" + BOUNDARY);
    }
}
