package io.elasticinference.function.image;

/**
 * torchvision's ImageNet evaluation transform on a PIL image: {@code Resize(256)} (shorter side to 256, longer side
 * {@code int(256 * long / short)}, untouched when the shorter side is already 256), {@code CenterCrop(224)} (offsets
 * rounded half to even, as Python's round), {@code ToTensor()} and {@code Normalize} with the ImageNet mean and std.
 * Output: float[3 x 224 x 224], channel-major (all R rows, then G, then B).
 */
public final class TorchvisionPreprocessing {

    public static final int RESIZE = 256;
    public static final int CROP = 224;
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};
    /** value / 255 then (x - mean) / std, for every 8-bit value and channel: the inner loop becomes a lookup. */
    private static final float[][] LUT = new float[3][256];

    static {
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                LUT[c][v] = (v / 255.0f - MEAN[c]) / STD[c];
            }
        }
    }

    private TorchvisionPreprocessing() {
    }

    public static float[] toTensor(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int outW;
        int outH;
        if (Math.min(w, h) == RESIZE) {
            outW = w;
            outH = h;
        } else if (w <= h) {
            outW = RESIZE;
            outH = (int) ((long) RESIZE * h / w);
        } else {
            outH = RESIZE;
            outW = (int) ((long) RESIZE * w / h);
        }
        int top = (int) Math.rint((outH - CROP) / 2.0);
        int left = (int) Math.rint((outW - CROP) / 2.0);
        byte[] crop = PilBilinearResize.resizeWindow(image, outW, outH, left, top, CROP, CROP);

        int plane = CROP * CROP;
        float[] tensor = new float[3 * plane];
        float[] lr = LUT[0];
        float[] lg = LUT[1];
        float[] lb = LUT[2];
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            tensor[i] = lr[crop[p] & 0xff];
            tensor[plane + i] = lg[crop[p + 1] & 0xff];
            tensor[2 * plane + i] = lb[crop[p + 2] & 0xff];
        }
        return tensor;
    }
}
