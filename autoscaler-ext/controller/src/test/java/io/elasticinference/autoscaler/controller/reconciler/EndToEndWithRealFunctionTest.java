package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.apiserver.RealApiServerResource;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on one machine: a real kube-apiserver, the controller, and a real function process (the jar the reactor
 * built) behind the revision's pod on loopback, under load. The controller must scale up within a few ticks of the
 * load rising and back down after it falls.
 */
@QuarkusTest
@QuarkusTestResource(value = RealApiServerResource.class, restrictToAnnotatedClass = true)
@TestProfile(EndToEndWithRealFunctionTest.Profile.class)
class EndToEndWithRealFunctionTest {

    static final int FUNCTION_PORT = PodAutoscalerReconcilerTest.freePortForTests();
    static Process function;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latency-autoscaler.metrics-port", Integer.toString(FUNCTION_PORT),
                    "latency-autoscaler.tick", "500ms");
        }
    }

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void startFunction() throws Exception {
        Path jar = Path.of("..", "..", "function", "target", "function-runner.jar");
        if (!Files.exists(jar)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("function jar missing: " + jar);
            }
            Assumptions.abort("build the function first: " + jar);
        }
        function = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + FUNCTION_PORT, "-Dquarkus.http.host=127.0.0.1", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(Files.createTempFile("function", ".log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FUNCTION_PORT
                        + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // starting
            }
            assertTrue(System.nanoTime() < deadline, "function did not become ready");
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopFunction() throws InterruptedException {
        if (function != null) {
            function.destroy();
            function.waitFor(40, TimeUnit.SECONDS);
        }
    }


    private int replicas() {
        return client.apps().deployments().inNamespace("default").withName("e2e-deployment").get().getSpec()
                .getReplicas();
    }

    @Test
    void scalesUpUnderLoadAndBackDownAfter() throws Exception {
        String ns = "default";
        TestRevision.createWithReadyPod(client, ns, "e2e", "127.0.0.1", Map.of(RevisionScaling.MAX_SCALE, "10"));

        // Quiet: the controller holds one pod.
        Thread.sleep(3000);
        assertEquals(1, replicas());

        // Load beyond one pod's capacity from the load tester (open loop, 70 req/s for 25 s; one pod serves ~60/s).
        Path loadtestJar = Path.of("..", "..", "loadtest", "target", "loadtest.jar");
        assertTrue(Files.exists(loadtestJar), "the reactor builds the load tester first: " + loadtestJar);
        Path run = Files.createTempDirectory("e2e-load");
        Path workload = run.resolve("workload.txt");
        Files.writeString(workload, "70\n".repeat(25));
        Path shared = Path.of(System.getProperty("shared.dir", "../../../shared"));
        Process load = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                loadtestJar.toString(), "run", "--target", "http://127.0.0.1:" + FUNCTION_PORT + "/predict",
                "--workload", workload.toString(), "--images", shared.resolve("imagenet").resolve("sample").toString(),
                "--out", run.resolve("out").toString(), "--quiet", "--no-plots")
                .redirectErrorStream(true).redirectOutput(run.resolve("loadtest.log").toFile()).start();
        long start = System.nanoTime();
        double upAfterS;
        try {
            TestRevision.await("scale up under load", Duration.ofSeconds(20), () -> replicas() > 1);
            upAfterS = (System.nanoTime() - start) / 1e9;
        } finally {
            if (!load.waitFor(60, TimeUnit.SECONDS)) {
                load.destroyForcibly();
            }
        }
        assertEquals(0, load.exitValue(), Files.readString(run.resolve("loadtest.log")));
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(run.resolve("out").resolve("summary.json").toFile());
        assertEquals(1750, summary.path("sent").asLong(), "the load tester sent the whole workload: " + summary);
        assertTrue(summary.path("ok").asLong() > 0, summary.toString());
        assertTrue(upAfterS < 10, "scaled up only after " + upAfterS + " s");
        int peak = replicas();
        assertTrue(peak <= 10);

        // Load gone: after the policy's 60 s hold, back down to one pod.
        TestRevision.await("scale down after the load", Duration.ofSeconds(100), () -> replicas() == 1);
        PodAutoscaler pa = client.resources(PodAutoscaler.class).inNamespace(ns).withName("e2e").get();
        assertEquals("e2e", pa.getStatus().getServiceName());
    }
}
