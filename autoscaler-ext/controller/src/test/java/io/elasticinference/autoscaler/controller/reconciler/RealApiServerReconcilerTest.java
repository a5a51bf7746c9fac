package io.elasticinference.autoscaler.controller.reconciler;

import com.sun.net.httpserver.HttpServer;
import io.elasticinference.autoscaler.controller.apiserver.RealApiServerResource;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.knative.internal.networking.v1alpha1.ServerlessService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller against a real kube-apiserver and etcd (no kubelet, no controller-manager: the test plays both,
 * creating the revision's pod and marking it and the Deployment ready). The pod's metrics come from an endpoint on
 * loopback whose counters the test drives.
 */
@QuarkusTest
@QuarkusTestResource(value = RealApiServerResource.class, restrictToAnnotatedClass = true)
@TestProfile(RealApiServerReconcilerTest.Profile.class)
class RealApiServerReconcilerTest {

    static final int METRICS_PORT = PodAutoscalerReconcilerTest.freePortForTests();
    static HttpServer metrics;
    static final AtomicLong requests = new AtomicLong();
    static final AtomicLong queued = new AtomicLong();

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latency-autoscaler.metrics-port", Integer.toString(METRICS_PORT),
                    "latency-autoscaler.tick", "300ms");
        }
    }

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void startMetrics() throws IOException {
        metrics = TestRevision.metricsEndpoint("127.0.0.1", METRICS_PORT,
                () -> PodAutoscalerReconcilerTest.scrape(requests.get(), queued.get()));
    }

    @AfterAll
    static void stopMetrics() {
        metrics.stop(0);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        TestRevision.await(what, Duration.ofSeconds(40), condition);
    }

    @Test
    void scalesARevisionOnARealApiServer() throws Exception {
        String ns = "default";
        TestRevision.createWithReadyPod(client, ns, "real", "127.0.0.1", Map.of(RevisionScaling.MAX_SCALE, "8"));

        await("the ServerlessService", () -> client.resources(ServerlessService.class).inNamespace(ns)
                .withName("real").get() != null);
        await("the PA status with its service", () -> {
            PodAutoscaler pa = client.resources(PodAutoscaler.class).inNamespace(ns).withName("real").get();
            return pa.getStatus() != null && "real".equals(pa.getStatus().getServiceName())
                    && pa.getStatus().getConditions() != null;
        });
        PodAutoscaler pa = client.resources(PodAutoscaler.class).inNamespace(ns).withName("real").get();
        assertTrue(pa.getStatus().getConditions().stream().anyMatch(
                c -> c.getType().equals("ScaleTargetInitialized") && c.getStatus().equals("True")));
        assertEquals("real-deployment", client.resources(ServerlessService.class).inNamespace(ns).withName("real")
                .get().getSpec().getObjectRef().getName());

        queued.set(40);
        Thread load = TestRevision.tenTimesASecond(() -> requests.addAndGet(40));
        try {
            await("scale up through the scale subresource", () -> client.apps().deployments().inNamespace(ns)
                    .withName("real-deployment").get().getSpec().getReplicas() > 1);
        } finally {
            load.interrupt();
        }
        int replicas = client.apps().deployments().inNamespace(ns).withName("real-deployment").get().getSpec()
                .getReplicas();
        assertTrue(replicas <= 8, "max-scale respected: " + replicas);
        // The controller records the event with its own API call after the scale; the test can see the new replica
        // count in between (it did once in CI), so it waits for the event as it waits for the scale.
        await("a Scaled event", () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "Scaled".equals(e.getReason())));
    }
}
