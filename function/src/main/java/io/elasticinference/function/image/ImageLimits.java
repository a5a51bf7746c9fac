package io.elasticinference.function.image;

/**
 * Largest image accepted, checked from the file header before any pixel is decoded, so a small file that claims
 * huge dimensions (a decompression bomb) is refused without allocating.
 *
 * @param maxPixels width x height
 * @param maxSide   width or height
 */
public record ImageLimits(long maxPixels, int maxSide) {
    public ImageLimits {
        if (maxPixels < 1 || maxSide < 1) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }
}
