package io.elasticinference.function.nativeimage;

import ai.djl.engine.rpc.RpcEngineProvider;
import ai.djl.onnxruntime.engine.OrtEngineProvider;
import ai.djl.onnxruntime.zoo.OrtHfZooProvider;
import ai.djl.onnxruntime.zoo.OrtZooProvider;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The {@link java.util.ServiceLoader} providers the native executable must be able to instantiate.
 * <p>
 * Quarkus builds with native-image's automatic service-loader support switched off, so in the executable a
 * {@code ServiceLoader} reads the {@code META-INF/services} files that are included as resources (see
 * {@code quarkus.native.resources.includes}) and then creates each listed class by reflection. A listed class that is
 * not registered does not just go missing: the loader throws {@code ServiceConfigurationError}, and neither DJL's
 * engine discovery nor ImageIO's plugin scan catches it. So every provider of an included services file is here, even
 * those we never use (DJL's RPC engine, the ONNX Runtime model zoos).
 * <p>
 * An annotation with class literals rather than a {@code reflect-config.json}: the compiler notices a provider that a
 * dependency update renamed or removed, and {@code quarkus.native.auto-service-loader-registration} would register
 * every provider of every jar. {@code NativeImageConfigTest} checks this list against the services files on the
 * classpath. Constructors only, and no nested classes: a service loader needs nothing else.
 * <ul>
 * <li>{@code ai.djl.engine.EngineProvider}: DJL finds its engines only this way; {@code Model.newInstance(...,
 *     "OnnxRuntime")} fails with "Deep learning engine not found" without {@link OrtEngineProvider}. Both jars list a
 *     provider, so the API jar's {@link RpcEngineProvider} is needed as well.</li>
 * <li>{@code ai.djl.repository.zoo.ZooProvider}: DJL's own native-image configuration includes this services file
 *     (for its default zoo); the ONNX Runtime engine jar adds two zoos to it.</li>
 * <li>{@code javax.imageio.spi.ImageReaderSpi}: WebP decoding comes from TwelveMonkeys' plugin, found by
 *     {@code ImageIO.scanForPlugins()}; the JDK's own readers are registered without a services file.</li>
 * </ul>
 */
@RegisterForReflection(targets = {
        OrtEngineProvider.class,
        RpcEngineProvider.class,
        OrtZooProvider.class,
        OrtHfZooProvider.class,
        WebPImageReaderSpi.class
}, methods = false, fields = false, ignoreNested = true)
public final class ServiceProviders {

    private ServiceProviders() {
    }
}
