package io.elasticinference.function.classify;

import io.elasticinference.function.admission.AdmissionControl;
import io.elasticinference.function.admission.RefusedException;
import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.image.DecodeMemory;
import io.elasticinference.function.image.ImageLimits;
import io.elasticinference.function.image.ImagePipeline;
import io.elasticinference.function.image.ImageRejectedException;
import io.elasticinference.function.inference.InferenceLane;
import io.elasticinference.function.labels.ImageNetLabels;
import io.elasticinference.function.metrics.FunctionMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * Image bytes in, top-k classes out. Decoding happens inside the admission slot: it costs CPU like inference does,
 * and a request waiting in the queue then holds only its compressed bytes, which keeps memory bounded under overload.
 */
@ApplicationScoped
public class ClassificationService {

    private final ModelHolder model;
    private final AdmissionControl admission;
    private final FunctionMetrics metrics;
    private final Sizing sizing;
    private final ImagePipeline pipeline;
    private final ImageNetLabels labels = ImageNetLabels.load();

    @Inject
    public ClassificationService(ModelHolder model, AdmissionControl admission, FunctionMetrics metrics,
                                 FunctionConfig config, Sizing sizing) {
        this.model = model;
        this.sizing = sizing;
        this.admission = admission;
        this.metrics = metrics;
        this.pipeline = new ImagePipeline(new ImageLimits(config.image().maxPixels(), config.image().maxSide()),
                new DecodeMemory(FunctionConfig.shareOfHeap("inference.image.decode-heap-share",
                        config.image().decodeHeapShare(), Runtime.getRuntime().maxMemory())));
    }

    public Classification classify(byte[] image, int topk, long receivedNanos)
            throws RefusedException, ImageRejectedException, InterruptedException {
        switch (model.state()) {
            case READY -> { }
            case DRAINING -> throw new RefusedException(RefusedException.Reason.DRAINING);
            default -> throw new RefusedException(RefusedException.Reason.NOT_READY);
        }
        try (AdmissionControl.Permit permit = admission.acquire()) {
            metrics.queueWait(permit.waitedNanos());
            long decodeStart = System.nanoTime();
            float[] tensor = pipeline.toTensor(image);
            long inferenceStart = System.nanoTime();
            metrics.decode(inferenceStart - decodeStart);
            InferenceLane.Result result = model.lane().classify(tensor);
            float[] probabilities = result.probabilities();
            long done = System.nanoTime();
            if (result.positionInBatch() == 0) {
                metrics.model(result.runNanos(), result.batchSize(),
                        result.alone() ? sizing.threadsWhenAlone() : sizing.threadsPerInference());
            }

            int[] best = TopK.indices(probabilities, topk);
            List<Classification.Prediction> predictions = new ArrayList<>(best.length);
            for (int index : best) {
                predictions.add(new Classification.Prediction(labels.name(index), index, probabilities[index]));
            }
            return new Classification(predictions, model.info(), new Classification.Timings(
                    millis(permit.waitedNanos()), millis(inferenceStart - decodeStart), millis(done - inferenceStart),
                    millis(done - receivedNanos)));
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
