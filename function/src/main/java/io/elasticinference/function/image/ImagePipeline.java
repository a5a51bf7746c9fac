package io.elasticinference.function.image;

/** Image bytes to the model's input tensor: decode as PIL does, then torchvision's evaluation transform. */
public final class ImagePipeline {

    private final ImageDecoder decoder;

    /** @param memory decoded pixels held at once, across every caller of this pipeline */
    public ImagePipeline(ImageLimits limits, DecodeMemory memory) {
        this.decoder = new ImageDecoder(limits, memory);
    }

    /** Without a bound on decode memory: for the application's own images and for tests of decoding. */
    public ImagePipeline(ImageLimits limits) {
        this(limits, DecodeMemory.unbounded());
    }

    /**
     * @return float[3 x 224 x 224], channel-major, normalised with the ImageNet mean and std
     * @throws InterruptedException while waiting for decode memory that other requests hold
     */
    public float[] toTensor(byte[] data) throws ImageRejectedException, InterruptedException {
        return decoder.decode(data, TorchvisionPreprocessing::toTensor);
    }
}
