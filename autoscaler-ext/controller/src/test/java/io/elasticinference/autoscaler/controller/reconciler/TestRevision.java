package io.elasticinference.autoscaler.controller.reconciler;

import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscaler;
import io.fabric8.knative.internal.autoscaling.v1alpha1.PodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What Knative would have made for a revision, as the controller's tests need it: the revision's Deployment
 * ({@code NAME-deployment}), its pods (labelled with the revision) and its PodAutoscaler. On a real API server the
 * test also plays kubelet and controller-manager by writing the ready statuses itself.
 */
final class TestRevision {

    static final String OUR_CLASS = "latency.autoscaling.elasticinference.io";

    private TestRevision() {
    }

    static String deploymentName(String revision) {
        return revision + "-deployment";
    }

    /** One replica, not yet ready. */
    static Deployment deployment(String revision) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(deploymentName(revision)).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", revision).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", revision).endMetadata()
                .withNewSpec().addNewContainer().withName("function").withImage("function").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    /** A pod of the revision, ready, at {@code ip}. */
    static Pod readyPod(String name, String revision, String ip) {
        return new PodBuilder().withNewMetadata().withName(name)
                .addToLabels(PodAutoscalerReconciler.REVISION_LABEL, revision).endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false).addNewContainer().withName("function")
                .withImage("function").endContainer().endSpec()
                .withStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).addNewCondition()
                        .withType("Ready").withStatus("True").endCondition().build())
                .build();
    }

    /** The revision's PodAutoscaler of class {@code autoscalerClass}, with extra annotations. */
    static PodAutoscaler podAutoscaler(String ns, String revision, String autoscalerClass,
                                       Map<String, String> annotations) {
        return new PodAutoscalerBuilder()
                .withNewMetadata().withName(revision).withNamespace(ns)
                .addToAnnotations(PodAutoscalerReconciler.CLASS_ANNOTATION, autoscalerClass)
                .addToAnnotations(annotations).endMetadata()
                .withNewSpec().withProtocolType("http1").withScaleTargetRef(new ObjectReferenceBuilder()
                        .withApiVersion("apps/v1").withKind("Deployment").withName(deploymentName(revision)).build())
                .endSpec().build();
    }

    /**
     * A revision with one ready pod at {@code podIp}, on a real API server: objects are created without status
     * (the server drops it on create), then given the ready status a kubelet and controller-manager would write.
     */
    static void createWithReadyPod(KubernetesClient client, String ns, String revision, String podIp,
                                   Map<String, String> annotations) {
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("default").endMetadata().build()).createOr(existing -> existing.update());
        Deployment d = client.apps().deployments().inNamespace(ns).resource(deployment(revision)).create();
        d.setStatus(new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
        client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
        Pod ready = readyPod(revision + "-pod-1", revision, podIp);
        Pod pod = client.pods().inNamespace(ns).resource(ready).create();
        pod.setStatus(ready.getStatus());
        client.pods().inNamespace(ns).resource(pod).updateStatus();
        client.resources(PodAutoscaler.class).inNamespace(ns)
                .resource(podAutoscaler(ns, revision, OUR_CLASS, annotations)).create();
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    /**
     * A pod's metrics endpoint at {@code address:port}/q/metrics, answering with what {@code exposition} gives at
     * the time of each scrape (as the function would).
     */
    static HttpServer metricsEndpoint(String address, int port, Supplier<String> exposition) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
        server.createContext("/q/metrics", exchange -> {
            byte[] b = exposition.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** Steady traffic on the fake pods: {@code tick} runs ten times a second until the thread is interrupted. */
    static Thread tenTimesASecond(Runnable tick) {
        long start = System.nanoTime();
        Thread t = new Thread(() -> {
            // Ticks are owed by the clock, not counted from sleeps: a sleep overshoots on a busy machine, and a rate
            // that depended on the scheduler read 52 instead of 60 req/s in SeveralPodsTest under load.
            long done = 0;
            while (!Thread.currentThread().isInterrupted()) {
                long due = (System.nanoTime() - start) / 100_000_000L + 1;
                for (; done < due; done++) {
                    tick.run();
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        t.start();
        return t;
    }

    /** The controller's settings for a test on fabric8's mock API server, its pods' metrics on {@code metricsPort}. */
    static Map<String, String> onMockApiServer(int metricsPort, String tick) {
        return Map.of("latency-autoscaler.metrics-port", Integer.toString(metricsPort),
                "latency-autoscaler.tick", tick,
                // fabric8's mock server rejects server-side-apply status patches
                "quarkus.operator-sdk.enable-ssa", "false");
    }
}
