package io.elasticinference.autoscaler.controller.reconciler;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.knative.internal.networking.v1alpha1.ServerlessService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller against fabric8's mock API server: a PodAutoscaler of our class gets its ServerlessService and a
 * status Knative accepts; under load (reported by the pod's metrics endpoint) the Deployment is scaled up; without
 * metrics the scale is held; a PodAutoscaler of another class is left alone.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(PodAutoscalerReconcilerTest.Profile.class)
class PodAutoscalerReconcilerTest {

    static final int METRICS_PORT = freePortForTests();
    static HttpServer metrics;
    /** What the fake pod reports: cumulative ok requests (all fast) and requests waiting for a slot. */
    static final AtomicLong requests = new AtomicLong();
    static final AtomicLong queued = new AtomicLong();

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return TestRevision.onMockApiServer(METRICS_PORT, "300ms");
        }
    }

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void startMetrics() throws IOException {
        metrics = TestRevision.metricsEndpoint("127.0.0.1", METRICS_PORT, () -> scrape(requests.get(), queued.get()));
    }

    @AfterAll
    static void stopMetrics() {
        metrics.stop(0);
    }

    private void revision(String name, String autoscalerClass) {
        String ns = "default";
        Deployment d = TestRevision.deployment(name);
        d.setStatus(new DeploymentStatusBuilder().withReadyReplicas(1).withReplicas(1).build());
        assertTrue(client.apps().deployments().inNamespace(ns).resource(d).create() != null);
        client.pods().inNamespace(ns).resource(TestRevision.readyPod(name + "-pod-1", name, "127.0.0.1")).create();
        PodAutoscaler pa = TestRevision.podAutoscaler(ns, name, autoscalerClass,
                Map.of(RevisionScaling.MIN_SCALE, "1", RevisionScaling.MAX_SCALE, "10"));
        pa.getMetadata().setGeneration(1L);
        client.resources(PodAutoscaler.class).inNamespace(ns).resource(pa).create();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        TestRevision.await(what, Duration.ofSeconds(30), condition);
    }

    private int replicas(String deployment) {
        return client.apps().deployments().inNamespace("default").withName(deployment).get().getSpec().getReplicas();
    }

    @Test
    void ourRevisionGetsItsServiceStatusAndScale() throws Exception {
        revision("rev1", "latency.autoscaling.elasticinference.io");
        await("the ServerlessService", () -> client.resources(ServerlessService.class).inNamespace("default")
                .withName("rev1").get() != null);
        ServerlessService sks = client.resources(ServerlessService.class).inNamespace("default").withName("rev1").get();
        assertEquals("rev1-deployment", sks.getSpec().getObjectRef().getName());
        assertEquals("Serve", sks.getSpec().getMode());
        assertEquals("rev1", sks.getMetadata().getOwnerReferences().get(0).getName());

        await("the PA status", () -> {
            PodAutoscaler pa = client.resources(PodAutoscaler.class).inNamespace("default").withName("rev1").get();
            return pa.getStatus() != null && "rev1".equals(pa.getStatus().getServiceName());
        });
        PodAutoscaler pa = client.resources(PodAutoscaler.class).inNamespace("default").withName("rev1").get();
        assertEquals("rev1-private", pa.getStatus().getMetricsServiceName());
        assertEquals(1L, pa.getStatus().getObservedGeneration());
        assertTrue(pa.getStatus().getConditions().stream().anyMatch(
                c -> c.getType().equals("ScaleTargetInitialized") && c.getStatus().equals("True")));
        assertTrue(pa.getStatus().getConditions().stream().anyMatch(
                c -> c.getType().equals("Active") && c.getStatus().equals("True")));

        // No traffic: nothing to do, one pod stays.
        Thread.sleep(1500);
        assertEquals(1, replicas("rev1-deployment"));

        // Load: ~400 requests/s with a queue building up on the one pod.
        queued.set(40);
        Thread load = TestRevision.tenTimesASecond(() -> requests.addAndGet(40));
        try {
            await("scale up under load", () -> replicas("rev1-deployment") > 1);
        } finally {
            load.interrupt();
        }
        int up = replicas("rev1-deployment");
        assertTrue(up <= 10, "max-scale respected: " + up);

        // Metrics gone (the pod stopped answering): hold, never scale down on no data.
        metrics.stop(0);
        Thread.sleep(2000);
        assertEquals(up, replicas("rev1-deployment"));
    }

    @Test
    void aRevisionOfAnotherClassIsLeftToKnative() throws Exception {
        revision("rev2", "kpa.autoscaling.knative.dev");
        Thread.sleep(2000);
        assertNull(client.resources(ServerlessService.class).inNamespace("default").withName("rev2").get());
        assertNull(client.resources(PodAutoscaler.class).inNamespace("default").withName("rev2").get().getStatus());
    }

    /** The fake pod's metrics: {@code n} fast ok requests so far, {@code queued} waiting now. */
    static String scrape(long n, long queued) {
        return """
                inference_requests_total{outcome="ok"} %d.0
                inference_requests_total{outcome="rejected"} 0.0
                inference_requests_total{outcome="server_error"} 0.0
                inference_requests_total{outcome="client_error"} 0.0
                inference_request_duration_seconds_count{outcome="ok"} %d.0
                inference_request_duration_seconds_bucket{outcome="ok",le="0.33"} %d.0
                inference_model_duration_seconds_sum %f
                inference_batch_size_sum %d.0
                inference_inflight_requests 2.0
                inference_queued_requests %d.0
                """.formatted(n, n, n, n * 0.015, n, queued);
    }

    static int freePortForTests() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
