package io.elasticinference.function.image;

/**
 * Decoded pixels as PIL's {@code convert("RGB")} leaves them, 8-bit R, G and B, read from {@code data} in place: the
 * sample of channel {@code c} at (x, y) is {@code data[offset + y * scanline + x * pixelStride + c's offset]}.
 *
 * <p>Why a view and not always a packed copy: a decoded JPEG is already 8-bit interleaved (as B, G, R), and copying
 * it doubled the heap a large photo takes: a 12-megapixel one held 73 MB instead of 37 (see {@link DecodeMemory}).
 */
public record RgbImage(int width, int height, byte[] data, int offset, int pixelStride, int scanline, int red,
                       int green, int blue) {

    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image has at least one pixel");
        }
        int maxChannel = Math.max(red, Math.max(green, blue));
        if (Math.min(red, Math.min(green, blue)) < 0 || maxChannel >= pixelStride || offset < 0
                || scanline < (long) width * pixelStride
                || offset + (long) (height - 1) * scanline + (long) (width - 1) * pixelStride + maxChannel
                >= data.length) {
            throw new IllegalArgumentException("the layout does not fit the data");
        }
    }

    /** R, G, B interleaved, row by row, nothing between: the layout of {@link Pixels}' copies. */
    public static RgbImage packed(int width, int height, byte[] rgb) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb must hold width x height x 3 bytes");
        }
        return new RgbImage(width, height, rgb, 0, 3, width * 3, 0, 1, 2);
    }
}
