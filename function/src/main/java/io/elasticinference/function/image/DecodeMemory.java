package io.elasticinference.function.image;

import java.util.concurrent.Semaphore;

/**
 * The heap that decoded pixels may take at once, shared by all requests. An image's decoded size is known from its
 * header (width x height x bytes per pixel), so a decode first reserves it: one that could never fit is refused
 * before anything is allocated (413, with the numbers), and one that fits waits while others hold the memory.
 *
 * <p>Why: the pixel limits alone do not bound the heap. In a 512 MiB container the JVM gives itself a 128 MB heap,
 * and a 24-megapixel photo (72 MB of pixels, and as much again for the RGB copy the decoder then made) ran out of it: the decode failed with an
 * OutOfMemoryError, and two 12-megapixel photos at once could take the heap from any other request.
 *
 * <p>Counted in KiB, so that an int semaphore covers any heap.
 */
public final class DecodeMemory {

    private static final long UNIT = 1024;

    private final Semaphore free;
    private final int capacity;

    /** @param capacityBytes decoded pixels in memory at once, at most */
    public DecodeMemory(long capacityBytes) {
        if (capacityBytes < UNIT) {
            throw new IllegalArgumentException("decode memory must be at least 1 KiB, got " + capacityBytes);
        }
        this.capacity = (int) Math.min(Integer.MAX_VALUE, (capacityBytes + UNIT - 1) / UNIT);
        this.free = new Semaphore(capacity, true);
    }

    /** No bound: for the application's own images (the start-up warm-up) and for tests of decoding alone. */
    public static DecodeMemory unbounded() {
        return new DecodeMemory((long) Integer.MAX_VALUE * UNIT);
    }

    public long capacityBytes() {
        return capacity * UNIT;
    }

    /** Memory held for one decode; released by {@link #close()}. */
    public final class Reservation implements AutoCloseable {
        private final int units;
        private boolean closed;

        private Reservation(int units) {
            this.units = units;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                free.release(units);
            }
        }
    }

    /**
     * Waits until {@code bytes} are free and holds them.
     *
     * @param image what is being decoded, for the message when it can never fit ("The image is 6000x4000")
     * @throws ImageRejectedException {@code image_too_large} when {@code bytes} exceed the whole capacity
     */
    public Reservation reserve(long bytes, String image) throws ImageRejectedException, InterruptedException {
        long units = Math.max(1, (bytes + UNIT - 1) / UNIT);
        if (units > capacity) {
            throw new ImageRejectedException(ImageRejectedException.TOO_LARGE, String.format(java.util.Locale.ROOT,
                    "%s: decoding it takes %.1f MB, more than the %.1f MB this instance gives decoded images (a "
                            + "share of its %.0f MB heap). Send a smaller image, or give the function more memory.",
                    image, megabytes(bytes), megabytes(capacityBytes()),
                    megabytes(Runtime.getRuntime().maxMemory())));
        }
        free.acquire((int) units);
        return new Reservation((int) units);
    }

    private static double megabytes(long bytes) {
        return bytes / 1e6;
    }
}
