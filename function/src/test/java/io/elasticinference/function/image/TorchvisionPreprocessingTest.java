package io.elasticinference.function.image;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The preprocessing reads pixels in place from any interleaved layout (a decoded JPEG is B, G, R); the golden tests
 * cover the resize against torchvision, these that every layout gives the same tensor as packed RGB.
 */
class TorchvisionPreprocessingTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private static byte[] randomRgb(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new Random(seed).nextBytes(rgb);
        return rgb;
    }

    /** The same pixels as B, G, R, A with {@code pad} unused bytes at the end of each row, after {@code offset}. */
    private static RgbImage asPaddedBgra(int width, int height, byte[] rgb, int offset, int pad) {
        int scanline = width * 4 + pad;
        byte[] data = new byte[offset + height * scanline];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int from = (y * width + x) * 3;
                int to = offset + y * scanline + x * 4;
                data[to] = rgb[from + 2];
                data[to + 1] = rgb[from + 1];
                data[to + 2] = rgb[from];
                data[to + 3] = (byte) 0x7f;
            }
        }
        return new RgbImage(width, height, data, offset, 4, scanline, 2, 1, 0);
    }

    @Test
    void anInterleavedViewGivesTheTensorOfPackedRgb() {
        for (int[] size : new int[][] {{500, 375}, {375, 500}, {1200, 200}, {40, 30}, {300, 256}, {256, 256}}) {
            byte[] rgb = randomRgb(size[0], size[1], size[0] * 31L + size[1]);
            float[] packed = TorchvisionPreprocessing.toTensor(RgbImage.packed(size[0], size[1], rgb));
            float[] view = TorchvisionPreprocessing.toTensor(asPaddedBgra(size[0], size[1], rgb, 7, 5));
            assertArrayEquals(packed, view, size[0] + "x" + size[1]);
        }
    }

    /** A shorter side of 256 is not resized (torchvision's Resize leaves it): the tensor is the centre crop. */
    @Test
    void aShorterSideOf256IsOnlyCropped() {
        int width = 300;
        int height = 256;
        byte[] rgb = randomRgb(width, height, 5);
        float[] tensor = TorchvisionPreprocessing.toTensor(asPaddedBgra(width, height, rgb, 0, 3));
        int left = (width - 224) / 2;
        int top = (height - 224) / 2;
        int plane = 224 * 224;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 224; y += 37) {
                for (int x = 0; x < 224; x += 29) {
                    int v = rgb[((top + y) * width + left + x) * 3 + c] & 0xff;
                    assertEquals((v / 255.0f - MEAN[c]) / STD[c], tensor[c * plane + y * 224 + x], 0f);
                }
            }
        }
    }

    @Test
    void aLayoutThatDoesNotFitItsDataIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(10, 10, new byte[299], 0, 3, 30, 0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(10, 10, new byte[400], 0, 3, 30, 0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> RgbImage.packed(10, 10, new byte[301]));
    }
}
