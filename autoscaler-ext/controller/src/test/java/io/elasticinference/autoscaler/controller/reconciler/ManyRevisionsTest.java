package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.apiserver.RealApiServerResource;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hundred revisions of our class on a real kube-apiserver, at the default 2 s tick: every one gets its status, and
 * the controller keeps re-deciding each of them about once per tick (its reconcile timer counts the work).
 */
@QuarkusTest
@QuarkusTestResource(value = RealApiServerResource.class, restrictToAnnotatedClass = true)
@TestProfile(ManyRevisionsTest.Profile.class)
class ManyRevisionsTest {

    static final int REVISIONS = 100;
    static final String NS = "many";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latency-autoscaler.tick", "2s");
        }
    }

    @Inject
    KubernetesClient client;
    @Inject
    MeterRegistry registry;

    @Test
    void aHundredRevisionsAreEachDecidedOnceATick() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        for (int i = 0; i < REVISIONS; i++) {
            String name = "rev-" + i;
            client.apps().deployments().inNamespace(NS).resource(TestRevision.deployment(name)).create();
            client.resources(PodAutoscaler.class).inNamespace(NS)
                    .resource(TestRevision.podAutoscaler(NS, name, TestRevision.OUR_CLASS, Map.of())).create();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long withStatus = 0;
        while (System.nanoTime() < deadline) {
            withStatus = client.resources(PodAutoscaler.class).inNamespace(NS).list().getItems().stream()
                    .filter(pa -> pa.getStatus() != null && pa.getStatus().getServiceName() != null).count();
            if (withStatus == REVISIONS) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(withStatus == REVISIONS, withStatus + " of " + REVISIONS + " PodAutoscalers got a status");

        // Steady state: over 10 s (5 ticks) each revision should be reconciled about 5 times. Allow 20% slack for
        // the first tick's phase; fewer means the controller cannot keep up with a hundred revisions.
        Timer timer = registry.get(PodAutoscalerReconciler.RECONCILE_TIMER).timer();
        long before = timer.count();
        Thread.sleep(10_000);
        long done = timer.count() - before;
        long expected = REVISIONS * 10 / 2;
        assertTrue(done >= expected * 0.8, done + " reconciles in 10 s for " + REVISIONS
                + " revisions at a 2 s tick; expected about " + expected);
        assertTrue(done <= expected * 1.5, done + " reconciles in 10 s: revisions are decided more than once a tick");
        double meanMs = timer.mean(java.util.concurrent.TimeUnit.MILLISECONDS);
        System.out.printf("ManyRevisionsTest: %d reconciles in 10 s, mean %.1f ms, max %.1f ms%n", done, meanMs,
                timer.max(java.util.concurrent.TimeUnit.MILLISECONDS));
    }
}
