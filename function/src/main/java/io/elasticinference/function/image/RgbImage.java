package io.elasticinference.function.image;

/** Decoded pixels as PIL's {@code convert("RGB")} leaves them: 8-bit R, G, B interleaved, row by row. */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb must hold width x height x 3 bytes");
        }
    }
}
