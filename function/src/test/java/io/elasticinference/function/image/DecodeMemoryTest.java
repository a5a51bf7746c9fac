package io.elasticinference.function.image;

import io.elasticinference.function.SharedData;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecodeMemoryTest {

    private static final long MB = 1_000_000;
    private static final ImageLimits NO_PIXEL_LIMIT = new ImageLimits(Long.MAX_VALUE, Integer.MAX_VALUE);

    private static byte[] reference(String name) throws Exception {
        return Files.readAllBytes(SharedData.dir().resolve("reference").resolve(name));
    }

    @Test
    void whatCanNeverFitIsRefusedAtOnceWithTheNumbers() {
        DecodeMemory memory = new DecodeMemory(10 * MB);
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> memory.reserve(11 * MB, "The image is 9000x9000"));
        assertEquals(ImageRejectedException.TOO_LARGE, e.code());
        assertTrue(e.getMessage().startsWith("The image is 9000x9000: decoding it takes 11.0 MB, more than the 10.0 MB"),
                e.getMessage());
    }

    @Test
    void aReservationThatFitsWaitsUntilAnotherIsReleased() throws Exception {
        DecodeMemory memory = new DecodeMemory(10 * MB);
        DecodeMemory.Reservation first = memory.reserve(6 * MB, "first");
        CompletableFuture<DecodeMemory.Reservation> second = reserveElsewhere(memory, 6 * MB);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> second.get(300, TimeUnit.MILLISECONDS));
        first.close();
        second.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void closingTwiceGivesTheMemoryBackOnce() throws Exception {
        DecodeMemory memory = new DecodeMemory(10 * MB);
        DecodeMemory.Reservation r = memory.reserve(10 * MB, "whole");
        r.close();
        r.close();
        DecodeMemory.Reservation all = memory.reserve(10 * MB, "whole again");
        CompletableFuture<DecodeMemory.Reservation> more = reserveElsewhere(memory, 1);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> more.get(300, TimeUnit.MILLISECONDS));
        all.close();
        more.get(10, TimeUnit.SECONDS).close();
    }

    private static CompletableFuture<DecodeMemory.Reservation> reserveElsewhere(DecodeMemory memory, long bytes) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return memory.reserve(bytes, bytes + " bytes");
            } catch (ImageRejectedException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The 500x375 hermit crab decodes to 3 bytes per pixel, read in place: 0.56 MB. */
    @Test
    void theDecoderReservesTheRasterAndItsCopyAndGivesThemBack() throws Exception {
        byte[] crab = reference("n01986214_hermit_crab.JPEG");
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> new ImageDecoder(NO_PIXEL_LIMIT, new DecodeMemory(500_000)).decode(crab));
        assertEquals(ImageRejectedException.TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("500x375: decoding it takes 0.6 MB, more than the 0.5 MB"), e.getMessage());

        ImageDecoder justEnough = new ImageDecoder(NO_PIXEL_LIMIT, new DecodeMemory(600_000));
        // Each decode must release what it held, or the second would wait forever.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 3; i++) {
                assertEquals(500, justEnough.decode(crab).width());
            }
        });
        ImagePipeline pipeline = new ImagePipeline(NO_PIXEL_LIMIT, new DecodeMemory(600_000));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 3; i++) {
                assertEquals(3 * 224 * 224, pipeline.toTensor(crab).length);
            }
        });
    }

    @Test
    void aRejectedDecodeGivesItsMemoryBack() throws Exception {
        byte[] crab = reference("n01986214_hermit_crab.JPEG");
        byte[] truncated = java.util.Arrays.copyOf(crab, crab.length / 2);
        ImageDecoder decoder = new ImageDecoder(NO_PIXEL_LIMIT, new DecodeMemory(600_000));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 3; i++) {
                ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> decoder.decode(truncated));
                assertEquals(ImageRejectedException.CORRUPT, e.code());
            }
            assertEquals(375, decoder.decode(crab).height());
        });
    }

    /** The raster, plus 3 bytes of packed RGB for the layouts that are not read in place. */
    @Test
    void decodedBytesPerPixelFollowTheFormat() throws Exception {
        assertEquals(3, decodedBytes("n01986214_hermit_crab.JPEG"));
        assertEquals(1 + 3, decodedBytes("derived_gray_L.jpg"));
        assertEquals(1 + 3, decodedBytes("derived_palette_P.png"));
        assertEquals(4, decodedBytes("derived_rgba.png"));
        assertEquals(2 + 3, decodedBytes("derived_gray16.png"));
        assertFalse(decodedBytes("derived_anim2.gif") > 1 + 3);
    }

    private static int decodedBytes(String name) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(reference(name)))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in, true, true);
                return ImageDecoder.decodedBytesPerPixel(reader);
            } finally {
                reader.dispose();
            }
        }
    }
}
