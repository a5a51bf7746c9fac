package io.elasticinference.function.image;

/**
 * Pillow's antialiased bilinear resize ({@code Image.resize(size, BILINEAR)}, Pillow 9's Resample.c), reproduced to
 * the integer: the filter support widens with the downscale factor, coefficients are fixed point with 22 fraction
 * bits, and each pass (horizontal, then vertical) rounds to 8 bits, as Pillow does.
 *
 * <p>Only the window that the following centre crop keeps is computed. Each output pixel depends only on its own
 * source pixels, so the values are exactly those of a full resize followed by a crop, at a fraction of the work.
 */
final class PilBilinearResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilBilinearResize() {
    }

    /** Per output position: first source index, number of taps, and fixed-point weights ({@code ksize} each). */
    record Coefficients(int ksize, int[] first, int[] count, int[] weights) {
    }

    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // the bilinear (triangle) filter has support 1
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < ksize; x++) {
                double v = x < xmax ? (ww != 0.0 ? k[x] / ww : k[x]) : 0.0;
                weights[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                        : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new Coefficients(ksize, first, count, weights);
    }

    private static double triangle(double x) {
        if (x < 0.0) {
            x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /**
     * Resizes {@code src} to {@code outW x outH} and returns only the window {@code [left, left + cropW) x
     * [top, top + cropH)} of the result, as interleaved RGB bytes.
     */
    static byte[] resizeWindow(RgbImage src, int outW, int outH, int left, int top, int cropW, int cropH) {
        boolean horizontal = outW != src.width();
        boolean vertical = outH != src.height();
        byte[] in = src.data();
        int base = src.offset();
        int pixelStride = src.pixelStride();
        int scanline = src.scanline();
        int red = src.red();
        int green = src.green();
        int blue = src.blue();

        // Source rows the vertical pass needs for the kept output rows (all kept rows when there is no vertical pass).
        Coefficients vc = vertical ? coefficients(src.height(), outH) : null;
        int rowFirst = vertical ? vc.first()[top] : top;
        int rowLast = vertical ? vc.first()[top + cropH - 1] + vc.count()[top + cropH - 1] : top + cropH;

        // The stage: those rows, the kept columns only, packed RGB. With a horizontal pass it is that pass's output;
        // without one, the kept columns as they are.
        int rows = rowLast - rowFirst;
        byte[] stage = new byte[rows * cropW * 3];
        Coefficients hc = horizontal ? coefficients(src.width(), outW) : null;
        int ks = horizontal ? hc.ksize() : 0;
        for (int y = 0; y < rows; y++) {
            int srcRow = base + (rowFirst + y) * scanline;
            int dst = y * cropW * 3;
            for (int xx = 0; xx < cropW; xx++) {
                int ox = left + xx;
                if (!horizontal) {
                    int p = srcRow + ox * pixelStride;
                    stage[dst++] = in[p + red];
                    stage[dst++] = in[p + green];
                    stage[dst++] = in[p + blue];
                    continue;
                }
                int xmin = hc.first()[ox];
                int n = hc.count()[ox];
                int wBase = ox * ks;
                int r = HALF;
                int g = HALF;
                int b = HALF;
                int p = srcRow + xmin * pixelStride;
                for (int x = 0; x < n; x++, p += pixelStride) {
                    int w = hc.weights()[wBase + x];
                    r += (in[p + red] & 0xff) * w;
                    g += (in[p + green] & 0xff) * w;
                    b += (in[p + blue] & 0xff) * w;
                }
                stage[dst++] = clip8(r);
                stage[dst++] = clip8(g);
                stage[dst++] = clip8(b);
            }
        }
        if (!vertical) {
            return stage; // exactly the kept rows, rowFirst = top
        }

        byte[] out = new byte[cropW * cropH * 3];
        int vks = vc.ksize();
        int step = cropW * 3;
        int dst = 0;
        for (int yy = 0; yy < cropH; yy++) {
            int oy = top + yy;
            int ymin = vc.first()[oy] - rowFirst;
            int n = vc.count()[oy];
            int wBase = oy * vks;
            for (int xx = 0; xx < cropW; xx++) {
                int r = HALF;
                int g = HALF;
                int b = HALF;
                int p = (ymin * cropW + xx) * 3;
                for (int y = 0; y < n; y++, p += step) {
                    int w = vc.weights()[wBase + y];
                    r += (stage[p] & 0xff) * w;
                    g += (stage[p + 1] & 0xff) * w;
                    b += (stage[p + 2] & 0xff) * w;
                }
                out[dst++] = clip8(r);
                out[dst++] = clip8(g);
                out[dst++] = clip8(b);
            }
        }
        return out;
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }
}
