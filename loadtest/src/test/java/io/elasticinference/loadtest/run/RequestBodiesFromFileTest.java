package io.elasticinference.loadtest.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one body {@code cold-start} sends: typed by extension unless told, raw or as a multipart part "file". */
class RequestBodiesFromFileTest {

    @TempDir
    Path tmp;

    @Test
    void typedByExtensionOrByTheGivenTypeOrOctetStream() throws Exception {
        byte[] data = {(byte) 0x89, 'P', 'N', 'G'};
        Path png = Files.write(tmp.resolve("a.PNG"), data);
        RequestBodies.Body raw = RequestBodies.fromFile(png, null, false);
        assertEquals("image/png", raw.contentType());
        assertArrayEquals(data, raw.bytes());
        assertEquals("image/webp", RequestBodies.fromFile(png, "image/webp", false).contentType());
        Path bin = Files.write(tmp.resolve("photo.raw"), data);
        assertEquals("application/octet-stream", RequestBodies.fromFile(bin, null, false).contentType());
    }

    @Test
    void multipartWrapsTheFileInAPartNamedFile() throws Exception {
        Path jpg = Files.write(tmp.resolve("cat.jpg"), "JPEGDATA".getBytes(StandardCharsets.US_ASCII));
        RequestBodies.Body body = RequestBodies.fromFile(jpg, null, true);
        assertTrue(body.contentType().startsWith("multipart/form-data; boundary="), body.contentType());
        String text = new String(body.bytes(), StandardCharsets.US_ASCII);
        assertTrue(text.contains("Content-Disposition: form-data; name=\"file\"; filename=\"cat.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n"), text);
    }

    @Test
    void aMissingFileIsAnArgumentError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RequestBodies.fromFile(tmp.resolve("nope.jpg"), null, false));
        assertEquals("image file not found: " + tmp.resolve("nope.jpg"), e.getMessage());
    }
}
