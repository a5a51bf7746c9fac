package io.elasticinference.function.api;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipartImageTest {

    private static final String BOUNDARY = "----test-boundary-7MA4YWxkTrZu0gW";
    private static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    /** Bytes that look like the parser's own syntax: CRLFs, dashes, a near-boundary, every byte value. */
    private static byte[] awkwardBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 256; i++) {
            out.write(i);
        }
        out.writeBytes(("\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1) + "\r\n\r\n--\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        byte[] noise = new byte[200_000];
        new Random(7).nextBytes(noise);
        out.writeBytes(noise);
        return out.toByteArray();
    }

    private static byte[] body(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i += 2) {
            out.writeBytes(("--" + BOUNDARY + "\r\n" + parts[i] + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes((byte[]) parts[i + 1]);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void filePartComesBackByteForByte() {
        byte[] image = awkwardBytes();
        byte[] b = body("Content-Disposition: form-data; name=\"file\"; filename=\"crab.jpg\"\r\n"
                + "Content-Type: image/jpeg", image);
        assertArrayEquals(image, MultipartImage.filePart(b, TYPE));
    }

    @Test
    void quotedBoundaryAndOtherParametersAreUnderstood() {
        byte[] image = awkwardBytes();
        byte[] b = body("Content-Disposition: form-data; name=\"file\"; filename=\"crab.jpg\"", image);
        assertArrayEquals(image, MultipartImage.filePart(b, "multipart/form-data; boundary=\"" + BOUNDARY + "\""));
        assertArrayEquals(image, MultipartImage.filePart(b, "multipart/form-data; charset=UTF-8; boundary=" + BOUNDARY));
        assertArrayEquals(image, MultipartImage.filePart(b, "Multipart/Form-Data; boundary=" + BOUNDARY));
    }

    @Test
    void filePartWithoutFileNameAfterOtherPartsIsFound() {
        byte[] image = awkwardBytes();
        byte[] b = body("Content-Disposition: form-data; name=\"note\"", "hello".getBytes(StandardCharsets.UTF_8),
                "Content-Disposition: form-data; name=\"other\"; filename=\"x.png\"", new byte[]{1, 2, 3},
                "Content-Disposition: form-data; name=\"file\"", image);
        assertArrayEquals(image, MultipartImage.filePart(b, TYPE));
    }

    @Test
    void noPartNamedFileIsNull() {
        byte[] b = body("Content-Disposition: form-data; name=\"image\"; filename=\"x.jpg\"", new byte[]{1, 2, 3});
        assertNull(MultipartImage.filePart(b, TYPE));
        assertNull(MultipartImage.filePart(new byte[0], TYPE));
    }

    @Test
    void emptyFilePartIsEmpty() {
        byte[] b = body("Content-Disposition: form-data; name=\"file\"; filename=\"empty.jpg\"", new byte[0]);
        assertEquals(0, MultipartImage.filePart(b, TYPE).length);
    }

    @Test
    void bodyCutShortHasNoFilePart() {
        byte[] b = body("Content-Disposition: form-data; name=\"file\"; filename=\"crab.jpg\"", awkwardBytes());
        byte[] cut = Arrays.copyOf(b, b.length / 2);
        assertNull(MultipartImage.filePart(cut, TYPE));
    }

    @Test
    void aFloodOfPartsIsA400() {
        Object[] parts = new Object[2 * 1000];
        for (int i = 0; i < 1000; i++) {
            parts[2 * i] = "Content-Disposition: form-data; name=\"f" + i + "\"";
            parts[2 * i + 1] = new byte[]{'x'};
        }
        ApiError e = assertThrows(ApiError.class, () -> MultipartImage.filePart(body(parts), TYPE));
        assertEquals(400, e.status());
        assertEquals("bad_multipart", e.code());
        assertTrue(e.getMessage().contains("128 parts"), e.getMessage());
    }

    @Test
    void brokenPartHeadersAreA400ThatNamesNoInternals() {
        byte[] b = body("Garbage-Without-A-Name: x", new byte[]{1});
        ApiError e = assertThrows(ApiError.class, () -> MultipartImage.filePart(b, TYPE));
        assertEquals("bad_multipart", e.code());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertFalse(e.getMessage().contains("netty"), e.getMessage());
    }

    @Test
    void noBoundaryIsA400() {
        byte[] b = body("Content-Disposition: form-data; name=\"file\"", new byte[]{1, 2, 3});
        ApiError e = assertThrows(ApiError.class, () -> MultipartImage.filePart(b, "multipart/form-data"));
        assertEquals(400, e.status());
        assertEquals("bad_multipart", e.code());
        // Netty read past the end of these and threw StringIndexOutOfBoundsException, which became a 500.
        for (String empty : new String[]{"multipart/form-data; boundary=", "multipart/form-data; boundary=\""}) {
            ApiError again = assertThrows(ApiError.class, () -> MultipartImage.filePart(b, empty), empty);
            assertEquals("bad_multipart", again.code(), empty);
        }
    }
}
