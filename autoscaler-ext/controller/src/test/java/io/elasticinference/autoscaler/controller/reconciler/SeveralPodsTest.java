package io.elasticinference.autoscaler.controller.reconciler;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A revision with three ready pods, each its own address in 127.0.0.0/8 (as on a cluster, the same metrics port on
 * every pod): the controller scrapes every pod and adds up their traffic; when one pod stops answering it holds the
 * scale instead of reading two pods' traffic as the revision's.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(SeveralPodsTest.Profile.class)
class SeveralPodsTest {

    static final int METRICS_PORT = PodAutoscalerReconcilerTest.freePortForTests();
    static final List<String> ADDRESSES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    /** Per pod: cumulative ok requests. */
    static final List<AtomicLong> requests = List.of(new AtomicLong(), new AtomicLong(), new AtomicLong());
    static final List<HttpServer> pods = new ArrayList<>();

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return TestRevision.onMockApiServer(METRICS_PORT, "500ms");
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void startPods() throws IOException {
        for (int i = 0; i < ADDRESSES.size(); i++) {
            AtomicLong n = requests.get(i);
            pods.add(TestRevision.metricsEndpoint(ADDRESSES.get(i), METRICS_PORT,
                    () -> PodAutoscalerReconcilerTest.scrape(n.get(), 0)));
        }
    }

    @AfterAll
    static void stopPods() {
        pods.forEach(s -> s.stop(0));
    }

    private double arrivalRate() {
        Gauge g = registry.find("latency_autoscaler_arrival_rate").tag("revision", "default/multi").gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void everyPodIsScrapedAndTheirTrafficAddsUp() throws Exception {
        String ns = "default";
        Deployment d = TestRevision.deployment("multi");
        d.getSpec().setReplicas(3);
        d.setStatus(new DeploymentStatusBuilder().withReadyReplicas(3).withReplicas(3).build());
        client.apps().deployments().inNamespace(ns).resource(d).create();
        for (int i = 0; i < ADDRESSES.size(); i++) {
            client.pods().inNamespace(ns).resource(TestRevision.readyPod("multi-pod-" + i, "multi", ADDRESSES.get(i)))
                    .create();
        }
        client.resources(PodAutoscaler.class).inNamespace(ns).resource(TestRevision.podAutoscaler(ns, "multi",
                "latency.autoscaling.elasticinference.io", Map.of(RevisionScaling.MIN_SCALE, "1",
                        RevisionScaling.MAX_SCALE, "10", RevisionScaling.INITIAL_SCALE, "3"))).create();

        // 20 req/s on each pod: 60 req/s for the revision
        Thread load = TestRevision.tenTimesASecond(() -> requests.forEach(n -> n.addAndGet(2)));
        try {
            // Close to 60, not merely above 48: the reading climbs through 48..54 while the window fills, and a
            // reading held from that climb is what the assertion below would then see.
            TestRevision.await("the sum of the three pods' traffic", Duration.ofSeconds(30),
                    () -> Math.abs(arrivalRate() - 60) < 3);

            // One pod stops answering: the observation is incomplete, so the controller holds its last reading
            // instead of taking the two remaining pods' 40 req/s for the revision's traffic.
            pods.get(2).stop(0);
            Thread.sleep(4000);
            assertTrue(arrivalRate() > 54, "two pods' traffic read as the revision's: " + arrivalRate());
        } finally {
            load.interrupt();
        }
    }
}
