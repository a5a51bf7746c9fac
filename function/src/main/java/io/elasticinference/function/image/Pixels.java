package io.elasticinference.function.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Raster samples to interleaved 8-bit RGB, one colour model each, with PIL's conversion rules. */
final class Pixels {

    private Pixels() {
    }

    /** 8-bit interleaved samples (a decoded JPEG: B, G, R) are used where they lie, without a copy. */
    static RgbImage fromInterleavedBytes(Raster raster) {
        ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
        int[] offsets = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int base = raster.getDataBuffer().getOffset() + raster.getSampleModelTranslateX() * -pixelStride
                + raster.getSampleModelTranslateY() * -scanline;
        return new RgbImage(raster.getWidth(), raster.getHeight(), ((DataBufferByte) raster.getDataBuffer()).getData(),
                base, pixelStride, scanline, offsets[0], offsets[1], offsets[2]);
    }

    static RgbImage fromRgbSamples(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
        int[] row = new int[w * bands];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = x * bands;
                out[o++] = (byte) (row[i] >> shift);
                out[o++] = (byte) (row[i + 1] >> shift);
                out[o++] = (byte) (row[i + 2] >> shift);
            }
        }
        return RgbImage.packed(w, h, out);
    }

    static RgbImage fromGray(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
        int[] row = new int[w];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                byte v = (byte) (row[x] >> shift);
                out[o++] = v;
                out[o++] = v;
                out[o++] = v;
            }
        }
        return RgbImage.packed(w, h, out);
    }

    static RgbImage fromPalette(Raster raster, IndexColorModel palette) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int size = palette.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        palette.getReds(reds);
        palette.getGreens(greens);
        palette.getBlues(blues);
        int[] row = new int[w];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = Math.min(row[x], size - 1);
                out[o++] = reds[i];
                out[o++] = greens[i];
                out[o++] = blues[i];
            }
        }
        return RgbImage.packed(w, h, out);
    }

    /** PIL's cmyk2rgb: R = (255 - K) - round(C (255 - K) / 255), with its integer rounding. */
    static RgbImage fromCmyk(Raster raster, boolean inverted) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] row = new int[w * 4];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = x * 4;
                int c = inverted ? 255 - row[i] : row[i];
                int m = inverted ? 255 - row[i + 1] : row[i + 1];
                int yy = inverted ? 255 - row[i + 2] : row[i + 2];
                int k = inverted ? 255 - row[i + 3] : row[i + 3];
                int nk = 255 - k;
                out[o++] = (byte) clip8(nk - mulDiv255(c, nk));
                out[o++] = (byte) clip8(nk - mulDiv255(m, nk));
                out[o++] = (byte) clip8(nk - mulDiv255(yy, nk));
            }
        }
        return RgbImage.packed(w, h, out);
    }

    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
