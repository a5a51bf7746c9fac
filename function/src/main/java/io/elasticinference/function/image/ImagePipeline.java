package io.elasticinference.function.image;

/** Image bytes to the model's input tensor: decode as PIL does, then torchvision's evaluation transform. */
public final class ImagePipeline {

    private final ImageDecoder decoder;

    public ImagePipeline(ImageLimits limits) {
        this.decoder = new ImageDecoder(limits);
    }

    /** @return float[3 x 224 x 224], channel-major, normalised with the ImageNet mean and std */
    public float[] toTensor(byte[] data) throws ImageRejectedException {
        return TorchvisionPreprocessing.toTensor(decoder.decode(data));
    }
}
